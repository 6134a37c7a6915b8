// The Type 4 applet table: each application (NDEF tag app, wallet) registers its AID and an
// APDU handler once at boot; SELECT by AID makes one of them current, and every later APDU
// goes to the current applet until another SELECT or the field drops. Keeps type4.ts free of
// knowledge about any particular application.

/** Handles one APDU (`len` bytes at `buf`) for the selected applet; writes the response
 * (data + SW1 SW2) at `buf` and returns its length. `selecting` is true for the SELECT that
 * chose the applet, so it can answer with its FCI or 9000. */
export type AppletHandler = (buf: usize, len: i32, selecting: bool) => i32;
/** Called when the applet stops being current (another SELECT, field off). */
export type AppletReset = () => void;

const MAX_APPLETS: i32 = 4;
const MAX_AID: i32 = 16;

const AIDS = memory.data(MAX_APPLETS * MAX_AID);
const AID_LENS = memory.data(MAX_APPLETS);
// Function references are pointers to static Function objects, kept as u32 so the table
// lives in reserved memory like every other buffer (0 = none).
const HANDLERS = memory.data(MAX_APPLETS * 4);
const RESETS = memory.data(MAX_APPLETS * 4);
let count: i32 = 0;
let current: i32 = -1;

/** Registers an applet; returns its index or -1 when the table is full or the AID is bad. */
export function registerApplet(aidPtr: usize, aidLen: i32, handler: AppletHandler, onReset: AppletReset | null): i32 {
  if (count >= MAX_APPLETS || aidLen < 5 || aidLen > MAX_AID) return -1;
  memory.copy(AIDS + <usize>(count * MAX_AID), aidPtr, aidLen);
  store<u8>(AID_LENS + <usize>count, <u8>aidLen);
  store<u32>(HANDLERS + <usize>(count * 4), <u32>changetype<usize>(handler));
  store<u32>(RESETS + <usize>(count * 4), onReset ? <u32>changetype<usize>(onReset) : 0);
  return count++;
}

/** The applet whose AID equals the `len` bytes at `ptr`, or -1. */
export function findApplet(ptr: usize, len: i32): i32 {
  for (let i = 0; i < count; i++) {
    if (<i32>load<u8>(AID_LENS + <usize>i) != len) continue;
    if (memory.compare(AIDS + <usize>(i * MAX_AID), ptr, len) == 0) return i;
  }
  return -1;
}

/** Makes applet `i` current (or none with -1), resetting the one it replaces. */
export function selectApplet(i: i32): void {
  if (current >= 0 && current != i) {
    const r = load<u32>(RESETS + <usize>(current * 4));
    if (r != 0) changetype<AppletReset>(<usize>r)();
  }
  current = i;
}

export function currentApplet(): i32 {
  return current;
}

export function callApplet(i: i32, buf: usize, len: i32, selecting: bool): i32 {
  const h = load<u32>(HANDLERS + <usize>(i * 4));
  return h != 0 ? changetype<AppletHandler>(<usize>h)(buf, len, selecting) : 0;
}
