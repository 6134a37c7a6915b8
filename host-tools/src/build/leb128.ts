// LEB128, the variable-length integers of the Wasm binary format: the one reader and writer the
// build's module passes share (static-data-pass.ts rewrites sections, wasm-interface.ts reads a
// module's interface and exported constants). Readers return [value, position after it].

/** Unsigned (u32 and below; exact up to 2^53). */
export function readU32(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    v += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [v, at];
    shift += 7;
  }
}

/** Signed 32-bit, sign-extended from the last byte's bit 6. */
export function readI32(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = b[at++];
    v |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (shift < 32 && byte & 0x40) v |= -1 << shift;
  return [v, at];
}

export function encodeU32(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

export function encodeI32(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}
