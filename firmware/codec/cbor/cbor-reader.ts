// The firmware's one CBOR reader, in two modes over the same head reader (no allocation;
// results are left in module state):
// - request bodies (docs/link-protocol.md): validateBody() checks once that the body is
//   exactly one map with text keys, no duplicate keys, definite lengths only, no floats, no
//   tags, no simple values other than false/true/null, valid UTF-8 in text (unsorted keys
//   and non-shortest heads are fine there); handlers then look arguments up with findArg().
// - signed structures (COSE_Sign1, certificates, vouchers, sync tokens; docs/vouchers.md):
//   cursorAt() reads one item at a time and refuses non-shortest heads and indefinite
//   lengths, so what is accepted has the one deterministic byte form settlement expects.
// Both modes share one cursor: findArg() and cursorAt() each start it afresh, so they may
// alternate, but an enterArray()/nextItem() walk must not be interrupted by the other mode.

const MAX_DEPTH: i32 = 16;

export const KIND_UINT: i32 = 0;
export const KIND_NEGINT: i32 = 1;
export const KIND_BYTES: i32 = 2;
export const KIND_TEXT: i32 = 3;
export const KIND_ARRAY: i32 = 4;
export const KIND_MAP: i32 = 5;
export const KIND_FALSE: i32 = 20;
export const KIND_TRUE: i32 = 21;
export const KIND_NULL: i32 = 22;

// Read cursor and the last head read.
let rp: usize = 0;
let re: usize = 0;
let headMajor: i32 = 0;
let headInfo: i32 = 0;
let headArg: u64 = 0;
// Signed-structure mode: a head whose argument fits a shorter form is malformed.
let shortestOnly = false;

// The validated body.
let bodyStart: usize = 0;
let bodyEnd: usize = 0;

// The argument found by findArg / nextItem.
import { textByte } from "../../lib/text";
let argKindValue: i32 = -1;
let argValueU64: u64 = 0;
let argPtrValue: usize = 0;
let argLenValue: i32 = 0;

function readHead(): bool {
  if (rp >= re) return false;
  const b = <i32>load<u8>(rp);
  rp++;
  headMajor = b >> 5;
  headInfo = b & 31;
  if (headInfo < 24) {
    headArg = <u64>headInfo;
    return true;
  }
  if (headInfo > 27) return false; // 28..30 reserved, 31 indefinite length or break
  const extra = 1 << (headInfo - 24);
  if (<usize>extra > re - rp) return false;
  let v: u64 = 0;
  for (let i = 0; i < extra; i++) {
    v = (v << 8) | <u64>load<u8>(rp);
    rp++;
  }
  // Shortest form: each width only for values that do not fit the one below.
  if (shortestOnly && v < (extra == 1 ? 24 : extra == 2 ? 0x100 : extra == 4 ? 0x10000 : <u64>0x100000000)) return false;
  headArg = v;
  return true;
}

