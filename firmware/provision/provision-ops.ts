// App-channel ops of group provision (host-tools/src/ops/catalogue.ts; docs/provisioning.md):
// the device's own keys (generated in the keystore, never leaving it), its serial, NFC UID and
// certificate chain, symmetric keys delivered wrapped to the device's key-agreement key and
// unwrapped inside the keystore. The lock that ends provisioning is device.lock (app/).
import { KIND_ARRAY, KIND_BYTES, KIND_UINT, argKind, argLen, argPtr, argUint, enterArray, findArg, nextItem } from "../codec/cbor/cbor-reader";
import { encodeArray, encodeBool, encodeBytes, encodeMap, encodeText, encodeUint } from "../codec/cbor/cbor-writer";
import { BAD_ARG, INTERNAL, OK, fail } from "../link/status";
import { hmac_sha256, ks_aes, ks_generate, ks_info, ks_public_key, ks_unwrap } from "../hal/keystore";
import { storeGet } from "../store/store";
import { OP_SCRATCH } from "../ops/op-scratch";
import { KS_ED25519, KS_P256 } from "../wallet/device-key";
import { STATE_LOCKED, lifecycleName, lifecycleState } from "../app/device-mode";
import {
  KEY_ID_CERT_BATCH, KEY_ID_CERT_DEVICE, MAX_ID_CERT, identityPresent, identitySerial, identityUid, saveIdentity,
} from "./identity-store";

// Slot plan (docs/provisioning.md): 0 the Ed25519 device key (certified; signs tap URLs and
// vouchers), 1 the P-256 key-agreement key that wrapped keys are sealed to, 2.. symmetric keys.
export const SLOT_DEVICE: i32 = 0;
export const SLOT_AGREEMENT: i32 = 1;
const KS_AES128: i32 = 3;
const KS_HMAC: i32 = 4;
// Every buffer here is the ops' scratch arena (ops/op-scratch.ts), this op's own while it
// runs, used one after the other: a public key is encoded into the answer before the next one
// (or the chain) is read into the same bytes; the key check value block is key.unwrap's alone.
const PUB = OP_SCRATCH;
const KX = OP_SCRATCH;
const CERT = OP_SCRATCH;
const BLOCK = OP_SCRATCH;

function encodePublicKey(slot: i32, want: i32, out: usize): void {
  const n = ks_info(slot) == want ? ks_public_key(slot, out, 65) : 0;
  encodeBytes(out, n > 0 ? n : 0);
}

/** `identity.get`: state, serial, UID, public keys, chain. */
export function identityGetOp(): i32 {
  // Keys in deterministic CBOR order (length first, then bytes), as every answer.
  const has = identityPresent();
  encodeMap(has ? 7 : 4);
  encodeText("kx");
  encodePublicKey(SLOT_AGREEMENT, KS_P256, KX);
  encodeText("pub");
  encodePublicKey(SLOT_DEVICE, KS_ED25519, PUB);
  if (has) {
    encodeText("uid");
    encodeBytes(identityUid(), 7);
    encodeText("chain");
    encodeArray(2);
    let n = storeGet(KEY_ID_CERT_BATCH, CERT, MAX_ID_CERT);
    encodeBytes(CERT, n > 0 ? n : 0);
    n = storeGet(KEY_ID_CERT_DEVICE, CERT, MAX_ID_CERT);
    encodeBytes(CERT, n > 0 ? n : 0);
  }
  encodeText("state");
  encodeText(lifecycleName(lifecycleState()));
  encodeText("locked");
  encodeBool(lifecycleState() == STATE_LOCKED);
  if (has) {
    encodeText("serial");
    encodeUint(<u64>identitySerial());
  }
  return OK;
}

/**
 * `identity.keygen`: the device key and key-agreement key, generated in the keystore. A
 * blank device that already holds both keeps them (`fresh` false): a repeated or resumed run
 * never makes a second identity.
 */
export function identityKeygenOp(): i32 {
  let fresh = false;
  if (ks_info(SLOT_DEVICE) != KS_ED25519) {
    if (ks_generate(SLOT_DEVICE, KS_ED25519) < 0) return fail(INTERNAL, "the keystore refused to generate the Ed25519 device key");
    fresh = true;
  }
  if (ks_info(SLOT_AGREEMENT) != KS_P256) {
    if (ks_generate(SLOT_AGREEMENT, KS_P256) < 0) return fail(INTERNAL, "the keystore refused to generate the P-256 key-agreement key");
    fresh = true;
  }
  encodeMap(3);
  encodeText("kx");
  encodePublicKey(SLOT_AGREEMENT, KS_P256, KX);
  encodeText("pub");
  encodePublicKey(SLOT_DEVICE, KS_ED25519, PUB);
  encodeText("fresh");
  encodeBool(fresh);
  return OK;
}

