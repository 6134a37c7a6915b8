// The shape of one tapkit command: its options (node:util parseArgs), help text with
// examples, and a run function. Commands stay thin: they parse, call the library, print.
import type { Output } from "./output.ts";

export type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean; default?: string | boolean };

export interface Command {
  /** e.g. "info" or "nfc apdu" */
  name: string;
  summary: string;
  usage: string;
  examples: string[];
  options: Record<string, OptionSpec & { help: string }>;
  /** Number of positional arguments accepted: [min, max]. */
  positionals?: [number, number];
  run(opts: Record<string, any>, positionals: string[], out: Output): Promise<number | void>;
}

/** The tag reached through a PC/SC reader instead of the link's nfc-test channel. */
export const READER_OPTION = {
  reader: {
    type: "string" as const,
    help: "send the APDUs through this PC/SC reader instead of the link (pcsc_scan lists names; the simulator's is 'Virtual PCD 00 00')",
  },
};

export const PORT_OPTION = {
  port: {
    type: "string" as const,
    short: "p",
    help: "serial device (/dev/ttyUSB0, the simulator's pty) or tcp:HOST:PORT; default $TAPKIT_PORT",
  },
  baud: { type: "string" as const, help: "line speed for serial devices (default 115200)" },
};

export const JSON_OPTION = { json: { type: "boolean" as const, help: "print one JSON document on stdout" } };
