// Whether the clearly marked demo set-up is active (set at boot from tk_init's DEMO flag;
// once the store exists, only when it holds no real set-up), and the device's lifecycle
// state, which the op dispatcher checks against the states each op is served in.

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

/** The state now. Provisioned and locked arrive with device provisioning; until then a device is blank or demo. */
export function lifecycleState(): i32 {
  return demo ? STATE_DEMO : STATE_BLANK;
}
