// COBS (Consistent Overhead Byte Stuffing, Cheshire & Baker 1999) for link protocol v1.
// COBS removes every 00 byte from a frame so that 00 can delimit frames on the wire and a
// receiver can always resynchronise at the next 00. The delimiter itself is not added here.

import { TapkitError } from "../errors/index.ts";

/** What cobsDecode throws (code BAD_COBS) when the input cannot be COBS output. */
function cobsError(message: string): TapkitError {
  return new TapkitError("BAD_COBS", message, "the bytes between two 00 delimiters are not a COBS frame: line noise, a wrong baud rate, or a cut frame");
}

/** Largest COBS encoding of `n` bytes (without the delimiter). */
export function cobsMaxEncodedLength(n: number): number {
  // One code byte per started block of 254 data bytes, and at least one for empty input.
  return n + Math.max(1, Math.ceil(n / 254));
}

/**
 * Encodes `data`; the result contains no 00 byte.
 * A trailing block of exactly 254 non-zero bytes gets no extra code byte (the variant in the
 * paper and on Wikipedia), which keeps the worst case at n + ceil(n / 254).
 */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length));
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = b;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      code = 1;
      // A full block at the very end needs no following code byte: nothing follows it.
      if (i + 1 === data.length) return out.subarray(0, o);
      codeAt = o++;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Decodes one COBS frame (without its delimiter). Throws BAD_COBS on malformed input. */
export function cobsDecode(encoded: Uint8Array): Uint8Array {
  if (encoded.length === 0) throw cobsError("empty input is not a COBS encoding");
  const out = new Uint8Array(encoded.length);
  let o = 0;
  let i = 0;
  while (i < encoded.length) {
    const code = encoded[i]!;
    if (code === 0) throw cobsError(`00 byte inside COBS data at offset ${i}`);
    const end = i + code;
    if (end > encoded.length) {
      throw cobsError(`code byte ${code} at offset ${i} points past the end (${encoded.length} bytes)`);
    }
    for (let j = i + 1; j < end; j++) {
      const b = encoded[j]!;
      if (b === 0) throw cobsError(`00 byte inside COBS data at offset ${j}`);
      out[o++] = b;
    }
    i = end;
    // The implied zero between blocks; a full (0xFF) block carries none.
    if (i < encoded.length && code !== 0xff) out[o++] = 0;
  }
  return out.slice(0, o);
}
