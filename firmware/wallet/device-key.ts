// The card's device key in the keystore: which slot, its COSE algorithm, its public key
// and key id (SHA-256(public key)[0..8], the id certificates and vouchers carry).
import { ks_info, ks_public_key, sha256 } from "../hal/keystore";
import { COSE_EDDSA, COSE_ES256 } from "../codec/cose/cose-sign1";

export const KS_ED25519: i32 = 1;
export const KS_P256: i32 = 2;

// Buffers are laid out inside functions, so a board that never loads a device key (the
// plaque) carries none of their bytes (docs/hal-abi.md, "Per-board static data").
function digestScratch(): usize {
  return memory.data(32);
}
let pubLen: i32 = 0;
let slotLoaded: i32 = -1;

/** Loads slot's public key and kid; returns the COSE alg, or 0 when the slot holds no signing key. */
export function loadDeviceKey(slot: i32): i32 {
  const ks = ks_info(slot);
  if (ks != KS_ED25519 && ks != KS_P256) return 0;
  if (slotLoaded != slot) {
    pubLen = ks_public_key(slot, devicePub(), 65);
    if (pubLen <= 0) return 0;
    sha256(devicePub(), pubLen, digestScratch());
    memory.copy(deviceKid(), digestScratch(), 8);
    slotLoaded = slot;
  }
  return ks == KS_ED25519 ? COSE_EDDSA : COSE_ES256;
}

export function devicePub(): usize {
  return memory.data(65);
}

export function devicePubLen(): i32 {
  return pubLen;
}

export function deviceKid(): usize {
  return memory.data(8);
}