/** True when the device public key's bytes appear in the certificate (it certifies this device). */
function certNamesKey(cert: usize, certLen: i32, pub: usize, pubLen: i32): bool {
  for (let i = 0; i + pubLen <= certLen; i++) {
    if (memory.compare(cert + <usize>i, pub, pubLen) == 0) return true;
  }
  return false;
}

/** `identity.set`: serial, UID and chain, once; the same values again answer `{}`. */
export function identitySetOp(): i32 {
  if (!findArg("serial") || argKind() != KIND_UINT || argUint() > 0xffffffff) return fail(BAD_ARG, "serial: unsigned 32-bit integer required");
  const serial = <u32>argUint();
  if (!findArg("uid") || argKind() != KIND_BYTES || argLen() != 7) return fail(BAD_ARG, "uid: 7 bytes required");
  const uid = argPtr();
  if (load<u8>(uid) != 0x04) return fail(BAD_ARG, "uid: an NXP-style 7-byte UID starts with 04");
  if (identityPresent()) {
    if (identitySerial() == serial && memory.compare(identityUid(), uid, 7) == 0) {
      encodeMap(0);
      return OK;
    }
    return fail(BAD_ARG, "the device already has another serial and UID; a second identity is refused");
  }
  if (ks_info(SLOT_DEVICE) != KS_ED25519) return fail(BAD_ARG, "no device key: run identity.keygen first");
  const pubLen = ks_public_key(SLOT_DEVICE, PUB, 65);
  if (!findArg("chain") || argKind() != KIND_ARRAY || argUint() != 2) return fail(BAD_ARG, "chain: [batch certificate, device certificate] required");
  enterArray();
  nextItem();
  if (argKind() != KIND_BYTES || argLen() == 0 || argLen() > MAX_ID_CERT) return fail(BAD_ARG, "chain[0]: batch certificate bytes (1..512)");
  const batch = argPtr();
  const batchLen = argLen();
  nextItem();
  if (argKind() != KIND_BYTES || argLen() == 0 || argLen() > MAX_ID_CERT) return fail(BAD_ARG, "chain[1]: device certificate bytes (1..512)");
  if (!certNamesKey(argPtr(), argLen(), PUB, pubLen)) return fail(BAD_ARG, "the device certificate does not certify this device's key");
  if (saveIdentity(serial, uid, batch, batchLen, argPtr(), argLen()) < 0) return fail(INTERNAL, "the store refused the identity; nothing was written");
  encodeMap(0);
  return OK;
}

/**
 * `key.unwrap`: a symmetric key sealed to the key-agreement key (ECDH P-256, HKDF-SHA-256,
 * AES key wrap) goes into `slot` inside the keystore; the answer is its key check value.
 */
export function keyUnwrapOp(): i32 {
  if (!findArg("slot") || argKind() != KIND_UINT || argUint() < 2 || argUint() > 5) return fail(BAD_ARG, "slot: 2..5 (0 and 1 hold the device's own keys, 6 and 7 the PIN verifier)");
  const slot = <i32>argUint();
  if (!findArg("alg") || argKind() != KIND_UINT || (argUint() != <u64>KS_AES128 && argUint() != <u64>KS_HMAC))
    return fail(BAD_ARG, "alg: 3 (AES-128) or 4 (HMAC-SHA-256)");
  const alg = <i32>argUint();
  if (!findArg("blob") || argKind() != KIND_BYTES) return fail(BAD_ARG, "blob: ephemeral public key and wrapped key bytes required");
  const r = ks_unwrap(SLOT_AGREEMENT, alg, argPtr(), argLen(), slot);
  if (r < 0) return fail(BAD_ARG, "the keystore refused the wrapped key (not sealed to this device, altered, or the wrong algorithm)");
  // Key check value: AES encrypts a zero block; HMAC over the empty message. First 3 bytes.
  memory.fill(BLOCK, 0, 32);
  const k = alg == KS_AES128 ? ks_aes(slot, 0, BLOCK, BLOCK, 16, BLOCK) : hmac_sha256(slot, BLOCK, 0, BLOCK);
  if (k < 0) return fail(INTERNAL, "the keystore could not compute the key check value");
  encodeMap(1);
  encodeText("kcv");
  encodeBytes(BLOCK, 3);
  return OK;
}
