// Finds a request's op in this board's op table (op-names.ts, generated from
// host-tools/src/ops/catalogue.ts): the one place op names are matched. The receiver uses it
// for the log channel's rule, the dispatcher (firmware/ops/dispatch.ts) for every request.
import { bytesEqual } from "../lib/bytes";
import { CHANNELS } from "./protocol";
import { opNames, opSections } from "./op-names";

/** Index of op (opPtr, opLen) on `channel` in this board's table, or -1. */
export function findOp(channel: i32, opPtr: usize, opLen: i32): i32 {
  if (channel < 0 || channel >= CHANNELS) return -1;
  let at = opNames() + <usize>load<u16>(opSections() + (<usize>channel << 1));
  for (let n = <i32>load<u8>(at); n != 0; n = <i32>load<u8>(at)) {
    if (n == opLen && bytesEqual(at + 1, opPtr, n)) return <i32>load<u8>(at + 1 + <usize>n);
    at += 2 + <usize>n;
  }
  return -1;
}