function validUtf8(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let cp: u32 = 0;
    let min: u32 = 0;
    if ((c & 0xe0) == 0xc0) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else return false;
    if (n - i - 1 < need) return false;
    for (let k = 1; k <= need; k++) {
      const b = <u32>load<u8>(p + i + k);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** Reads a text string head and checks its payload fits; leaves rp after the payload. */
function readTextKey(): bool {
  if (!readHead() || headMajor != 3) return false;
  if (headArg > <u64>(re - rp)) return false;
  const len = <i32>headArg;
  if (!validUtf8(rp, len)) return false;
  argPtrValue = rp;
  argLenValue = len;
  rp += <usize>len;
  return true;
}

/** True when one of the first `count` keys of the map whose pairs start at `pairs` equals the key at (kp, kl). */
function earlierKeyEquals(pairs: usize, count: i32, kp: usize, kl: i32): bool {
  const saved = rp;
  rp = pairs;
  let found = false;
  for (let j = 0; j < count; j++) {
    readTextKey();
    if (argLenValue == kl && memory.compare(argPtrValue, kp, <usize>kl) == 0) {
      found = true;
      break;
    }
    skipItem(0);
  }
  rp = saved;
  return found;
}

/** Skips one well-formed data item that obeys the decoder rules; false if it does not. */
function skipItem(depth: i32): bool {
  if (depth > MAX_DEPTH || !readHead()) return false;
  const major = headMajor;
  const arg = headArg;
  switch (major) {
    case 0:
    case 1:
      return true;
    case 2:
      if (arg > <u64>(re - rp)) return false;
      rp += <usize>arg;
      return true;
    case 3: {
      if (arg > <u64>(re - rp)) return false;
      const ok = validUtf8(rp, <i32>arg);
      rp += <usize>arg;
      return ok;
    }
    case 4: {
      // Every item takes at least a byte: a count beyond the remaining bytes is malformed.
      if (arg > <u64>(re - rp)) return false;
      const n = <i32>arg;
      for (let i = 0; i < n; i++) if (!skipItem(depth + 1)) return false;
      return true;
    }
    case 5: {
      if (arg > <u64>((re - rp) >> 1)) return false;
      const n = <i32>arg;
      const pairs = rp;
      for (let i = 0; i < n; i++) {
        if (!readTextKey()) return false;
        if (earlierKeyEquals(pairs, i, argPtrValue, argLenValue)) return false;
        if (!skipItem(depth + 1)) return false;
      }
      return true;
    }
    case 7:
      // Only false, true, null: floats (25..27) and other simple values are refused.
      return headInfo >= 20 && headInfo <= 22;
    default:
      return false; // tags (6)
  }
}

/**
 * Checks that [ptr, ptr+len) is exactly one CBOR map obeying the decoder rules, or empty
 * (an empty body means {}). Keeps it as the body for findArg.
 */
export function validateBody(ptr: usize, len: i32): bool {
  shortestOnly = false;
  bodyStart = ptr;
  bodyEnd = ptr + (len > 0 ? <usize>len : 0);
  if (len <= 0) return true;
  rp = ptr;
  re = bodyEnd;
  if ((<i32>load<u8>(ptr) >> 5) != 5) return false;
  if (!skipItem(0)) return false;
  return rp == re;
}

/** Loads the item at rp into the arg state (the item is already validated). */
function loadItem(): void {
  readHead();
  argValueU64 = headArg;
  argPtrValue = rp;
  argLenValue = 0;
  if (headMajor == 7) {
    argKindValue = headInfo;
  } else {
    argKindValue = headMajor;
    if (headMajor == 2 || headMajor == 3) argLenValue = <i32>headArg;
  }
}

/** Looks up `key` (ASCII) in the validated body; on success argKind() etc. describe the value. */
export function findArg(key: string): bool {
  argKindValue = -1;
  if (bodyEnd <= bodyStart) return false;
  shortestOnly = false;
  rp = bodyStart;
  re = bodyEnd;
  readHead();
  const n = <i32>headArg;
  for (let i = 0; i < n; i++) {
    readTextKey();
    let same = argLenValue == key.length;
    for (let k = 0; same && k < argLenValue; k++) {
      if (<i32>load<u8>(argPtrValue + k) != textByte(key, k)) same = false;
    }
    if (same) {
      loadItem();
      return true;
    }
    skipItem(0);
  }
  return false;
}

/** Steps into the array found by findArg: nextItem() then reads its items in order. */
export function enterArray(): void {
  rp = argPtrValue;
  re = bodyEnd;
}

export function nextItem(): void {
  const at = rp;
  loadItem();
  // Leave the cursor after the whole item, whatever it holds.
  rp = at;
  skipItem(0);
}

export function argKind(): i32 {
  return argKindValue;
}

export function argUint(): u64 {
  return argValueU64;
}

export function argPtr(): usize {
  return argPtrValue;
}

export function argLen(): i32 {
  return argLenValue;
}

// ---- signed structures: one item at a time, shortest heads only ----

let stringData: usize = 0;

export function cursorAt(ptr: usize, len: i32): void {
  shortestOnly = true;
  rp = ptr;
  re = ptr + <usize>len;
}

export function cursorPos(): usize {
  return rp;
}

export function cursorDone(): bool {
  return rp == re;
}

/** Unsigned integer below 2^32, or -1. */
export function readUint(): i64 {
  if (!readHead() || headMajor != 0 || headArg > 0xffffffff) return -1;
  return <i64>headArg;
}

/** Unsigned integer of any width: true and its value in uintValue(), or false. */
export function readUint64(): bool {
  return readHead() && headMajor == 0;
}

export function uintValue(): u64 {
  return headArg;
}

/** A negative integer's value (e.g. COSE alg -8), or 0 when the item is not one. */
export function readNegInt(): i32 {
  if (!readHead() || headMajor != 1 || headArg > 0xff) return 0;
  return -1 - <i32>headArg;
}

/** Byte string (major 2) or text (3): its length, data at stringPtr(); or -1. */
export function readString(wantMajor: i32): i32 {
  if (!readHead() || headMajor != wantMajor || headArg > <u64>(re - rp)) return -1;
  const n = <i32>headArg;
  stringData = rp;
  rp += <usize>n;
  return n;
}

/** Where the data of the last readString starts. */
export function stringPtr(): usize {
  return stringData;
}

/** Array (4) or map (5) head: its item / pair count, or -1. */
export function readContainer(wantMajor: i32): i32 {
  if (!readHead() || headMajor != wantMajor || headArg > 64) return -1;
  return <i32>headArg;
}

/** Map key: small unsigned integer strictly above `previous` (deterministic order), or -1. */
export function readKey(previous: i32): i32 {
  const k = readUint();
  return k > <i64>previous && k < 64 ? <i32>k : -1;
}
