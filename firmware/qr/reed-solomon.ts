// Reed-Solomon error correction over GF(2^8) with the QR field polynomial
// x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator roots 2^0 .. 2^(degree-1) (ISO 18004 7.5.2).
// Multiplication goes through log/antilog tables (768 bytes), because the shift-and-add
// product costs ~60 instructions and the remainder loop runs it data x degree times per
// block. The tables live in the encoder's scratch (qr-scratch.ts, phase B), so each encode
// builds them again first (reedSolomonTables): about 5,000 instructions, for 768 B of RAM.
import { GF_EXP_AT, GF_LOG_AT, QR_SCRATCH } from "./qr-scratch";

const EXP = QR_SCRATCH + <usize>GF_EXP_AT; // EXP[i] = 2^i, doubled so EXP[LOG[a] + LOG[b]] needs no modulo
const LOG = QR_SCRATCH + <usize>GF_LOG_AT;

/** Builds the log/antilog tables; call at the start of each encode's Reed-Solomon phase. */
export function reedSolomonTables(): void {
  let x = 1;
  for (let i = 0; i < 255; i++) {
    store<u8>(EXP + <usize>i, <u8>x);
    store<u8>(EXP + <usize>(i + 255), <u8>x);
    store<u8>(LOG + <usize>x, <u8>i);
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
}

/**
 * Writes prod(x - 2^i, i < degree), highest power first and the leading 1 dropped, into
 * out[0 .. degree) as discrete logarithms: the remainder loop only ever multiplies by these
 * coefficients, so it adds logs instead of looking each one up. (For every degree QR uses,
 * 7-30, no coefficient is 0, which has no logarithm.) Needs the tables (reedSolomonTables).
 */
export function reedSolomonDivisor(degree: i32, out: usize): void {
  for (let j = 0; j < degree - 1; j++) store<u8>(out + <usize>j, 0);
  store<u8>(out + <usize>(degree - 1), 1); // start with the monomial x^0
  for (let i = 0; i < degree; i++) {
    // Multiply the current product by (x - 2^i); in GF(2^8) minus is xor, and 2^i has log i.
    for (let j = 0; j < degree; j++) {
      const at = out + <usize>j;
      const c = <i32>load<u8>(at);
      const product = c == 0 ? 0 : <i32>load<u8>(EXP + <usize>(<i32>load<u8>(LOG + <usize>c) + i));
      store<u8>(at, <u8>(product ^ (j + 1 < degree ? <i32>load<u8>(at + 1) : 0)));
    }
  }
  for (let at = out; at < out + <usize>degree; at++) store<u8>(at, load<u8>(LOG + <usize>load<u8>(at)));
}

/**
 * The ECC codewords of one block: the remainder of data(x) * x^degree divided by the divisor
 * (as logs, from reedSolomonDivisor). The block is copied to `work` (len + degree bytes) and
 * divided there in place, synthetic division: coefficient i, once final, subtracts (xor)
 * itself times the divisor from the degree coefficients after it, so nothing shifts. Returns
 * where the remainder is: work + len.
 */
export function reedSolomonRemainder(data: usize, len: i32, logDivisor: usize, degree: i32, work: usize): usize {
  for (let i = 0; i < len; i++) store<u8>(work + <usize>i, load<u8>(data + <usize>i));
  for (let j = 0; j < degree; j++) store<u8>(work + <usize>(len + j), 0);
  const end = work + <usize>len;
  for (let at = work; at < end; at++) {
    const factor = <i32>load<u8>(at);
    if (factor == 0) continue; // zero times the divisor: nothing to subtract (and no log)
    const exp = EXP + <usize>load<u8>(LOG + <usize>factor);
    // Four coefficients per step (four logs in one read, one 32-bit xor), then the rest.
    let p = at + 1;
    let g = logDivisor;
    const stop = p + <usize>degree;
    for (; p + 4 <= stop; p += 4, g += 4) {
      const logs = load<u32>(g);
      const product = <u32>load<u8>(exp + <usize>(logs & 0xff))
        | (<u32>load<u8>(exp + <usize>((logs >> 8) & 0xff)) << 8)
        | (<u32>load<u8>(exp + <usize>((logs >> 16) & 0xff)) << 16)
        | (<u32>load<u8>(exp + <usize>(logs >> 24)) << 24);
      store<u32>(p, load<u32>(p) ^ product);
    }
    for (; p < stop; p++, g++) store<u8>(p, load<u8>(p) ^ load<u8>(exp + <usize>load<u8>(g)));
  }
  return end;
}
