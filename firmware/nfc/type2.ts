// Type 2 Tag personality (NTAG216-like memory) for low-cost plaques: pages 0-2 hold the UID,
// BCC bytes and lock bytes, page 3 the capability container E1 10 6D 00 (read/write) or
// E1 10 6D 0F (read-only), pages 4.. the TLV area `03 len message FE` built from the same
// NDEF message the Type 4 tag serves. Commands: READ 30 (16 bytes, rolling over to page 0
// past the end), FAST_READ 3A (up to 64 pages), WRITE A2 (data pages only, writable tags only; a write that
// leaves a complete non-empty NDEF TLV commits the message). Anything else: NAK 0.
import { NDEF_MESSAGE_CAP, contentGeneration, ndefMessage, ndefMessageLen, setNdefMessage, tagWritable } from "./ndef-file";
import { tagUid } from "./personality";

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
const TLV_NDEF: u8 = 0x03;
const TLV_TERMINATOR: u8 = 0xfe;
const TLV_NULL: u8 = 0x00;
const FAST_READ_MAX_PAGES: i32 = 64;

const IMAGE = memory.data(IMAGE_SIZE);
let imageGeneration: u32 = 0;
let imageWritable = false;

function buildImage(): void {
  const uid = tagUid();
  memory.fill(IMAGE, 0, <usize>IMAGE_SIZE);
  // UID0..2, BCC0 = 88 ^ UID0 ^ UID1 ^ UID2, UID3..6, BCC1 = UID3 ^ .. ^ UID6 (ISO 14443-3).
  memory.copy(IMAGE, uid, 3);
  store<u8>(IMAGE + 3, 0x88 ^ load<u8>(uid) ^ load<u8>(uid + 1) ^ load<u8>(uid + 2));
  memory.copy(IMAGE + 4, uid + 3, 4);
  store<u8>(IMAGE + 8, load<u8>(uid + 3) ^ load<u8>(uid + 4) ^ load<u8>(uid + 5) ^ load<u8>(uid + 6));
  store<u8>(IMAGE + 9, 0x48); // internal byte as on NTAG21x
  store<u8>(IMAGE + 12, 0xe1);
  store<u8>(IMAGE + 13, 0x10);
  store<u8>(IMAGE + 14, <u8>(DATA_AREA / 8));
  store<u8>(IMAGE + 15, tagWritable() ? 0x00 : 0x0f);
  const len = ndefMessageLen();
  let at = HEADER;
  const fits = len + 5 <= DATA_AREA;
  const n = fits ? len : 0;
  store<u8>(IMAGE + <usize>(at++), TLV_NDEF);
  if (n < 0xff) {
    store<u8>(IMAGE + <usize>(at++), <u8>n);
  } else {
    store<u8>(IMAGE + <usize>(at++), 0xff);
    store<u8>(IMAGE + <usize>(at++), <u8>(n >> 8));
    store<u8>(IMAGE + <usize>(at++), <u8>n);
  }
  memory.copy(IMAGE + <usize>at, ndefMessage(), <usize>n);
  store<u8>(IMAGE + <usize>(at + n), TLV_TERMINATOR);
  imageGeneration = contentGeneration();
  imageWritable = tagWritable();
}

function ensureImage(): void {
  if (imageGeneration != contentGeneration() || imageWritable != tagWritable()) buildImage();
}

/** After a WRITE: if the TLV area holds a complete, non-empty NDEF TLV, make it the tag's message. */
function commitIfComplete(): void {
  let at = HEADER;
  const end = IMAGE_SIZE;
  while (at < end && load<u8>(IMAGE + <usize>at) == TLV_NULL) at++;
  if (at + 2 > end || load<u8>(IMAGE + <usize>at) != TLV_NDEF) return;
  let len = <i32>load<u8>(IMAGE + <usize>at + 1);
  let body = at + 2;
  if (len == 0xff) {
    if (at + 4 > end) return;
    len = (<i32>load<u8>(IMAGE + <usize>at + 2) << 8) | <i32>load<u8>(IMAGE + <usize>at + 3);
    body = at + 4;
  }
  if (len == 0 || len > NDEF_MESSAGE_CAP || body + len > end) return;
  setNdefMessage(IMAGE + <usize>body, len);
  // Our own write produced this content: keep the image as the writer left it.
  imageGeneration = contentGeneration();
}

function nak(buf: usize): i32 {
  store<u8>(buf, NAK_INVALID);
  return 1;
}

/** Handles the Type 2 command of `len` bytes at `buf`; writes the response there, returns its length. */
export function handleT2t(buf: usize, len: i32): i32 {
  if (len < 1) return nak(buf);
  ensureImage();
  const cmd = load<u8>(buf);
  if (cmd == CMD_READ) {
    if (len != 2) return nak(buf);
    const page = <i32>load<u8>(buf + 1);
    if (page >= T2T_PAGES) return nak(buf);
    for (let i = 0; i < 4; i++) {
      const p = (page + i) % T2T_PAGES;
      memory.copy(buf + <usize>(4 * i), IMAGE + <usize>(4 * p), 4);
    }
    return 16;
  }
  if (cmd == CMD_FAST_READ) {
    if (len != 3) return nak(buf);
    const first = <i32>load<u8>(buf + 1);
    const last = <i32>load<u8>(buf + 2);
    // At most 64 pages (256 bytes): the answer must fit every caller's buffer (the
    // nfc-test channel's scratch is 512 bytes).
    if (first > last || last >= T2T_PAGES || last - first >= FAST_READ_MAX_PAGES) return nak(buf);
    const n = (last - first + 1) * 4;
    memory.copy(buf, IMAGE + <usize>(4 * first), <usize>n);
    return n;
  }
  if (cmd == CMD_WRITE) {
    if (len != 6) return nak(buf);
    const page = <i32>load<u8>(buf + 1);
    if (page < FIRST_DATA_PAGE || page >= T2T_PAGES || !tagWritable()) return nak(buf);
    memory.copy(IMAGE + <usize>(4 * page), buf + 2, 4);
    commitIfComplete();
    store<u8>(buf, ACK);
    return 1;
  }
  return nak(buf);
}
