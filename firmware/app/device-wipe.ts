// Wipe to blank (device.wipe, docs/security.md): every keystore slot's secret is replaced by
// a fresh random key (the HAL has no delete; nothing certified or derived from the old keys
// works again) and every store record is deleted. Counters stay: they are monotonic on
// purpose, so a wiped plaque never repeats a tap counter and a card never a voucher counter.
// The record says WIPING before anything is destroyed, and the boot finishes a wipe a power
// cut interrupted, so a device is never left half wiped and still served as what it was.
import { KS_SLOTS } from "../board";
import { ks_generate, ks_info } from "../hal/keystore";
import { storeDelete } from "../store/store";
import { keyAt, keyCount } from "../store/key-index";
import { STATE_BLANK, STATE_WIPING, lifecycleWrite } from "./device-mode";
import { KEY_LIFECYCLE } from "../store/system-keys";

/** Begins and finishes a wipe; 0, or a store or keystore error (< 0). */
export function wipeDevice(): i32 {
  const r = lifecycleWrite(STATE_WIPING);
  if (r < 0) return r;
  return finishWipe();
}

/** The destructive part, safe to repeat: the boot calls it again after a cut. */
export function finishWipe(): i32 {
  for (let slot = 0; slot < KS_SLOTS; slot++) {
    const alg = ks_info(slot);
    if (alg > 0) {
      const g = ks_generate(slot, alg);
      if (g < 0) return g;
    }
  }
  // One key at a time, looked up afresh: a delete (or the compaction it may start) reorders the index.
  for (let left = keyCount(); left > 0; left--) {
    const key = otherKey();
    if (key == 0) break;
    const d = storeDelete(key);
    if (d < 0) return d;
  }
  return lifecycleWrite(STATE_BLANK);
}

/** Some live key other than the lifecycle record, or 0. */
function otherKey(): u16 {
  for (let i = 0; i < keyCount(); i++) {
    const key = <u16>keyAt(i);
    if (key != KEY_LIFECYCLE) return key;
  }
  return 0;
}
