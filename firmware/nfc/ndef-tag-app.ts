// The NFC Forum Type 4 Tag NDEF application, mapping 2.0 (AID D2760000850101), registered
// in the applet table: SELECT of the CC (E103) and NDEF (E104) files by FID or SFI, READ
// BINARY with 15-bit offsets (Le=00 is 256, reads past the end truncated, offset at or past
// the end 6B00) and UPDATE BINARY for writable tags, staged and committed only by the final
// write of a non-zero NLEN at offset 0 (Android's write procedure), and kept in the store. docs/nfc.md lists each
// status word and the condition behind it.
import { registerApplet } from "./applets";
import { CC_SIZE, FID_CC, FID_NDEF, NDEF_FILE_SIZE, ccFile, commitNdefFile, ndefFile, tagWritable } from "./ndef-file";
import { readServed, resetMirrorSession } from "./dynamic-url";
import { copyWords } from "./byte-copy";
import { OWNER_TYPE4, claimStaging, releaseStaging, stagingBuffer } from "./write-staging";
import {
  SW_INS, SW_MEMORY, SW_NOT_ALLOWED, SW_NOT_FOUND, SW_OFFSET, SW_OK, SW_WRONG_DATA, SW_WRONG_LENGTH, SW_WRONG_P1P2, putSw,
} from "./sw";
import { saveTag } from "./tag-persist";

const NDEF_AID = memory.data<u8>([0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01]);

const INS_SELECT: u8 = 0xa4;
const INS_READ: u8 = 0xb0;
const INS_UPDATE: u8 = 0xd6;
const P1_BY_FID: u8 = 0x00;
const P2_FIRST_FCI: u8 = 0x00;
const P2_NO_DATA: u8 = 0x0c;
// Short file identifiers as NTAG 424 numbers its files: 01 = CC, 02 = NDEF.
const SFI_CC: i32 = 1;
const SFI_NDEF: i32 = 2;

const FILE_NONE: i32 = 0;
const FILE_CC: i32 = 1;
const FILE_NDEF: i32 = 2;

let selectedFile: i32 = FILE_NONE;
let staging = false;

function dropStaging(): void {
  staging = false;
  releaseStaging(OWNER_TYPE4);
}

export function ndefAppAid(): usize {
  return NDEF_AID;
}

export function registerNdefTagApp(): i32 {
  return registerApplet(NDEF_AID, 7, handleNdefApdu, resetNdefApp);
}

/** The app stops being current (another applet, field off): drop selection and unfinished writes. */
export function resetNdefApp(): void {
  selectedFile = FILE_NONE;
  dropStaging();
  resetMirrorSession();
}

function fileSize(file: i32): i32 {
  return file == FILE_CC ? CC_SIZE : NDEF_FILE_SIZE;
}

function p2Acceptable(buf: usize): bool {
  const p2 = load<u8>(buf + 3);
  return p2 == P2_FIRST_FCI || p2 == P2_NO_DATA;
}

function selectFile(buf: usize, len: i32): i32 {
  if (load<u8>(buf + 2) != P1_BY_FID || !p2Acceptable(buf)) return putSw(buf, 0, SW_WRONG_P1P2);
  // Case 3 (Lc=02 FID) or case 4 (plus one Le byte).
  if (len < 7 || load<u8>(buf + 4) != 2 || len > 8) return putSw(buf, 0, SW_WRONG_LENGTH);
  const fid = (<u32>load<u8>(buf + 5) << 8) | <u32>load<u8>(buf + 6);
  let file = FILE_NONE;
  if (fid == FID_CC) file = FILE_CC;
  else if (fid == FID_NDEF) file = FILE_NDEF;
  else return putSw(buf, 0, SW_NOT_FOUND);
  selectedFile = file;
  dropStaging();
  resetMirrorSession();
  return putSw(buf, 0, SW_OK);
}

