// The firmware's `abort` (wired with `--use abort=firmware/hal/panic/onAbort`): formats
// "msg at file:line:col" as UTF-8 in a static buffer and hands it to hal.panic, so a crash
// reaches the shell with a reason instead of an `env.abort` import the device lacks.
import { panic } from "./system";
import { textByte } from "../lib/text";

const CAP: i32 = 256;
const BUF = memory.data(CAP);
let len: i32 = 0;

function putByte(b: u32): void {
  if (len < CAP) {
    store<u8>(BUF + len, <u8>b);
    len++;
  }
}

function putString(s: string | null): void {
  if (s === null) {
    putString("?");
    return;
  }
  const text = changetype<string>(s);
  for (let i = 0; i < text.length; i++) {
    putByte(<u32>textByte(text, i));
  }
}

function putDecimal(v: u32): void {
  let div: u32 = 1000000000;
  let started = false;
  while (div > 0) {
    const d = v / div;
    if (d != 0 || started || div == 1) {
      putByte(0x30 + d);
      started = true;
    }
    v %= div;
    div /= 10;
  }
}

export function onAbort(msg: string | null, file: string | null, line: u32, col: u32): void {
  len = 0;
  putString(msg);
  putString(" at ");
  putString(file);
  putByte(0x3a);
  putDecimal(line);
  putByte(0x3a);
  putDecimal(col);
  panic(BUF, len);
  // hal.panic does not return; if a shell lets it, stop here rather than run on.
  unreachable();
}
