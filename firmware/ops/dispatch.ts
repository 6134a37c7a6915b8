// Runs a link request's op (the receiver's request handler): finds it in this board's op
// table (firmware/link/op-lookup.ts), checks that it is served in the device's lifecycle
// state, and runs its handler (op-handlers.ts). Both tables are generated from
// host-tools/src/ops/catalogue.ts by `tapkit build`.
import { CHANNELS } from "../link/protocol";
import { OK, UNKNOWN_CHANNEL, UNKNOWN_OP, UNSUPPORTED, fail, failureMessage } from "../link/status";
import { findOp } from "../link/op-lookup";
import { ALL_STATES_SERVED, opStates, unknownOpMessage } from "../link/op-names";
import { lifecycleState } from "../app/device-mode";
import { runOp } from "./op-handlers";
import { noteOpRefused } from "../log/refusal-log";

/** OK with the result encoded, or a failure status. */
export function dispatchRequest(channel: i32, opPtr: usize, opLen: i32): i32 {
  const status = dispatchOp(channel, opPtr, opLen);
  // Every refusal is kept for `tapkit doctor` (log/refusal-log.ts).
  if (status != OK) noteOpRefused(opPtr, opLen, status, failureMessage());
  return status;
}

function dispatchOp(channel: i32, opPtr: usize, opLen: i32): i32 {
  const index = findOp(channel, opPtr, opLen);
  if (index < 0) return channel < CHANNELS ? fail(UNKNOWN_OP, unknownOpMessage(channel)) : fail(UNKNOWN_CHANNEL, "no such channel");
  // Constant while every op is served in every state: then the check is not compiled.
  if (!ALL_STATES_SERVED && (<i32>load<u8>(opStates() + <usize>index) & (1 << lifecycleState())) == 0) {
    return fail(UNSUPPORTED, "not served in this device state (blank, demo, provisioned, locked)");
  }
  return runOp(index);
}
