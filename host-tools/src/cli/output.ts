// How every tapkit command talks to people and scripts: human text by default, one JSON
// document on stdout with --json, and errors as "error: reason" plus "hint: what to do"
// with a distinct exit code per failure class so scripts can branch without parsing text.

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

/** An error a command reports to its user: a reason, a hint and an exit code. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

const EXIT_BY_CODE: Record<string, number> = {
  "port-missing": EXIT.portMissing,
  "port-busy": EXIT.portBusy,
  permission: EXIT.portBusy,
  "connect-refused": EXIT.portMissing,
  timeout: EXIT.timeout,
  "not-tapkit": EXIT.notTapkit,
  "device-error": EXIT.deviceError,
  "build-failed": EXIT.buildFailed,
  "board-invalid": EXIT.boardInvalid,
  usage: EXIT.usage,
};

/** Library errors with their own code families: BOARD_... (board files), BUILD_... (build gates), PCSC_... (readers). */
function exitByFamily(code: string): number {
  if (code.startsWith("BOARD_")) return EXIT.boardInvalid;
  if (code.startsWith("BUILD_") || code.startsWith("GATE_")) return EXIT.buildFailed;
  if (code === "PCSC_NO_READER" || code === "PCSC_NO_SERVICE" || code === "PCSC_TOOLS_MISSING") return EXIT.portMissing;
  if (code === "PCSC_TIMEOUT") return EXIT.timeout;
  return EXIT.failure;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  hint?: unknown;
  exitCode?: unknown;
}

/** Normalises anything thrown by the library into code/message/hint/exit code. */
export function describeError(err: unknown): { code: string; message: string; hint: string; exitCode: number } {
  const e = (err ?? {}) as ErrorLike;
  const code = typeof e.code === "string" ? e.code : "internal";
  const message = typeof e.message === "string" ? e.message : String(err);
  const hint =
    typeof e.hint === "string"
      ? e.hint
      : "this looks like a bug in tapkit; rerun with TAPKIT_DEBUG=1 and report the stack trace";
  const exitCode = typeof e.exitCode === "number" ? e.exitCode : (EXIT_BY_CODE[code] ?? exitByFamily(code));
  return { code, message, hint, exitCode };
}

export interface Output {
  readonly json: boolean;
  /** Human-readable line (suppressed in --json mode). */
  line(text?: string): void;
  /** Progress/status for humans on stderr (suppressed in --json mode). */
  status(text: string): void;
  /** The command's result: printed as JSON in --json mode, else by `human`. */
  result(value: unknown, human?: (v: any) => void): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    line(text = "") {
      if (!json) process.stdout.write(text + "\n");
    },
    status(text) {
      if (!json) process.stderr.write(text + "\n");
    },
    result(value, human) {
      if (json) process.stdout.write(JSON.stringify(value, jsonReplacer, 2) + "\n");
      else if (human) human(value);
    },
  };
}

/** Bytes become hex and bigints numbers so that results stay plain JSON. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint") return Number(value);
  return value;
}

export function reportError(err: unknown, json: boolean): number {
  const d = describeError(err);
  if (json) {
    process.stdout.write(JSON.stringify({ ok: false, error: { code: d.code, message: d.message, hint: d.hint } }) + "\n");
  } else {
    process.stderr.write(`tapkit: error: ${d.message}\n  hint: ${d.hint}\n`);
    if (process.env.TAPKIT_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
  }
  return d.exitCode;
}

/** Table for human output: columns padded to the widest cell. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
