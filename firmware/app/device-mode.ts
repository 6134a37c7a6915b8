// Whether the clearly marked demo set-up is active (set at boot from tk_init's DEMO flag;
// once the store exists, only when it holds no real set-up), and the device's lifecycle
// state, which the op dispatcher checks against the states each op is served in.

import { identityLocked, identityPresent } from "../provision/identity-store";

let demo = false;

export function setDemo(on: bool): void {
  demo = on;
}

export function demoActive(): bool {
  return demo;
}

// Lifecycle states, numbered as the op table's state bits (host-tools/src/ops/schema.ts).
export const STATE_BLANK: i32 = 0;
export const STATE_DEMO: i32 = 1;
export const STATE_PROVISIONED: i32 = 2;
export const STATE_LOCKED: i32 = 3;

/** The state now: an identity in the store (provision/identity-store.ts) makes it provisioned or locked. */
export function lifecycleState(): i32 {
  if (identityPresent()) return identityLocked() ? STATE_LOCKED : STATE_PROVISIONED;
  return demo ? STATE_DEMO : STATE_BLANK;
}

export function stateName(state: i32): string {
  return state == STATE_LOCKED ? "locked" : state == STATE_PROVISIONED ? "provisioned" : state == STATE_DEMO ? "demo" : "blank";
}
