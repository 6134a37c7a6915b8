// The tag's content as Type 4 files: the NDEF file (NLEN big-endian || message, fixed size
// NDEF_FILE_SIZE like a real tag's EF, bytes past the message read as 00) and the 15-byte
// capability container built from it. Both tag personalities (Type 4 and Type 2) serve the
// message kept here; the dynamic mirrors (sun-mirror.ts) overlay a copy of it.

/** Max NDEF file size advertised in the CC, NLEN included (mapping 2.0 allows 5..7FFF). */
export const NDEF_FILE_SIZE: i32 = 1024;
export const NDEF_MESSAGE_CAP: i32 = NDEF_FILE_SIZE - 2;
export const CC_SIZE: i32 = 15;
export const FID_CC: u32 = 0xe103;
export const FID_NDEF: u32 = 0xe104;
/** MLe and MLc: 255 avoids Android's Le=00 quirk and extended APDUs (notes §1.3). */
const MLE: i32 = 0xff;
const MLC: i32 = 0xff;
const ACCESS_FREE: u8 = 0x00;
const ACCESS_NONE: u8 = 0xff;

const FILE = memory.data(NDEF_FILE_SIZE);
const CC = memory.data(CC_SIZE);
let writable = false;
// Bumped whenever the message changes, so copies (Type 2 image, mirrored file) know to rebuild.
let generation: u32 = 1;

// The empty-but-valid default: NLEN 0000 ("initialized" tag). A reader sees no records.
export function ndefFile(): usize {
  return FILE;
}

export function ndefMessageLen(): i32 {
  return (<i32>load<u8>(FILE) << 8) | <i32>load<u8>(FILE + 1);
}

export function ndefMessage(): usize {
  return FILE + 2;
}

export function contentGeneration(): u32 {
  return generation;
}

/** Replaces the message; false when it does not fit. */
export function setNdefMessage(ptr: usize, len: i32): bool {
  if (len < 0 || len > NDEF_MESSAGE_CAP) return false;
  memory.copy(FILE + 2, ptr, <usize>len);
  memory.fill(FILE + 2 + <usize>len, 0, <usize>(NDEF_MESSAGE_CAP - len));
  store<u8>(FILE, <u8>(len >> 8));
  store<u8>(FILE + 1, <u8>len);
  generation++;
  return true;
}

/** Replaces the whole file (NLEN included) from a staged copy; the caller checked NLEN. */
export function commitNdefFile(staged: usize): void {
  memory.copy(FILE, staged, <usize>NDEF_FILE_SIZE);
  generation++;
}

export function setWritable(on: bool): void {
  writable = on;
}

export function tagWritable(): bool {
  return writable;
}

/** The CC for the current configuration: `00 0F 20 00 FF 00 FF 04 06 E1 04 04 00 00 WW`. */
export function ccFile(): usize {
  store<u8>(CC, 0x00);
  store<u8>(CC + 1, <u8>CC_SIZE);
  store<u8>(CC + 2, 0x20); // mapping 2.0
  store<u8>(CC + 3, <u8>(MLE >> 8));
  store<u8>(CC + 4, <u8>MLE);
  store<u8>(CC + 5, <u8>(MLC >> 8));
  store<u8>(CC + 6, <u8>MLC);
  store<u8>(CC + 7, 0x04); // NDEF-File_Ctrl_TLV, first TLV as Android expects
  store<u8>(CC + 8, 0x06);
  store<u8>(CC + 9, <u8>(FID_NDEF >> 8));
  store<u8>(CC + 10, <u8>FID_NDEF);
  store<u8>(CC + 11, <u8>(NDEF_FILE_SIZE >> 8));
  store<u8>(CC + 12, <u8>NDEF_FILE_SIZE);
  store<u8>(CC + 13, ACCESS_FREE);
  store<u8>(CC + 14, writable ? ACCESS_FREE : ACCESS_NONE);
  return CC;
}
