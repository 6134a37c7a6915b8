// tapkit device lock | wipe: the lifecycle steps a maker or a repair bench takes on purpose
// (docs/security.md). Both are irreversible, so both ask for it in words: lock needs --yes,
// wiping a locked device needs the typed phrase (any other device: --yes).
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { table, usageError } from "../output.ts";
import { withDevice } from "./connect.ts";
import { lockDevice, wipeDevice, WIPE_LOCKED_PHRASE, type LifecycleReport } from "../../device/lifecycle.ts";

const YES_OPTION = { yes: { type: "boolean" as const, help: "yes, do it: the step cannot be undone" } };

function printReport(out: Parameters<Command["run"]>[2], r: LifecycleReport, what: string): void {
  out.line(
    table([
      ["port", r.port],
      ["board", r.board],
      ["state", r.before === r.state ? `${r.state} (unchanged)` : `${r.before} -> ${r.state}`],
    ]),
  );
  out.line(what);
}

export const deviceLock: Command = {
  name: "device lock",
  summary: "seal a provisioned device for the field (provisioned -> locked; irreversible, only a wipe leaves locked)",
  usage: "tapkit device lock --port PORT --yes [--json]",
  examples: ["tapkit device lock --port /dev/ttyUSB0 --yes", "tapkit device lock --port tcp:127.0.0.1:7300 --yes --json"],
  options: { ...PORT_OPTION, ...YES_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    if (!opts.yes) throw usageError("locking cannot be undone: bench ops are refused for good and only a wipe leaves locked", "add --yes to lock the device");
    const r = await withDevice(opts, (d) => lockDevice(d));
    out.result(r, () => printReport(out, r, r.before === "locked" ? "the device was already locked" : "locked: the device serves its field ops only"));
  },
};

export const deviceWipe: Command = {
  name: "device wipe",
  summary: "erase every key and store record and return the device to blank (it reboots)",
  usage: `tapkit device wipe --port PORT (--yes | --confirm "${WIPE_LOCKED_PHRASE}") [--json]`,
  examples: [
    "tapkit device wipe --port /dev/ttyUSB0 --yes                          # a blank, demo or provisioned device",
    `tapkit device wipe --port /dev/ttyUSB0 --confirm "${WIPE_LOCKED_PHRASE}"   # a locked device needs the phrase`,
    "tapkit device wipe --port tcp:127.0.0.1:7300 --yes --json",
  ],
  options: {
    ...PORT_OPTION,
    ...YES_OPTION,
    confirm: { type: "string", help: `the phrase "${WIPE_LOCKED_PHRASE}", typed out (required for a locked device)` },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.yes && opts.confirm === undefined) {
      throw usageError("wiping erases the device's keys and records for good", `add --yes (a locked device: --confirm "${WIPE_LOCKED_PHRASE}")`);
    }
    const r = await withDevice(opts, (d) => wipeDevice(d, opts.confirm));
    out.result(r, () => printReport(out, r, "wiped: keys replaced, records deleted; the device rebooted blank"));
  },
};

export const DEVICE_COMMANDS: Command[] = [deviceLock, deviceWipe];
