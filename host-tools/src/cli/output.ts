// How every tapkit command talks to people and scripts: human text by default, one JSON
// document on stdout with --json, and errors as "error: reason" plus "hint: what to do"
// with a distinct exit code per failure class so scripts can branch without parsing text.
// The error type and the exit table live in errors/; this module only prints them.
import { asTapkitError, TapkitError, type ErrorDetails } from "../errors/index.ts";

/** A command-line mistake (exit 2): what is wrong with the arguments and how to write them. */
export function usageError(message: string, hint: string): TapkitError {
  return new TapkitError("USAGE", message, hint);
}

/** Anything thrown, as the code/message/hint/details/exit status the user sees. */
function describeError(err: unknown): { code: string; message: string; hint: string; details: ErrorDetails; exitCode: number } {
  const e = asTapkitError(err);
  return { code: e.code, message: e.message, hint: e.hint, details: e.details, exitCode: e.exitCode };
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
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint") return Number(value);
  return value;
}

export function reportError(err: unknown, json: boolean): number {
  const d = describeError(err);
  if (json) {
    const details = Object.keys(d.details).length ? { details: d.details } : {};
    process.stdout.write(
      JSON.stringify({ ok: false, error: { code: d.code, message: d.message, hint: d.hint, exit: d.exitCode, ...details } }, jsonReplacer) + "\n",
    );
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
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
