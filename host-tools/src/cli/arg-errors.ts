// Turns node:util parseArgs failures into tapkit usage errors (exit 2) that name the option
// at fault, show the command's usage, and suggest the option the user probably meant, instead
// of Node's raw message ("Unknown option '--prot'. To specify a positional argument ...").
import type { Command } from "./command.ts";
import { usageError } from "./output.ts";
import type { TapkitError } from "../errors/index.ts";

/** Edit distance, to suggest `--port` for `--prot`. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** The command's option closest to `flag` (e.g. "--prot" -> "--port"), if one is close enough. */
export function nearestOption(cmd: Command, flag: string): string | undefined {
  const bare = flag.replace(/^-+/, "").split("=")[0];
  const names = [...Object.keys(cmd.options), "help"];
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = name.startsWith(bare) && bare.length >= 2 ? 0 : distance(bare, name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= (bare.length <= 3 ? 1 : 2) ? `--${best.name}` : undefined;
}

/** The usage error for a parseArgs failure of `cmd`. */
export function argumentError(cmd: Command, err: unknown): TapkitError {
  const e = err as { code?: string; message?: string };
  const message = String(e.message ?? err);
  const usage = `usage: ${cmd.usage}`;
  const more = `see 'tapkit ${cmd.name} --help'`;
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? "?";
    const near = nearestOption(cmd, flag);
    return usageError(`'tapkit ${cmd.name}' has no option '${flag}'`, `${near ? `did you mean ${near}? ` : ""}${usage}; ${more}`);
  }
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // Node writes "Option '-p, --port <value>' argument missing": name the long form.
    const flag = /(--[\w-]+)/.exec(message)?.[1] ?? /'(-\w)/.exec(message)?.[1] ?? "?";
    if (/does not take an argument/.test(message))
      return usageError(`option '${flag}' of 'tapkit ${cmd.name}' is a switch and takes no value`, `write ${flag} alone; ${usage}`);
    // "--seed -5" lands here too: a value that starts with '-' reads as an option.
    return usageError(`option '${flag}' of 'tapkit ${cmd.name}' needs a value`, `write ${flag} VALUE (a value starting with '-' as ${flag}=VALUE); ${usage}`);
  }
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']*)'/.exec(message)?.[1] ?? "?";
    return usageError(`'tapkit ${cmd.name}' takes no argument '${arg}'`, `${usage}; ${more}`);
  }
  return usageError(`${cmd.name}: ${message}`, `${usage}; ${more}`);
}
