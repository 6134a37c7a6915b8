// The device's production identity in the power-safe store (docs/provisioning.md): serial
// number, NFC UID, the [batch, device] certificate chain, and whether the device is locked.
// Written in one store transaction, so a cut leaves the device blank or provisioned, never
// half of it. The same transaction moves a blank device to provisioned (app/device-mode.ts).
//
// Keys (docs/store.md, system range): 0x0010 the record below, 0x0011 batch certificate,
// 0x0012 device certificate.
import { storeGet, txAbort, txBegin, txCommit, txPut } from "../store/store";
import { STATE_BLANK, STATE_PROVISIONED, lifecycleCommitted, lifecycleStage, lifecycleState } from "../app/device-mode";

const KEY_IDENTITY: u16 = 0x0010;
export const KEY_ID_CERT_BATCH: u16 = 0x0011;
export const KEY_ID_CERT_DEVICE: u16 = 0x0012;
export const MAX_ID_CERT: i32 = 512;

const RECORD_VERSION: u8 = 1;
// Record: version u8, flags u8, serial u32 LE, UID 7 bytes.
const R_SERIAL = 2;
const R_UID = 6;
const RECORD_SIZE = R_UID + 7;
const RECORD = memory.data(RECORD_SIZE);

let present = false;

/** Reads the record at boot; false when the device holds no identity (blank or demo). */
export function loadIdentityRecord(): bool {
  present = storeGet(KEY_IDENTITY, RECORD, RECORD_SIZE) == RECORD_SIZE && load<u8>(RECORD) == RECORD_VERSION;
  return present;
}

export function identityPresent(): bool {
  return present;
}

export function identitySerial(): u32 {
  return load<u32>(RECORD + R_SERIAL);
}

export function identityUid(): usize {
  return RECORD + R_UID;
}

/**
 * Serial, UID and chain in one transaction, which also moves a blank device to provisioned (a
 * card's wallet.provision may have done that already). Returns 0 or the store's negative
 * error (nothing written).
 */
export function saveIdentity(serial: u32, uid: usize, batch: usize, batchLen: i32, device: usize, deviceLen: i32): i32 {
  const before = present;
  store<u8>(RECORD, RECORD_VERSION);
  store<u8>(RECORD + 1, 0);
  store<u32>(RECORD + R_SERIAL, serial);
  memory.copy(RECORD + R_UID, uid, 7);
  let r = txBegin();
  if (r < 0) return r;
  const fromBlank = lifecycleState() == STATE_BLANK;
  r = txPut(KEY_IDENTITY, RECORD, RECORD_SIZE);
  if (r >= 0 && fromBlank) r = lifecycleStage(STATE_PROVISIONED);
  if (r >= 0) r = txPut(KEY_ID_CERT_BATCH, batch, batchLen);
  if (r >= 0) r = txPut(KEY_ID_CERT_DEVICE, device, deviceLen);
  if (r < 0) {
    txAbort();
    present = before;
    return r;
  }
  r = txCommit();
  present = r >= 0 ? true : loadIdentityRecord();
  if (r >= 0 && fromBlank) lifecycleCommitted(STATE_PROVISIONED);
  return r;
}
