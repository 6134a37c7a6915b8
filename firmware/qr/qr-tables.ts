// The fixed numbers of ISO/IEC 18004 (Model 2) for versions 1-40: error-correction block
// structure per version and level, the data capacity that follows from the module layout,
// alignment pattern positions and the character-count field widths. Tables are indexed
// [level * 41 + version] with the levels in their natural order L, M, Q, H (index 0-3); the
// format-information bits use a different order, see eclFormatBits. The tables are laid out
// inside functions, so a board without the encoder (the card) carries none of their bytes
// (docs/hal-abi.md, "Per-board static data").

export const ECC_L: i32 = 0;
export const ECC_M: i32 = 1;
export const ECC_Q: i32 = 2;
export const ECC_H: i32 = 3;

export const MODE_NUMERIC: i32 = 1;
export const MODE_ALPHANUMERIC: i32 = 2;
export const MODE_BYTE: i32 = 4;

// Codewords of error correction per block (ISO 18004 Table 9). Entry 0 of each row is unused.
function eccCodewordsTable(): usize {
  return memory.data<u8>([
    0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, // L
    0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, // M
    0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, // Q
    0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, // H
  ]);
}

// Number of error-correction blocks (ISO 18004 Table 9).
function eccBlocksTable(): usize {
  return memory.data<u8>([
    0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25, // L
    0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49, // M
    0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68, // Q
    0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81, // H
  ]);
}

export function eccCodewordsPerBlock(ecl: i32, version: i32): i32 {
  return <i32>load<u8>(eccCodewordsTable() + <usize>(ecl * 41 + version));
}

export function numErrorCorrectionBlocks(ecl: i32, version: i32): i32 {
  return <i32>load<u8>(eccBlocksTable() + <usize>(ecl * 41 + version));
}

/** The 2-bit level indicator of the format information: L=01, M=00, Q=11, H=10. */
export function eclFormatBits(ecl: i32): i32 {
  return ecl == ECC_L ? 1 : ecl == ECC_M ? 0 : ecl == ECC_Q ? 3 : 2;
}

export function sideForVersion(version: i32): i32 {
  return version * 4 + 17;
}

/**
 * Modules left for data and ECC (including remainder bits) once the function patterns are
 * drawn: the whole square, minus the three finders with separators and format areas, the
 * timing lines, the alignment patterns (none overlap the finders) and, from v7, the two
 * 6x3 version blocks.
 */
export function numRawDataModules(version: i32): i32 {
  let result = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const numAlign = version / 7 + 2;
    result -= (25 * numAlign - 10) * numAlign - 55;
    if (version >= 7) result -= 36;
  }
  return result;
}

/** Data codewords (8 bits each) that version/level carries, after ECC and remainder bits. */
export function numDataCodewords(version: i32, ecl: i32): i32 {
  return (numRawDataModules(version) >> 3) - eccCodewordsPerBlock(ecl, version) * numErrorCorrectionBlocks(ecl, version);
}

/** Width of the character-count field: three version classes, 1-9, 10-26, 27-40. */
export function charCountBits(mode: i32, version: i32): i32 {
  const cls = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  if (mode == MODE_NUMERIC) return 10 + 2 * cls;
  if (mode == MODE_ALPHANUMERIC) return 9 + 2 * cls;
  return cls == 0 ? 8 : 16;
}

/** Alignment pattern centres along one axis; returns how many (0 for version 1). */
export function alignmentPositions(version: i32, out: usize): i32 {
  if (version == 1) return 0;
  const numAlign = version / 7 + 2;
  // Even spacing from the last position back towards 6; the step is rounded up to even.
  const step = ((version * 8 + numAlign * 3 + 5) / (numAlign * 4 - 4)) * 2;
  let pos = version * 4 + 10;
  for (let i = numAlign - 1; i >= 1; i--) {
    store<u8>(out + <usize>i, <u8>pos);
    pos -= step;
  }
  store<u8>(out, 6);
  return numAlign;
}
