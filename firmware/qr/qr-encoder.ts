// QR Code Model 2 encoder (ISO/IEC 18004), laid out like Nayuki's generator: choose the
// smallest version that holds the optimally segmented text, optionally raise the ECC level
// while the version stays, write the data bit stream, add Reed-Solomon ECC and interleave the
// blocks, draw the function patterns and codewords, then pick the mask with the lowest
// penalty (strict <, so ties keep the lower mask). Every buffer is static, sized by the
// board's largest version (qr-limits.ts) and shared by phase in one scratch region
// (qr-scratch.ts); text that does not fit is an error, never a truncated symbol.
import { QR_MAX_VERSION } from "./qr-limits";
import {
  ECC_H, eccCodewordsPerBlock, numDataCodewords, numErrorCorrectionBlocks, numRawDataModules,
} from "./qr-tables";
import { planSegments, textFitsMode, writeDataCodewords } from "./segmentation";
import { reedSolomonDivisor, reedSolomonRemainder, reedSolomonTables } from "./reed-solomon";
import { changeMask, drawCodewords, drawFormatBits, drawFunctionPatterns } from "./qr-grid";
import { penaltyScore } from "./penalty";
import { CW_AT, GRID_AT, QR_SCRATCH, RS_BLOCK_AT } from "./qr-scratch";

/** The text needs a larger version than allowed (or than this board's buffers hold). */
export const E_QR_TOO_LONG: i32 = -1;
/** A forced segment mode cannot hold the text. */
export const E_QR_ARG: i32 = -2;

export const MASK_AUTO: i32 = -1;

const CODEWORDS = QR_SCRATCH + <usize>CW_AT;
// Kept between encodes (30 B): a plaque redraws the same version over and over.
function divisorLogs(): usize {
  return memory.data(30);
}
let divisorDegree: i32 = 0; // the degree divisorLogs() holds (0: none yet)

let lastVersion: i32 = 0;
let lastEcl: i32 = 0;
let lastMask: i32 = 0;
let lastDataBits: i32 = 0;

export function qrVersion(): i32 { return lastVersion; }
export function qrEcl(): i32 { return lastEcl; }
export function qrMask(): i32 { return lastMask; }
/** Bits the segments take (before terminator and padding). */
export function qrDataBits(): i32 { return lastDataBits; }

/**
 * Encodes text[0..len) into the grid (qr-grid.ts). forceMode 0 plans optimal segments,
 * otherwise one segment of that MODE_*. Returns the version, or E_QR_TOO_LONG / E_QR_ARG.
 * The callers pass checked parameters (qr-ops checks the host's): ecl ECC_L-ECC_H, mask
 * MASK_AUTO or 0-7, 1 <= minVersion <= maxVersion, forceMode 0 or a MODE_*.
 */
export function qrEncode(text: usize, len: i32, ecl: i32, minVersion: i32, maxVersion: i32, mask: i32, boostEcl: bool, forceMode: i32): i32 {
  if (maxVersion > QR_MAX_VERSION) maxVersion = QR_MAX_VERSION;
  if (minVersion > maxVersion) return E_QR_TOO_LONG;
  if (forceMode != 0 && !textFitsMode(text, len, forceMode)) return E_QR_ARG;

  // Smallest version whose capacity holds the segments planned for its class.
  let version = minVersion;
  let bits = -1;
  for (; version <= maxVersion; version++) {
    // The plan only changes where the count-field widths do (v10 and v27) or at the start.
    if (version == minVersion || version == 10 || version == 27) bits = planSegments(text, len, version, forceMode);
    if (bits >= 0 && bits <= numDataCodewords(version, ecl) * 8) break;
  }
  if (version > maxVersion) return E_QR_TOO_LONG;
  // A higher level is free while the same version still holds the data.
  if (boostEcl) {
    for (let e = ecl + 1; e <= ECC_H; e++) if (bits <= numDataCodewords(version, e) * 8) ecl = e;
  }

  // The data codewords live in the grid's memory (and each block's ECC is computed past
  // them, qr-scratch.ts phase B): the grid is drawn only after interleaving into CODEWORDS.
  const DATA = QR_SCRATCH + <usize>GRID_AT;
  const dataLen = numDataCodewords(version, ecl);
  writeDataCodewords(text, len, version, DATA, dataLen);
  addEccAndInterleave(version, ecl, DATA, CODEWORDS);

  drawFunctionPatterns(version);
  drawCodewords(CODEWORDS, numRawDataModules(version) >> 3);
  if (mask == MASK_AUTO) {
    // Score each mask in turn on the packed grid: going from one mask to the next is one xor
    // per word, cheaper than keeping a copy of the unmasked symbol.
    let best = 0x7fffffff;
    for (let m = 0; m < 8; m++) {
      changeMask(m - 1, m);
      drawFormatBits(ecl, m);
      const p = penaltyScore();
      if (p < best) {
        best = p;
        mask = m;
      }
    }
    changeMask(7, mask);
  } else {
    changeMask(-1, mask);
  }
  drawFormatBits(ecl, mask);
  lastVersion = version;
  lastEcl = ecl;
  lastMask = mask;
  lastDataBits = bits;
  return version;
}

/**
 * Splits the data codewords into the version's blocks (short blocks first, long ones one
 * codeword longer), appends each block's ECC, and interleaves: codeword j of every block in
 * turn, then ECC codeword j of every block (ISO 18004 7.6).
 */
function addEccAndInterleave(version: i32, ecl: i32, data: usize, out: usize): void {
  const numBlocks = numErrorCorrectionBlocks(ecl, version);
  const blockEccLen = eccCodewordsPerBlock(ecl, version);
  const rawCodewords = numRawDataModules(version) >> 3;
  const dataLen = numDataCodewords(version, ecl);
  const numShortBlocks = numBlocks - rawCodewords % numBlocks;
  const shortBlockDataLen = rawCodewords / numBlocks - blockEccLen;
  // The divisor depends on the ECC length only, so it is kept; the tables are not.
  reedSolomonTables();
  if (blockEccLen != divisorDegree) {
    reedSolomonDivisor(blockEccLen, divisorLogs());
    divisorDegree = blockEccLen;
  }
  // Each block is divided after the tables (qr-scratch.ts).
  const work = QR_SCRATCH + <usize>RS_BLOCK_AT;
  let dat = data;
  for (let i = 0; i < numBlocks; i++) {
    const datLen = shortBlockDataLen + (i < numShortBlocks ? 0 : 1);
    const ecc = reedSolomonRemainder(dat, datLen, divisorLogs(), blockEccLen, work);
    for (let j = 0, k = i; j < datLen; j++, k += numBlocks) {
      if (j == shortBlockDataLen) k -= numShortBlocks; // long blocks' last codewords go at the end
      store<u8>(out + <usize>k, load<u8>(dat + <usize>j));
    }
    for (let j = 0, k = dataLen + i; j < blockEccLen; j++, k += numBlocks) store<u8>(out + <usize>k, load<u8>(ecc + <usize>j));
    dat += <usize>datLen;
  }
}
