// Moving a device through its lifecycle on purpose (docs/security.md): lock seals a
// provisioned device for the field (irreversible), wipe returns any device to blank,
// erasing its keys and store records. The firmware enforces who may ask in which state;
// this module adds what a host owes its user before an irreversible step: it reads the
// state first, refuses a locked-device wipe without the exact phrase before anything is
// sent, and reports the state before and after.
import { TapkitError } from "../errors/index.ts";
import type { DeviceClient } from "./client.ts";

/** The phrase a locked device needs as `confirm` before it erases itself (firmware/app/device-ops.ts). */
export const WIPE_LOCKED_PHRASE = "wipe locked device";

export interface LifecycleReport {
  port: string;
  board: string;
  /** lifecycle state before the step */
  before: string;
  /** lifecycle state after it */
  state: string;
}

export async function lockDevice(device: DeviceClient): Promise<LifecycleReport> {
  const status = await device.ops.device.status();
  if (status.state === "locked") return { port: device.port, board: status.board, before: "locked", state: "locked" };
  if (status.state !== "provisioned") {
    throw new TapkitError(
      "DEVICE_NOT_PROVISIONED",
      `the device is ${status.state}; only a provisioned device can be locked`,
      "provision it first (tapkit provision or tapkit setup plaque), then lock it",
      { state: status.state },
    );
  }
  const r = await device.ops.device.lock();
  return { port: device.port, board: status.board, before: status.state, state: r.state };
}

/**
 * Wipes the device back to blank. `phrase` must be WIPE_LOCKED_PHRASE on a locked device;
 * the device reboots once it answered.
 */
export async function wipeDevice(device: DeviceClient, phrase: string | undefined): Promise<LifecycleReport> {
  const status = await device.ops.device.status();
  if (status.state === "locked" && phrase !== WIPE_LOCKED_PHRASE) {
    throw new TapkitError(
      "WIPE_PHRASE",
      phrase === undefined
        ? "the device is locked: wiping it erases its production keys and identity for good, so it needs the confirmation phrase"
        : `the confirmation phrase does not match (got "${phrase}")`,
      `type it exactly: --confirm "${WIPE_LOCKED_PHRASE}"`,
      { state: status.state },
    );
  }
  const r = await device.ops.device.wipe(status.state === "locked" ? { confirm: WIPE_LOCKED_PHRASE } : {});
  return { port: device.port, board: status.board, before: status.state, state: r.state };
}
