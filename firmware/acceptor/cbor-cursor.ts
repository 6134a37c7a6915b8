// A strict read cursor over signed CBOR (certificates, vouchers) held in place in the
// request buffer: it only accepts shortest-form heads and definite lengths, so what the
// acceptor stores is the one deterministic byte form settlement expects (docs/vouchers.md).
// Module state, no allocation; one structure is read at a time.

let pos: usize = 0;
let end: usize = 0;
let major: i32 = 0;
let arg: u64 = 0;

export function cursorAt(ptr: usize, len: i32): void {
  pos = ptr;
  end = ptr + <usize>len;
}

export function cursorPos(): usize {
  return pos;
}

export function cursorDone(): bool {
  return pos == end;
}

/** Reads one head; false on truncation, indefinite length, reserved info or a non-shortest argument. */
function head(): bool {
  if (pos >= end) return false;
  const b = <i32>load<u8>(pos++);
  major = b >> 5;
  const info = b & 31;
  if (info < 24) {
    arg = <u64>info;
    return true;
  }
  if (info > 27) return false;
  const n = 1 << (info - 24);
  if (<usize>n > end - pos) return false;
  let v: u64 = 0;
  for (let i = 0; i < n; i++) v = (v << 8) | <u64>load<u8>(pos++);
  // Shortest form: each width only for values that do not fit the one below.
  const min: u64 = n == 1 ? 24 : n == 2 ? 0x100 : n == 4 ? 0x10000 : 0x100000000;
  if (v < min) return false;
  arg = v;
  return true;
}

/** Unsigned integer, or -1. */
export function readUint(): i64 {
  if (!head() || major != 0 || arg > 0xffffffff) return -1;
  return <i64>arg;
}

/** A negative integer's value (e.g. COSE alg -8), or 0 when the item is not one. */
export function readNegInt(): i32 {
  if (!head() || major != 1 || arg > 0xff) return 0;
  return -1 - <i32>arg;
}

/** Byte string (major 2) or text (3): returns its length (data at cursorPos() before the call + head), or -1. */
export function readString(wantMajor: i32): i32 {
  if (!head() || major != wantMajor || arg > <u64>(end - pos)) return -1;
  const n = <i32>arg;
  lastData = pos;
  pos += <usize>n;
  return n;
}

let lastData: usize = 0;

/** Where the data of the last readString starts. */
export function stringPtr(): usize {
  return lastData;
}

/** Array (4) or map (5) head: its item / pair count, or -1. */
export function readContainer(wantMajor: i32): i32 {
  if (!head() || major != wantMajor || arg > 64) return -1;
  return <i32>arg;
}

/** Map key: small unsigned integer strictly above `previous` (deterministic order), or -1. */
export function readKey(previous: i32): i32 {
  const k = readUint();
  return k > <i64>previous && k < 64 ? <i32>k : -1;
}

/** The first byte of the next item without consuming it, or -1 at the end. */
export function peekByte(): i32 {
  return pos < end ? <i32>load<u8>(pos) : -1;
}
