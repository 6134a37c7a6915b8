// The one table of tapkit's process exit statuses, and which error codes leave the process
// with which status. Scripts and lab jobs branch on these numbers, so they only ever grow:
// a number keeps its meaning once published (the README lists them; a test compares).

/** Exit status by name. 0-10 are the README's list. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  portMissing: 3,
  portBusy: 4,
  timeout: 5,
  notTapkit: 6,
  deviceError: 7,
  buildFailed: 8,
  boardInvalid: 9,
  testsFailed: 10,
} as const;

export type ExitName = keyof typeof EXIT;

/** What each status means, in the words of the README's "Exit codes" line. */
export const EXIT_MEANING: Readonly<Record<ExitName, string>> = Object.freeze({
  ok: "ok",
  failure: "failure",
  usage: "usage",
  portMissing: "port missing",
  portBusy: "port busy or no permission",
  timeout: "timed out",
  notTapkit: "not a tapkit device",
  deviceError: "device reported an error",
  buildFailed: "build gate failed",
  boardInvalid: "invalid board file",
  testsFailed: "conformance cases failed",
});

/**
 * Error codes that exit with something other than 1 (failure). Every other code is a plain
 * failure: a refused voucher, a bad MAC, a broken NDEF message. A code that belongs to one
 * of the classes above is added here, never given a status at the throw site.
 */
export const EXIT_FOR_CODE: Readonly<Record<string, ExitName>> = Object.freeze({
  USAGE: "usage",
  // bad input the library refuses before it reaches a device: a bad argument all the same
  PIN_FORMAT: "usage",
  FILE_UNREADABLE: "usage",
  // a destination refused before anything irreversible happened (files/durable-write.ts)
  OUT_DIR_MISSING: "usage",
  OUT_IS_DIRECTORY: "usage",
  OUT_NOT_REGULAR: "usage",
  OUT_NOT_WRITABLE: "usage",
  OUT_EXISTS: "usage",
  ISSUER_PATH: "usage",
  // tapkit hil --firmware FILE that is not what the connected device runs (refused before any case)
  FIRMWARE_MISMATCH: "usage",
  // a locked device's wipe without its exact confirmation phrase (nothing was sent)
  WIPE_PHRASE: "usage",
  // the port is not there (or went away), or nothing listens on it
  PORT_MISSING: "portMissing",
  PORT_ERROR: "portMissing",
  CONNECT_REFUSED: "portMissing",
  LINK_CLOSED: "portMissing",
  PCSC_NO_READER: "portMissing",
  PCSC_NO_SERVICE: "portMissing",
  PCSC_TOOLS_MISSING: "portMissing",
  // the port is there but someone else has it, or we may not open it
  PORT_BUSY: "portBusy",
  PORT_PERMISSION: "portBusy",
  TIMEOUT: "timeout",
  PCSC_TIMEOUT: "timeout",
  // something answers, but not a tapkit device we can talk to
  NOT_TAPKIT: "notTapkit",
  UNSUPPORTED_VERSION: "notTapkit",
  DEVICE_ERROR: "deviceError",
  // a tag or card answered an APDU with a status word other than 9000 (tapkit nfc apdu)
  APDU_STATUS: "deviceError",
  BUILD_CONFIG: "buildFailed",
  BUILD_COMPILE: "buildFailed",
  BUILD_NOT_WASM: "buildFailed",
  BUILD_GATE_IMPORTS: "buildFailed",
  BUILD_GATE_EXPORTS: "buildFailed",
  BUILD_GATE_FEATURES: "buildFailed",
  BUILD_GATE_MEMORY: "buildFailed",
  BUILD_GATE_SLOT: "buildFailed",
  BUILD_NATIVE_TOOLS: "buildFailed",
  BUILD_NATIVE: "buildFailed",
  BOARD_NOT_FOUND: "boardInvalid",
  BOARD_NOT_JSON: "boardInvalid",
  BOARD_INVALID: "boardInvalid",
  TORTURE_FAILED: "testsFailed",
});

/** The exit status of an error code (1 unless the table above says otherwise). */
export function exitStatusFor(code: string): number {
  return Object.hasOwn(EXIT_FOR_CODE, code) ? EXIT[EXIT_FOR_CODE[code]] : EXIT.failure;
}
