// Failures of the host side of the link, written for the person at the bench. A LinkError
// is a TapkitError (errors/) whose code is one of the link's own, with a default hint per
// code; its exit status comes from the one table in errors/exit-status.ts. A device's error
// answer arrives as DEVICE_ERROR with the device's code and message in `details`.
import { TapkitError } from "../errors/index.ts";

export type LinkErrorCode =
  | "PORT_MISSING"
  | "PORT_BUSY"
  | "PORT_PERMISSION"
  | "CONNECT_REFUSED"
  | "PORT_ERROR"
  | "TIMEOUT"
  | "NOT_TAPKIT"
  | "UNSUPPORTED_VERSION"
  | "DEVICE_ERROR"
  | "TOO_LARGE"
  | "LINK_CLOSED";

export const DEFAULT_HINTS: Readonly<Record<LinkErrorCode, string>> = Object.freeze({
  PORT_MISSING: "check the cable / the path; list ports with ls /dev/ttyUSB* /dev/ttyACM*",
  PORT_BUSY: "another program has the port open, e.g. a serial monitor; close it and retry",
  PORT_PERMISSION: "add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again)",
  CONNECT_REFUSED: "is the simulator running and listening on that host and port?",
  PORT_ERROR: "check the cable and the port settings",
  TIMEOUT: "check the cable and the baud rate; the device may be busy or not a tapkit device",
  NOT_TAPKIT: "is this a tapkit device? check the baud rate",
  UNSUPPORTED_VERSION: "update the host tools or the firmware so both speak link protocol v1",
  DEVICE_ERROR: "see the device's message; `bad-arg` names the argument at fault",
  TOO_LARGE: "the request does not fit in the device's maximum frame; send smaller pieces",
  LINK_CLOSED: "the link was closed; reopen the port",
});

export interface LinkErrorDetails {
  hint?: string;
  /** For DEVICE_ERROR: the device's error code, e.g. "bad-arg". */
  deviceCode?: string;
  /** For DEVICE_ERROR: the device's message. */
  deviceMsg?: string;
  cause?: unknown;
}

export class LinkError extends TapkitError {
  declare readonly code: LinkErrorCode;
  declare readonly details: { readonly deviceCode?: string; readonly deviceMsg?: string };

  constructor(code: LinkErrorCode, message: string, details: LinkErrorDetails = {}) {
    const { hint, cause, ...device } = details;
    super(code, message, hint ?? DEFAULT_HINTS[code], device, { cause });
    this.name = "LinkError";
  }
}

/** What to do when the device refuses an op in its lifecycle state (docs/security.md), by state. */
const LIFECYCLE_HINTS: Readonly<Record<string, string>> = Object.freeze({
  blank: "device is blank: it has no set-up yet; provision it first (or use the simulator's demo set-up for bench work)",
  demo: "device is demo: this op needs a provisioned device with its own keys",
  provisioned:
    "device is provisioned: bench ops (store.*, nfc-test t2t/field/personality, qr.show, wallet.provision) are refused; use the wallet's own commands, or wipe it back to blank (device.wipe)",
  locked: 'device is locked: it is sealed for the field; only device.wipe with confirm "wipe locked device" returns it to blank, erasing its keys and records',
});

/** The hint for a device's `unsupported` answer that names a lifecycle state, or undefined for any other answer. */
export function lifecycleHint(deviceCode: string, deviceMsg: string): string | undefined {
  if (deviceCode !== "unsupported") return undefined;
  const state = /^device is (blank|demo|provisioned|locked):/.exec(deviceMsg)?.[1];
  return state ? LIFECYCLE_HINTS[state] : undefined;
}
