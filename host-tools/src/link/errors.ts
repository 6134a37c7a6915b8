// Typed failures of the host side of the link, written for the person at the bench.
// Every LinkError carries a stable `code` (for scripts and the conformance suite), a message
// saying what happened, a hint saying what to try, and a distinct process exit code so the
// CLI can exit with something a CI job or a lab script can branch on.

export type LinkErrorCode =
  | "port-missing"
  | "port-busy"
  | "permission"
  | "connect-refused"
  | "port-error"
  | "timeout"
  | "not-tapkit"
  | "unsupported-version"
  | "device-error"
  | "too-large"
  | "closed";

/**
 * Process exit codes, one per error. 3-7 match the CLI's EXIT table (cli/output.ts) for the
 * classes it already names; the others sit above its 0-10 range.
 */
export const LINK_EXIT_CODES: Readonly<Record<LinkErrorCode, number>> = Object.freeze({
  "port-missing": 3,
  "port-busy": 4,
  timeout: 5,
  "not-tapkit": 6,
  "device-error": 7,
  permission: 11,
  "connect-refused": 12,
  "port-error": 13,
  "unsupported-version": 14,
  "too-large": 15,
  closed: 16,
});

export const DEFAULT_HINTS: Readonly<Record<LinkErrorCode, string>> = Object.freeze({
  "port-missing": "check the cable / the path; list ports with ls /dev/ttyUSB* /dev/ttyACM*",
  "port-busy": "another program has the port open, e.g. a serial monitor; close it and retry",
  permission: "add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again)",
  "connect-refused": "is the simulator running and listening on that host and port?",
  "port-error": "check the cable and the port settings",
  timeout: "check the cable and the baud rate; the device may be busy or not a tapkit device",
  "not-tapkit": "is this a tapkit device? check the baud rate",
  "unsupported-version": "update the host tools or the firmware so both speak link protocol v1",
  "device-error": "see the device's message; `bad-arg` names the argument at fault",
  "too-large": "the request does not fit in the device's maximum frame; send smaller pieces",
  closed: "the link was closed; reopen the port",
});

export interface LinkErrorDetails {
  hint?: string;
  /** For device-error: the device's error code, e.g. "bad-arg". */
  deviceCode?: string;
  /** For device-error: the device's message. */
  deviceMsg?: string;
  cause?: unknown;
}

export class LinkError extends Error {
  readonly code: LinkErrorCode;
  readonly hint: string;
  readonly exitCode: number;
  readonly deviceCode?: string;
  readonly deviceMsg?: string;

  constructor(code: LinkErrorCode, message: string, details: LinkErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "LinkError";
    this.code = code;
    this.hint = details.hint ?? DEFAULT_HINTS[code];
    this.exitCode = LINK_EXIT_CODES[code];
    if (details.deviceCode !== undefined) this.deviceCode = details.deviceCode;
    if (details.deviceMsg !== undefined) this.deviceMsg = details.deviceMsg;
  }
}
