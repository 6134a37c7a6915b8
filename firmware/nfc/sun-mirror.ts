// NTAG 424 DNA Secure Dynamic Messaging, byte-exact (NT4H2421Gx §9.3, AN12196): encrypted
// PICCData (or plain UID/counter), SDMENCFileData and the truncated SDMMAC, written as
// upper-case hex into the mirrored copy of the NDEF file. Keys never enter Wasm memory:
// session keys are derived into volatile keystore slots with ks_derive_cmac.
import { ks_aes, ks_cmac, ks_derive_cmac } from "../hal/keystore";
import { random } from "../hal/random";
import { writeHexNumber, writeHexUpper } from "./ascii-mirror";
import {
  MODE_SUN, counterLimit, encLength, encOffset, fileSlot, macInputOffset, macOffset, metaSlot, mirrorMode,
  piccOffset, uidOffset, ctrOffset,
} from "./mirror-config";
import { SW_MEMORY, SW_OK, SW_SECURITY } from "./sw";

const AES_ECB_ENCRYPT: i32 = 0;
const AES_CBC_ENCRYPT: i32 = 2;
// Volatile slots (docs/hal-abi.md): session MAC and ENC keys, and the epoch keys that
// replace the configured ones once the counter passes its first epoch.
const SLOT_SES_MAC: i32 = 128;
const SLOT_SES_ENC: i32 = 129;
const SLOT_EPOCH_META: i32 = 130;
const SLOT_EPOCH_FILE: i32 = 131;
/** Epochs are numbered in 16 bits; past that the tag answers 6982 like an exhausted NTAG 424. */
const MAX_EPOCH: i64 = 0xffff;
const PICC_TAG: u8 = 0xc7; // UID and counter mirrored, UID length 7

const ZERO_IV = memory.data(16);
const BLOCK = memory.data(16);
const SV = memory.data(16);
const IV = memory.data(16);
const CMAC_OUT = memory.data(16);
const MAC8 = memory.data(8);
const ENC_BUF = memory.data(128);

/** SV1 (C3 3C) or SV2 (3C C3) `|| 00 01 00 80 || UID || ctr LSB-first`, exactly one block. */
function sessionVector(first: u8, second: u8, uid: usize, ctr: u32): void {
  store<u8>(SV, first);
  store<u8>(SV + 1, second);
  store<u8>(SV + 2, 0x00);
  store<u8>(SV + 3, 0x01);
  store<u8>(SV + 4, 0x00);
  store<u8>(SV + 5, 0x80);
  memory.copy(SV + 6, uid, 7);
  store<u8>(SV + 13, <u8>ctr);
  store<u8>(SV + 14, <u8>(ctr >> 8));
  store<u8>(SV + 15, <u8>(ctr >> 16));
}

/** Epoch e > 0 uses keys CMAC(K, "TKE" || M/F || e (u32 BE) || 0^8), derived into volatile slots. */
function deriveEpochKey(slot: i32, which: u8, epoch: u32, dest: i32): i32 {
  memory.fill(BLOCK, 0, 16);
  store<u8>(BLOCK, 0x54); // T
  store<u8>(BLOCK + 1, 0x4b); // K
  store<u8>(BLOCK + 2, 0x45); // E
  store<u8>(BLOCK + 3, which);
  store<u8>(BLOCK + 4, <u8>(epoch >> 24));
  store<u8>(BLOCK + 5, <u8>(epoch >> 16));
  store<u8>(BLOCK + 6, <u8>(epoch >> 8));
  store<u8>(BLOCK + 7, <u8>epoch);
  return ks_derive_cmac(slot, BLOCK, 16, dest);
}

/**
 * Fills the SUN mirrors of `out` (a copy of the NDEF file) for tap counter value `value`
 * (>= 1). The value splits into epoch = value / counterLimit and SDMReadCtr = value % limit;
 * epoch 0 uses the configured keys unchanged, so plain NTAG 424 backends verify it.
 * Returns a status word.
 */
export function sunMirror(out: usize, value: i64, uid: usize): u32 {
  const epoch = value / <i64>counterLimit;
  if (epoch > MAX_EPOCH) return SW_SECURITY;
  const ctr = <u32>(value % <i64>counterLimit);
  let meta = metaSlot;
  let file = fileSlot;
  if (epoch > 0) {
    if (deriveEpochKey(metaSlot, 0x4d, <u32>epoch, SLOT_EPOCH_META) < 0) return SW_SECURITY;
    if (deriveEpochKey(fileSlot, 0x46, <u32>epoch, SLOT_EPOCH_FILE) < 0) return SW_SECURITY;
    meta = SLOT_EPOCH_META;
    file = SLOT_EPOCH_FILE;
  }
  if (mirrorMode == MODE_SUN) {
    store<u8>(BLOCK, PICC_TAG);
    memory.copy(BLOCK + 1, uid, 7);
    store<u8>(BLOCK + 8, <u8>ctr);
    store<u8>(BLOCK + 9, <u8>(ctr >> 8));
    store<u8>(BLOCK + 10, <u8>(ctr >> 16));
    if (random(BLOCK + 11, 5) < 0) return SW_MEMORY;
    if (ks_aes(meta, AES_CBC_ENCRYPT, ZERO_IV, BLOCK, 16, BLOCK) != 16) return SW_SECURITY;
    writeHexUpper(out + <usize>piccOffset, BLOCK, 16);
  } else {
    writeHexUpper(out + <usize>uidOffset, uid, 7);
    writeHexNumber(out + <usize>ctrOffset, <u64>ctr, 6);
  }
  if (encLength > 0) {
    // SDMENCFileData: the placeholder's first half is the plaintext; AES-CBC under
    // KSesSDMFileReadENC with IV = E(KSes, ctr LSB-first || 0^13), no padding (§9.3.6).
    sessionVector(0xc3, 0x3c, uid, ctr);
    if (ks_derive_cmac(file, SV, 16, SLOT_SES_ENC) < 0) return SW_SECURITY;
    memory.fill(IV, 0, 16);
    store<u8>(IV, <u8>ctr);
    store<u8>(IV + 1, <u8>(ctr >> 8));
    store<u8>(IV + 2, <u8>(ctr >> 16));
    if (ks_aes(SLOT_SES_ENC, AES_ECB_ENCRYPT, ZERO_IV, IV, 16, IV) != 16) return SW_SECURITY;
    const plainLen = encLength / 2;
    memory.copy(ENC_BUF, out + <usize>encOffset, <usize>plainLen);
    if (ks_aes(SLOT_SES_ENC, AES_CBC_ENCRYPT, IV, ENC_BUF, plainLen, ENC_BUF) != plainLen) return SW_SECURITY;
    writeHexUpper(out + <usize>encOffset, ENC_BUF, plainLen);
  }
  sessionVector(0x3c, 0xc3, uid, ctr);
  if (ks_derive_cmac(file, SV, 16, SLOT_SES_MAC) < 0) return SW_SECURITY;
  if (ks_cmac(SLOT_SES_MAC, out + <usize>macInputOffset, macOffset - macInputOffset, CMAC_OUT) < 0) return SW_SECURITY;
  // MACt keeps the 0-based odd bytes 1, 3, ..., 15 of the CMAC (notes §3.2).
  for (let i = 0; i < 8; i++) store<u8>(MAC8 + <usize>i, load<u8>(CMAC_OUT + <usize>(2 * i + 1)));
  writeHexUpper(out + <usize>macOffset, MAC8, 8);
  return SW_OK;
}
