// AES-128-CMAC (RFC 4493) built on raw AES-ECB blocks: the MAC behind NTAG 424 SUN
// messages and the session-key derivation (ks_cmac, ks_derive_cmac).

import { ecb } from "@noble/ciphers/aes.js";

const BLOCK = 16;
const RB = 0x87;

function encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  return ecb(key, { disablePadding: true }).encrypt(block);
}

/** Left shift by one bit across the block; XOR Rb in when the top bit fell off (RFC 4493 §2.3). */
function doubleBlock(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((block[i] << 1) | (i + 1 < BLOCK ? block[i + 1] >>> 7 : 0)) & 0xff;
  if (block[0] & 0x80) out[BLOCK - 1] ^= RB;
  return out;
}

export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new Error(`AES-128-CMAC needs a 16-byte key, got ${key.length}`);
  const k1 = doubleBlock(encryptBlock(key, new Uint8Array(BLOCK)));
  const k2 = doubleBlock(k1);
  const blocks = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = new Uint8Array(BLOCK);
  const tail = message.subarray((blocks - 1) * BLOCK);
  if (complete) {
    for (let i = 0; i < BLOCK; i++) last[i] = tail[i] ^ k1[i];
  } else {
    last.set(tail);
    last[tail.length] = 0x80;
    for (let i = 0; i < BLOCK; i++) last[i] ^= k2[i];
  }
  let x: Uint8Array = new Uint8Array(BLOCK);
  const y = new Uint8Array(BLOCK);
  for (let b = 0; b < blocks - 1; b++) {
    for (let i = 0; i < BLOCK; i++) y[i] = x[i] ^ message[b * BLOCK + i];
    x = encryptBlock(key, y);
  }
  for (let i = 0; i < BLOCK; i++) y[i] = x[i] ^ last[i];
  return encryptBlock(key, y);
}
