// Seals a symmetric key to one device's key-agreement key for the HAL's ks_unwrap
// (docs/provisioning.md, Wrapped keys): an ephemeral P-256 key, ECDH with the device's
// P-256 public key, HKDF-SHA-256 to a 16-byte KEK bound to both keys and the destination
// slot, AES key wrap (RFC 3394). Only the device's keystore can open it; the blob is safe on
// the link, in logs and in the database. Also the key check value the records keep.
import { aeskw, ecb } from "@noble/ciphers/aes.js";
import { p256 } from "@noble/curves/nist.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { unwrapInfo } from "../abi/ks-unwrap.ts";

export const KS_ALG_AES128 = 3;
export const KS_ALG_HMAC = 4;

/** The `key.unwrap` blob: ephemeral public key (65 bytes) || wrapped key. */
export function sealKeyForDevice(deviceKx: Uint8Array, alg: number, dest: number, key: Uint8Array): Uint8Array {
  const ephemeralSecret = p256.utils.randomSecretKey();
  const ephemeral = p256.getPublicKey(ephemeralSecret, false);
  const shared = p256.getSharedSecret(ephemeralSecret, deviceKx, true).subarray(1);
  const kek = hkdf(sha256, shared, new Uint8Array(0), unwrapInfo(deviceKx, ephemeral, alg, dest), 16);
  const wrapped = aeskw(kek).encrypt(key);
  const blob = new Uint8Array(65 + wrapped.length);
  blob.set(ephemeral, 0);
  blob.set(wrapped, 65);
  return blob;
}

/** Key check value, 3 bytes: AES-128 E(K, 0^16), HMAC HMAC(K, empty) (what `key.unwrap` answers). */
export function keyCheckValue(alg: number, key: Uint8Array): Uint8Array {
  const full = alg === KS_ALG_AES128 ? ecb(key, { disablePadding: true }).encrypt(new Uint8Array(16)) : hmac(sha256, key, new Uint8Array(0));
  return full.subarray(0, 3);
}
