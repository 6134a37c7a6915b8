// Who this device is, as text for hello/info/log: the firmware version ("0.1.0", from the
// build constants) and the shell's name and version (asked once from hal.shell_version).
import { shell_version } from "./hal/system";
import { FW_MAJOR, FW_MINOR, FW_PATCH } from "./board";
import { writeDecimal } from "./lib/bytes";

const FW_TEXT = memory.data(40);
let fwLen: i32 = 0;
const SHELL_CAP: i32 = 64;
const SHELL_TEXT = memory.data(SHELL_CAP);
let shellLen: i32 = 0;

export function loadIdentity(): void {
  let n = writeDecimal(FW_TEXT, <u32>FW_MAJOR);
  store<u8>(FW_TEXT + n, 0x2e);
  n++;
  n += writeDecimal(FW_TEXT + n, <u32>FW_MINOR);
  store<u8>(FW_TEXT + n, 0x2e);
  n++;
  n += writeDecimal(FW_TEXT + n, <u32>FW_PATCH);
  fwLen = n;
  const got = shell_version(SHELL_TEXT, SHELL_CAP);
  // A shell that fails or overstates the length is reported as an empty name.
  shellLen = got > 0 && got <= SHELL_CAP ? got : 0;
}

export function fwVersionPtr(): usize {
  return FW_TEXT;
}

export function fwVersionLen(): i32 {
  return fwLen;
}

export function shellVersionPtr(): usize {
  return SHELL_TEXT;
}

export function shellVersionLen(): i32 {
  return shellLen;
}
