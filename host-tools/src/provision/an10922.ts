// NXP AN10922 AES-128 key diversification: a per-tag key from a master key and the tag's
// diversification input M (UID || application id || system identifier), so a SUN backend that
// holds only the master key derives the same key from the UID it decrypts.
//   D = 0x01 || M (M at most 31 bytes); if D is shorter than 32 bytes it is padded with
//   80 00.. to 32 bytes and the last block is XORed with CMAC subkey K2, else with K1;
//   the diversified key is the last block of AES-CBC(master, IV 0) over D (the CMAC).
import { ecb } from "@noble/ciphers/aes.js";
import { TapkitError } from "../errors/index.ts";

const DIV_CONSTANT_AES128 = 0x01;

function shiftLeft(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((block[i] << 1) | (i < 15 ? block[i + 1] >> 7 : 0)) & 0xff;
  if (block[0] & 0x80) out[15] ^= 0x87;
  return out;
}

/** The diversified AES-128 key for input M (1..31 bytes). */
export function diversifyAes128(master: Uint8Array, m: Uint8Array): Uint8Array {
  if (master.length !== 16) throw new TapkitError("KEY_FORMAT", `an AES-128 master key is 16 bytes, got ${master.length}`, "check the key file");
  if (m.length < 1 || m.length > 31)
    throw new TapkitError("DIVERSIFY_INPUT", `AN10922 diversification input is 1..31 bytes, got ${m.length}`, "UID (7) + application id + system identifier");
  // noble refuses a second encrypt() on one instance: one instance per block.
  const encrypt = (block: Uint8Array) => ecb(master, { disablePadding: true }).encrypt(block);
  const k1 = shiftLeft(encrypt(new Uint8Array(16)));
  const k2 = shiftLeft(k1);
  const d = new Uint8Array(32);
  d[0] = DIV_CONSTANT_AES128;
  d.set(m, 1);
  const padded = 1 + m.length < 32;
  if (padded) d[1 + m.length] = 0x80;
  const sub = padded ? k2 : k1;
  for (let i = 0; i < 16; i++) d[16 + i] ^= sub[i];
  let x = new Uint8Array(16);
  for (let b = 0; b < 2; b++) {
    const block = new Uint8Array(16);
    for (let i = 0; i < 16; i++) block[i] = x[i] ^ d[b * 16 + i];
    x = encrypt(block);
  }
  return x;
}
