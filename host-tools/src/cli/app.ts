// tapkit command-line entry: picks the command, parses its options, prints help, and turns
// thrown errors into an error line, a hint and a distinct exit code.
import { parseArgs } from "node:util";
import type { Command } from "./command.ts";
import { makeOutput, reportError, usageError } from "./output.ts";
import { argumentError } from "./arg-errors.ts";
import { EXIT } from "../errors/index.ts";
import { COMMANDS } from "./commands/index.ts";

function helpFor(cmd: Command): string {
  const lines = [`tapkit ${cmd.name} — ${cmd.summary}`, "", `usage: ${cmd.usage}`, "", "options:"];
  for (const [name, o] of Object.entries(cmd.options)) {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? " VALUE" : ""}`;
    lines.push(`  ${flag.padEnd(26)} ${o.help}`);
  }
  lines.push(`  ${"    --help".padEnd(26)} show this help`);
  if (cmd.examples.length) lines.push("", "examples:", ...cmd.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "tapkit — firmware and host tools for NFC/QR payment plaques and card wallets",
    "",
    "usage: tapkit <command> [options]   (tapkit <command> --help for details)",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "examples:",
    "  tapkit build --all",
    "  tapkit sim --board sim-plaque            # prints the pty to use as --port",
    "  tapkit info --port /dev/pts/5",
    "  tapkit nfc apdu --port tcp:127.0.0.1:7300 00A4040007D276000085010100",
  ].join("\n");
}

/** The commands whose first word is `group` ("nfc" -> nfc apdu), for `tapkit nfc --help`. */
function groupCommands(group: string): Command[] {
  return COMMANDS.filter((c) => c.name.includes(" ") && c.name.split(" ")[0] === group);
}

function groupHelp(group: string, cmds: Command[]): string {
  const width = Math.max(...cmds.map((c) => c.name.length));
  return [
    `tapkit ${group} — ${cmds.length} command(s)`,
    "",
    `usage: tapkit ${group} <command> [options]   (tapkit ${group} <command> --help for details)`,
    "",
    "commands:",
    ...cmds.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "examples:",
    ...cmds.map((c) => `  ${c.examples[0] ?? c.usage}`),
  ].join("\n");
}

/** Longest command name that prefixes argv ("nfc apdu" before "nfc"). */
function findCommand(argv: string[]): { cmd?: Command; rest: string[] } {
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const cmd of sorted) {
    const words = cmd.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { cmd, rest: argv.slice(words.length) };
  }
  return { rest: argv };
}

export async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes("--json");
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(mainHelp() + "\n");
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === "--version") {
    process.stdout.write(`tapkit ${process.env.npm_package_version ?? "0.1.0"}\n`);
    return EXIT.ok;
  }
  const { cmd, rest } = findCommand(argv);
  try {
    if (!cmd) {
      const group = groupCommands(argv[0]);
      if (group.length) {
        const sub = argv.slice(1).find((a) => !a.startsWith("-"));
        if (!sub && (argv.includes("--help") || argv.includes("-h"))) {
          process.stdout.write(groupHelp(argv[0], group) + "\n");
          return EXIT.ok;
        }
        throw usageError(
          sub ? `unknown command 'tapkit ${argv[0]} ${sub}'` : `'tapkit ${argv[0]}' needs a command: ${group.map((c) => c.name.split(" ")[1]).join(", ")}`,
          `e.g. ${group[0].examples[0] ?? group[0].usage}; 'tapkit ${argv[0]} --help' lists them`,
        );
      }
      const near = COMMANDS.filter((c) => c.name.startsWith(argv[0])).map((c) => c.name);
      throw usageError(
        `unknown command '${argv.slice(0, 2).join(" ")}'`,
        near.length ? `did you mean: ${near.join(", ")}?` : "run 'tapkit --help' for the list of commands",
      );
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(helpFor(cmd) + "\n");
      return EXIT.ok;
    }
    let parsed;
    try {
      const options = Object.fromEntries(
        Object.entries(cmd.options).map(([k, o]) => {
          const spec: Record<string, unknown> = { type: o.type };
          if (o.short) spec.short = o.short;
          if (o.multiple) spec.multiple = true;
          if (o.default !== undefined) spec.default = o.default;
          return [k, spec];
        }),
      );
      parsed = parseArgs({ args: rest, options: options as any, allowPositionals: true, strict: true });
    } catch (e) {
      throw argumentError(cmd, e);
    }
    const [min, max] = cmd.positionals ?? [0, 0];
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw usageError(
        `'tapkit ${cmd.name}' takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${parsed.positionals.length}`,
        `usage: ${cmd.usage}`,
      );
    }
    const values = parsed.values as Record<string, unknown>;
    const code = await cmd.run(values, parsed.positionals, makeOutput(Boolean(values.json)));
    return code ?? EXIT.ok;
  } catch (err) {
    return reportError(err, wantsJson);
  }
}
