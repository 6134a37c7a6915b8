// The device's lifecycle state (docs/security.md, "Capabilities per lifecycle state"):
// blank, demo, provisioned or locked, which the op dispatcher checks against the states each
// op is served in. Kept in ONE store record (key 0x0001), written in a store transaction so a
// power cut leaves the old state or the new one. Without the record (a fresh store) the boot
// flag decides: the simulator's demo set-up boots with tk_init's DEMO flag and is demo, any
// other device is blank. Moves: blank -> provisioned (lifecycleEnterProvisioned, called by
// provisioning), provisioned -> locked (device.lock, irreversible), any -> blank (a wipe,
// device-wipe.ts). A wipe in progress is recorded first, so a cut mid-wipe is finished at boot.
import { storeGet, txAbort, txBegin, txCommit, txPut } from "../store/store";
import { KEY_LIFECYCLE } from "../store/system-keys";

// Lifecycle states, numbered as the op table's state bits (host-tools/src/ops/schema.ts).
export const STATE_BLANK: i32 = 0;
export const STATE_DEMO: i32 = 1;
export const STATE_PROVISIONED: i32 = 2;
export const STATE_LOCKED: i32 = 3;
/** Only in the record: a wipe began and must be finished before anything else runs. */
export const STATE_WIPING: i32 = 4;

const RECORD_BYTES: i32 = 4;
const RECORD = memory.data(RECORD_BYTES);

let state: i32 = STATE_BLANK;
let wiping = false;

/** Reads the record at boot; without one, `demoFlag` (tk_init's DEMO bit) picks demo or blank. */
export function loadLifecycle(demoFlag: bool): void {
  wiping = false;
  if (storeGet(KEY_LIFECYCLE, RECORD, RECORD_BYTES) != RECORD_BYTES) {
    state = demoFlag ? STATE_DEMO : STATE_BLANK;
    return;
  }
  const s = <i32>load<u8>(RECORD);
  if (s == STATE_WIPING) {
    wiping = true;
    state = STATE_BLANK;
  } else {
    // A value this firmware does not know fails closed: served as locked.
    state = s <= STATE_LOCKED ? s : STATE_LOCKED;
  }
}

/** The state now. */
export function lifecycleState(): i32 {
  return state;
}

/** True when the record says a wipe was cut short (the boot finishes it). */
export function wipePending(): bool {
  return wiping;
}

/** Whether the clearly marked demo set-up is active. */
export function demoActive(): bool {
  return state == STATE_DEMO;
}

/** The state's name as the op table and docs spell it. */
export function lifecycleName(s: i32): string {
  switch (s) {
    case STATE_BLANK: return "blank";
    case STATE_DEMO: return "demo";
    case STATE_PROVISIONED: return "provisioned";
    default: return "locked";
  }
}

/** Stages the record for `s` in the caller's open store transaction (apply with lifecycleCommitted). */
export function lifecycleStage(s: i32): i32 {
  store<u32>(RECORD, <u32>s);
  return txPut(KEY_LIFECYCLE, RECORD, RECORD_BYTES);
}

/** The caller's transaction with lifecycleStage(s) committed: the state is now `s`. */
export function lifecycleCommitted(s: i32): void {
  wiping = s == STATE_WIPING;
  state = s == STATE_WIPING ? STATE_BLANK : s;
}

/** Writes the record for `s` in its own transaction; 0, or a store error (< 0) and the state unchanged. */
export function lifecycleWrite(s: i32): i32 {
  let r = txBegin();
  if (r >= 0) r = lifecycleStage(s);
  if (r >= 0) r = txCommit();
  if (r < 0) {
    txAbort();
    return r;
  }
  lifecycleCommitted(s);
  return 0;
}

export const LIFECYCLE_OK: i32 = 0;
/** The move is not allowed from the current state (below the HAL's and the store's codes). */
export const LIFECYCLE_REFUSED: i32 = -100;

/**
 * blank -> provisioned: provisioning calls this once the device holds its own keys and set-up
 * (the card's wallet.provision does it in its own transaction). LIFECYCLE_REFUSED from any
 * other state, a store error (< 0) when the record could not be written.
 */
export function lifecycleEnterProvisioned(): i32 {
  if (state != STATE_BLANK) return LIFECYCLE_REFUSED;
  return lifecycleWrite(STATE_PROVISIONED);
}

/** provisioned -> locked, irreversible (only a wipe leaves locked). */
export function lifecycleLock(): i32 {
  if (state != STATE_PROVISIONED) return LIFECYCLE_REFUSED;
  return lifecycleWrite(STATE_LOCKED);
}