/** Resolves P1/P2 to (file, offset) in the globals below; a status word on failure, else 0. */
let targetFile: i32 = FILE_NONE;
let targetOffset: i32 = 0;
function resolveTarget(buf: usize): u32 {
  const p1 = <i32>load<u8>(buf + 2);
  const p2 = <i32>load<u8>(buf + 3);
  if ((p1 & 0x80) != 0) {
    // P1 = 100x xxxx: short file id in the low 5 bits (bits 6-5 must be 0), P2 = offset.
    if ((p1 & 0x60) != 0) return SW_WRONG_P1P2;
    const sfi = p1 & 0x1f;
    if (sfi == SFI_CC) targetFile = FILE_CC;
    else if (sfi == SFI_NDEF) targetFile = FILE_NDEF;
    else return SW_NOT_FOUND;
    if (targetFile != selectedFile) {
      // Selecting by SFI makes the file current, like a SELECT.
      selectedFile = targetFile;
      dropStaging();
      resetMirrorSession();
    }
    targetOffset = p2;
    return 0;
  }
  if (selectedFile == FILE_NONE) return SW_NOT_ALLOWED;
  targetFile = selectedFile;
  targetOffset = (p1 << 8) | p2;
  return 0;
}

function readBinary(buf: usize, len: i32): i32 {
  // Case 2 only: CLA INS P1 P2 Le.
  if (len != 5) return putSw(buf, 0, SW_WRONG_LENGTH);
  const problem = resolveTarget(buf);
  if (problem != 0) return putSw(buf, 0, problem);
  const size = fileSize(targetFile);
  if (targetOffset >= size) return putSw(buf, 0, SW_OFFSET);
  let le = <i32>load<u8>(buf + 4);
  if (le == 0) le = 256;
  const n = le < size - targetOffset ? le : size - targetOffset;
  if (targetFile == FILE_CC) {
    copyWords(buf, ccFile() + <usize>targetOffset, n);
    return putSw(buf, n, SW_OK);
  }
  // buf holds the command, which is fully parsed by now.
  const sw = readServed(buf, targetOffset, n);
  if (sw != SW_OK) return putSw(buf, 0, sw);
  return putSw(buf, n, SW_OK);
}

function updateBinary(buf: usize, len: i32): i32 {
  // Case 3 only: CLA INS P1 P2 Lc data, Lc >= 1, nothing after the data.
  if (len < 6) return putSw(buf, 0, SW_WRONG_LENGTH);
  const lc = <i32>load<u8>(buf + 4);
  if (lc == 0 || len != 5 + lc) return putSw(buf, 0, SW_WRONG_LENGTH);
  const problem = resolveTarget(buf);
  if (problem != 0) return putSw(buf, 0, problem);
  if (targetFile != FILE_NDEF || !tagWritable()) return putSw(buf, 0, SW_NOT_ALLOWED);
  if (targetOffset + lc > NDEF_FILE_SIZE) return putSw(buf, 0, SW_OFFSET);
  const staged = stagingBuffer();
  if (!staging) {
    // The host may be building a message in the shared buffer (ndef.build): a defined refusal.
    if (!claimStaging(OWNER_TYPE4)) return putSw(buf, 0, SW_NOT_ALLOWED);
    copyWords(staged, ndefFile(), NDEF_FILE_SIZE);
    staging = true;
  }
  copyWords(staged + <usize>targetOffset, buf + 5, lc);
  if (targetOffset == 0 && lc >= 2) {
    const nlen = (<i32>load<u8>(staged) << 8) | <i32>load<u8>(staged + 1);
    if (nlen > NDEF_FILE_SIZE - 2) {
      dropStaging();
      return putSw(buf, 0, SW_WRONG_DATA);
    }
    // NLEN 0000 starts a write; a non-zero NLEN at offset 0 finishes it: commit atomically.
    // The store keeps it first (tag-persist.ts): a refused or cut save leaves the old message.
    if (nlen > 0) {
      const saved = saveTag(staged + 2, nlen);
      if (saved >= 0) commitNdefFile(staged);
      dropStaging();
      if (saved < 0) return putSw(buf, 0, SW_MEMORY);
    }
  }
  return putSw(buf, 0, SW_OK);
}

function handleNdefApdu(buf: usize, len: i32, selecting: bool): i32 {
  if (selecting) {
    resetNdefApp();
    if (!p2Acceptable(buf)) return putSw(buf, 0, SW_WRONG_P1P2);
    // SELECT AID: Lc=07 AID, optionally one Le byte; NTAG 424 returns no FCI either way.
    if (len > 5 + 7 + 1) return putSw(buf, 0, SW_WRONG_LENGTH);
    return putSw(buf, 0, SW_OK);
  }
  const ins = load<u8>(buf + 1);
  if (ins == INS_SELECT) return selectFile(buf, len);
  if (ins == INS_READ) return readBinary(buf, len);
  if (ins == INS_UPDATE) return updateBinary(buf, len);
  return putSw(buf, 0, SW_INS);
}
