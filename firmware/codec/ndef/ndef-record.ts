// NDEF record layout (NFC Forum NDEF 1.0; notes §2.1): header flags, TNF values, and a
// writer that appends short or long records to a message buffer and sets MB/ME.

export const FLAG_MB: u8 = 0x80;
export const FLAG_ME: u8 = 0x40;
export const FLAG_CF: u8 = 0x20;
export const FLAG_SR: u8 = 0x10;
export const FLAG_IL: u8 = 0x08;

export const TNF_EMPTY: u8 = 0;
export const TNF_WELL_KNOWN: u8 = 1;
export const TNF_MIME: u8 = 2;
export const TNF_ABSOLUTE_URI: u8 = 3;
export const TNF_EXTERNAL: u8 = 4;
export const TNF_UNKNOWN: u8 = 5;
export const TNF_UNCHANGED: u8 = 6;
export const TNF_RESERVED: u8 = 7;

// The message being written.
let base: usize = 0;
let pos: i32 = 0;
let cap: i32 = 0;
let lastHeader: i32 = -1;
let overflow = false;

export function messageBegin(ptr: usize, capacity: i32): void {
  base = ptr;
  pos = 0;
  cap = capacity;
  lastHeader = -1;
  overflow = false;
}

/** Starts a record whose payload (payloadLen bytes) the caller appends with append*(). */
export function recordBegin(tnf: u8, typePtr: usize, typeLen: i32, payloadLen: i32): void {
  const short = payloadLen < 256;
  const need = 2 + (short ? 1 : 4) + typeLen;
  if (overflow || pos + need + payloadLen > cap || typeLen > 255) {
    overflow = true;
    return;
  }
  let flags = tnf | (short ? FLAG_SR : 0);
  if (lastHeader < 0) flags |= FLAG_MB;
  lastHeader = pos;
  store<u8>(base + <usize>(pos++), flags);
  store<u8>(base + <usize>(pos++), <u8>typeLen);
  if (short) {
    store<u8>(base + <usize>(pos++), <u8>payloadLen);
  } else {
    store<u8>(base + <usize>(pos++), <u8>(payloadLen >>> 24));
    store<u8>(base + <usize>(pos++), <u8>(payloadLen >>> 16));
    store<u8>(base + <usize>(pos++), <u8>(payloadLen >>> 8));
    store<u8>(base + <usize>(pos++), <u8>payloadLen);
  }
  appendBytes(typePtr, typeLen);
}

export function appendByte(b: u8): void {
  if (overflow) return;
  if (pos >= cap) {
    overflow = true;
    return;
  }
  store<u8>(base + <usize>(pos++), b);
}

export function appendBytes(ptr: usize, len: i32): void {
  if (overflow) return;
  if (pos + len > cap) {
    overflow = true;
    return;
  }
  memory.copy(base + <usize>pos, ptr, <usize>len);
  pos += len;
}

/** Sets ME on the last record; returns the message length, or -1 on overflow or no record. */
export function messageEnd(): i32 {
  if (overflow || lastHeader < 0) return -1;
  store<u8>(base + <usize>lastHeader, load<u8>(base + <usize>lastHeader) | FLAG_ME);
  return pos;
}

export function messagePos(): i32 {
  return pos;
}
