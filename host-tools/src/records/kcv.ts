// Key check value of an AES-128 key (GlobalPlatform / payment-industry convention: the first
// 3 bytes of the key encrypting a zero block). What the records store to tell keys apart
// without storing them.
import { ecb } from "@noble/ciphers/aes.js";
import { toHex } from "../bytes/hex.ts";

export function aesKcv(key: Uint8Array): string {
  return toHex(ecb(key, { disablePadding: true }).encrypt(new Uint8Array(16)).subarray(0, 3));
}
