// Keeps the tag's configuration in the power-safe store, so a plaque serves the same NDEF
// message, dynamic-URL mirrors, UID and writability after a power cut or a reboot, as a
// programmed NTAG does. One store transaction holds the whole configuration: a cut while
// saving leaves either the old or the new one, never a mix (docs/store.md).
//
// Keys (docs/store.md, NFC range 0x0100..0x01FF): 0x0100 the settings below, 0x0101 and
// 0x0102 the message in two parts (a store value holds at most 512 bytes).
import { storeGet, txAbort, txBegin, txCommit, txDelete, txPut, STORE_MAX_VALUE } from "../store/store";
import { NDEF_MESSAGE_CAP, setNdefMessage, setWritable, tagWritable } from "./ndef-file";
import {
  counterLimit, ctrOffset, encLength, encOffset, fileSlot, macInputOffset, macOffset, metaSlot, mirrorMode, mirrorProblem,
  piccOffset, restoreMirror, setMirror, signSlot, snapshotMirror, timeOffset, uidOffset,
} from "./mirror-config";
import { restoreTagUid, tagUid } from "./personality";

const KEY_SETTINGS: u16 = 0x0100;
const KEY_MESSAGE_A: u16 = 0x0101;
const KEY_MESSAGE_B: u16 = 0x0102;
/** Bumped when the settings layout changes; an unknown version is ignored at boot. */
const SETTINGS_VERSION: u8 = 1;

// Settings layout: version, writable, mode, meta, file, sign slots (u8 each); picc, uid,
// ctr, time, enc, enc_len, mac_in, mac offsets (u16 LE each, all below the 1 KiB file);
// counter limit u32 LE; tag UID (7 bytes); message length u16 LE.
const S_OFFSETS = 6;
const S_LIMIT = S_OFFSETS + 8 * 2;
const S_UID = S_LIMIT + 4;
const S_MSG_LEN = S_UID + 7;
const SETTINGS_SIZE = S_MSG_LEN + 2;
const SETTINGS = memory.data(SETTINGS_SIZE);

/**
 * Saves the current mirrors, UID and writability with `msgLen` bytes of message at `msg`
 * in one transaction. Returns 0, or the store's negative error (nothing changed then).
 */
export function saveTag(msg: usize, msgLen: i32): i32 {
  store<u8>(SETTINGS, SETTINGS_VERSION);
  store<u8>(SETTINGS + 1, tagWritable() ? 1 : 0);
  store<u8>(SETTINGS + 2, <u8>mirrorMode);
  store<u8>(SETTINGS + 3, <u8>metaSlot);
  store<u8>(SETTINGS + 4, <u8>fileSlot);
  store<u8>(SETTINGS + 5, <u8>signSlot);
  const at = SETTINGS + S_OFFSETS;
  store<u16>(at, <u16>piccOffset);
  store<u16>(at + 2, <u16>uidOffset);
  store<u16>(at + 4, <u16>ctrOffset);
  store<u16>(at + 6, <u16>timeOffset);
  store<u16>(at + 8, <u16>encOffset);
  store<u16>(at + 10, <u16>encLength);
  store<u16>(at + 12, <u16>macInputOffset);
  store<u16>(at + 14, <u16>macOffset);
  store<u32>(SETTINGS + S_LIMIT, counterLimit);
  memory.copy(SETTINGS + S_UID, tagUid(), 7);
  store<u16>(SETTINGS + S_MSG_LEN, <u16>msgLen);

  const partA = msgLen < STORE_MAX_VALUE ? msgLen : STORE_MAX_VALUE;
  let r = txBegin();
  if (r < 0) return r;
  r = txPut(KEY_SETTINGS, SETTINGS, SETTINGS_SIZE);
  if (r >= 0) r = txPut(KEY_MESSAGE_A, msg, partA);
  if (r >= 0) {
    if (msgLen > partA) r = txPut(KEY_MESSAGE_B, msg + <usize>partA, msgLen - partA);
    else if (storeGet(KEY_MESSAGE_B, 0, 0) >= 0) r = txDelete(KEY_MESSAGE_B);
  }
  if (r < 0) {
    txAbort();
    return r;
  }
  return txCommit();
}

/**
 * Loads a saved configuration into the tag, reading the message through `scratch` (at least
 * NDEF_MESSAGE_CAP bytes). False when none is saved or it does not check out; the tag is
 * then left as it was.
 */
export function loadTag(scratch: usize): bool {
  if (storeGet(KEY_SETTINGS, SETTINGS, SETTINGS_SIZE) != SETTINGS_SIZE) return false;
  if (load<u8>(SETTINGS) != SETTINGS_VERSION) return false;
  const msgLen = <i32>load<u16>(SETTINGS + S_MSG_LEN);
  if (msgLen > NDEF_MESSAGE_CAP) return false;
  const partA = msgLen < STORE_MAX_VALUE ? msgLen : STORE_MAX_VALUE;
  if (storeGet(KEY_MESSAGE_A, scratch, partA) != partA) return false;
  if (msgLen > partA && storeGet(KEY_MESSAGE_B, scratch + <usize>partA, msgLen - partA) != msgLen - partA) return false;

  const at = SETTINGS + S_OFFSETS;
  snapshotMirror();
  setMirror(<i32>load<u8>(SETTINGS + 2), <i32>load<u8>(SETTINGS + 3), <i32>load<u8>(SETTINGS + 4), <i32>load<u8>(SETTINGS + 5),
    <i32>load<u16>(at), <i32>load<u16>(at + 2), <i32>load<u16>(at + 4), <i32>load<u16>(at + 6),
    <i32>load<u16>(at + 8), <i32>load<u16>(at + 10), <i32>load<u16>(at + 12), <i32>load<u16>(at + 14),
    load<u32>(SETTINGS + S_LIMIT));
  // A record that passed its checksum but no longer fits this firmware's rules is not served.
  if (mirrorProblem(msgLen + 2).length > 0) {
    restoreMirror();
    return false;
  }
  restoreTagUid(SETTINGS + S_UID);
  setWritable(load<u8>(SETTINGS + 1) != 0);
  setNdefMessage(scratch, msgLen);
  return true;
}
