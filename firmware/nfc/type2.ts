// Type 2 Tag personality (NTAG216-like memory) for low-cost plaques: pages 0-2 hold the UID,
// BCC bytes and the internal byte, page 3 the capability container E1 10 6D 00 (read/write)
// or E1 10 6D 0F (read-only), pages 4.. the TLV area `03 len message FE` made from the same
// NDEF message the Type 4 tag serves. The memory is virtual (computed from the NDEF file)
// until a reader writes: then it lives in the shared staging buffer for the rest of the
// field, and a write that leaves a complete non-empty NDEF TLV commits that message.
// Commands: READ 30 (16 bytes, rolling over to page 0 past the end), FAST_READ 3A (up to 64
// pages), WRITE A2 (data pages of writable tags). Anything else: NAK 0.
import { NDEF_MESSAGE_CAP, ndefMessage, ndefMessageLen, setNdefMessage, tagWritable } from "./ndef-file";
import { tagUid } from "./personality";
import { OWNER_TYPE2, claimStaging, releaseStaging, stagingBuffer, stagingOwner } from "./write-staging";

const CMD_READ: u8 = 0x30;
const CMD_FAST_READ: u8 = 0x3a;
const CMD_WRITE: u8 = 0xa2;
const ACK: u8 = 0x0a;
const NAK_INVALID: u8 = 0x00;

/** Data area announced in the CC (size byte * 8), as NTAG216: 872 bytes. */
const DATA_AREA: i32 = 0x6d * 8;
const HEADER: i32 = 16;
const IMAGE_SIZE: i32 = HEADER + DATA_AREA;
export const T2T_PAGES: i32 = IMAGE_SIZE / 4;
const FIRST_DATA_PAGE: i32 = 4;
const FAST_READ_MAX_PAGES: i32 = 64;
const TLV_NDEF: u8 = 0x03;
const TLV_TERMINATOR: u8 = 0xfe;
const TLV_NULL: u8 = 0x00;

function staged(): bool {
  return stagingOwner() == OWNER_TYPE2;
}

function headerByte(a: i32): u8 {
  const uid = tagUid();
  if (a < 3) return load<u8>(uid + <usize>a);
  // BCC0 = 88 ^ UID0 ^ UID1 ^ UID2, BCC1 = UID3 ^ .. ^ UID6 (ISO 14443-3).
  if (a == 3) return 0x88 ^ load<u8>(uid) ^ load<u8>(uid + 1) ^ load<u8>(uid + 2);
  if (a < 8) return load<u8>(uid + <usize>(a - 1));
  if (a == 8) return load<u8>(uid + 3) ^ load<u8>(uid + 4) ^ load<u8>(uid + 5) ^ load<u8>(uid + 6);
  if (a == 9) return 0x48; // internal byte as on NTAG21x
  if (a == 12) return 0xe1;
  if (a == 13) return 0x10;
  if (a == 14) return <u8>(DATA_AREA / 8);
  if (a == 15) return tagWritable() ? 0x00 : 0x0f;
  return 0; // static lock bytes: unlocked
}

/** Byte `a` of the tag memory as a reader sees it. */
function imageByte(a: i32): u8 {
  if (staged()) return load<u8>(stagingBuffer() + <usize>a);
  if (a < HEADER) return headerByte(a);
  const len = ndefMessageLen();
  const n = len + 5 <= DATA_AREA ? len : 0;
  const head = n < 0xff ? 2 : 4;
  const d = a - HEADER;
  if (d == 0) return TLV_NDEF;
  if (d < head) {
    if (head == 2) return <u8>n;
    return d == 1 ? 0xff : d == 2 ? <u8>(n >> 8) : <u8>n;
  }
  if (d < head + n) return load<u8>(ndefMessage() + <usize>(d - head));
  return d == head + n ? TLV_TERMINATOR : 0;
}

/** Field off: unfinished writes are dropped, the committed message stays. */
export function resetT2tSession(): void {
  releaseStaging(OWNER_TYPE2);
}

/** After a WRITE: if the TLV area holds a complete, non-empty NDEF TLV, make it the tag's message. */
function commitIfComplete(image: usize): void {
  let at = HEADER;
  while (at < IMAGE_SIZE && load<u8>(image + <usize>at) == TLV_NULL) at++;
  if (at + 2 > IMAGE_SIZE || load<u8>(image + <usize>at) != TLV_NDEF) return;
  let len = <i32>load<u8>(image + <usize>at + 1);
  let body = at + 2;
  if (len == 0xff) {
    if (at + 4 > IMAGE_SIZE) return;
    len = (<i32>load<u8>(image + <usize>at + 2) << 8) | <i32>load<u8>(image + <usize>at + 3);
    body = at + 4;
  }
  if (len == 0 || len > NDEF_MESSAGE_CAP || body + len > IMAGE_SIZE) return;
  setNdefMessage(image + <usize>body, len);
}

function nak(buf: usize): i32 {
  store<u8>(buf, NAK_INVALID);
  return 1;
}

function copyPages(buf: usize, first: i32, count: i32): void {
  for (let i = 0; i < count * 4; i++) store<u8>(buf + <usize>i, imageByte(((first * 4 + i) % IMAGE_SIZE)));
}

/** Handles the Type 2 command of `len` bytes at `buf`; writes the response there, returns its length. */
export function handleT2t(buf: usize, len: i32): i32 {
  if (len < 1) return nak(buf);
  const cmd = load<u8>(buf);
  if (cmd == CMD_READ) {
    if (len != 2) return nak(buf);
    const page = <i32>load<u8>(buf + 1);
    if (page >= T2T_PAGES) return nak(buf);
    copyPages(buf, page, 4);
    return 16;
  }
  if (cmd == CMD_FAST_READ) {
    if (len != 3) return nak(buf);
    const first = <i32>load<u8>(buf + 1);
    const last = <i32>load<u8>(buf + 2);
    // At most 64 pages (256 bytes): the answer must fit every caller's buffer (the
    // nfc-test channel's scratch is 512 bytes).
    if (first > last || last >= T2T_PAGES || last - first >= FAST_READ_MAX_PAGES) return nak(buf);
    copyPages(buf, first, last - first + 1);
    return (last - first + 1) * 4;
  }
  if (cmd == CMD_WRITE) {
    if (len != 6) return nak(buf);
    const page = <i32>load<u8>(buf + 1);
    if (page < FIRST_DATA_PAGE || page >= T2T_PAGES || !tagWritable()) return nak(buf);
    const image = stagingBuffer();
    if (!staged()) {
      if (!claimStaging(OWNER_TYPE2)) return nak(buf);
      // Materialise the virtual memory once: later writes and reads use this copy.
      releaseStaging(OWNER_TYPE2);
      for (let a = 0; a < IMAGE_SIZE; a++) store<u8>(image + <usize>a, imageByte(a));
      claimStaging(OWNER_TYPE2);
    }
    memory.copy(image + <usize>(4 * page), buf + 2, 4);
    commitIfComplete(image);
    store<u8>(buf, ACK);
    return 1;
  }
  return nak(buf);
}
