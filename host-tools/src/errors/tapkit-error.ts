// The one error type of the host side. Every failure a user, a script or the conformance
// suite can meet is a TapkitError: a stable code (SCREAMING_SNAKE, for scripts), a message
// saying what happened, a hint saying what to do, the process exit status (from the one
// table in exit-status.ts) and structured details (the field at fault, the device's answer,
// PIN tries left, ...) so that nobody has to read facts back out of the message.
import { exitStatusFor } from "./exit-status.ts";

/** Error codes are SCREAMING_SNAKE: `PORT_MISSING`, `PIN_WRONG`, `BUILD_GATE_MEMORY`. */
export type ErrorCode = Uppercase<string>;

/** Facts about one failure that code can act on; plain data (bytes and bigints allowed). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export class TapkitError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  /** process exit status for this code (errors/exit-status.ts) */
  readonly exitCode: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, hint: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TapkitError";
    this.code = code;
    this.hint = hint;
    this.exitCode = exitStatusFor(code);
    this.details = details;
  }
}

/** True for a TapkitError, and with `code` for one with that code. */
export function isTapkitError(e: unknown, code?: string): e is TapkitError {
  return e instanceof TapkitError && (code === undefined || e.code === code);
}

const BUG_HINT = "this looks like a bug in tapkit; rerun with TAPKIT_DEBUG=1 and report the stack trace";

/**
 * Anything thrown, as a TapkitError: itself; FILE_ERROR for a file the OS refused (a path
 * the user gave, a full disk); else INTERNAL (a bug), carrying the original as cause.
 */
export function asTapkitError(e: unknown): TapkitError {
  if (e instanceof TapkitError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const os = (e ?? {}) as { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof os.code === "string" && typeof os.syscall === "string" && typeof os.path === "string") {
    return new TapkitError(
      "FILE_ERROR",
      message,
      "check the path, that its folder exists, its permissions and the free space",
      { path: os.path, osCode: os.code },
      { cause: e },
    );
  }
  return new TapkitError("INTERNAL", message, BUG_HINT, typeof os.code === "string" ? { osCode: os.code } : {}, { cause: e });
}
