// tapkit info: what a connected device is (board, firmware, ABI, lifecycle state, uptime,
// link counters).
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { table } from "../output.ts";
import { withDevice } from "./connect.ts";
import { toHex } from "../../bytes/hex.ts";
import { readWalletInfoIfAny } from "../../wallet/index.ts";
import { readLinearMemoryRecord, type LinearMemoryRecord } from "../../build/build-record.ts";

export const info: Command = {
  name: "info",
  summary: "show board, firmware and ABI versions, lifecycle state, uptime and link counters of a device",
  usage: "tapkit info --port PORT [--json]",
  examples: ["tapkit info --port /dev/ttyUSB0", "tapkit info --port tcp:127.0.0.1:7300 --json"],
  options: { ...PORT_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const result = await withDevice(opts, async (d) => {
      const info = await d.info();
      const w = await readWalletInfoIfAny(d);
      const id = await d.ops.identity.get();
      const identity = { serial: id.serial ?? null, uid: id.uid ? toHex(id.uid) : null };
      // The device says how many pages it declares; how much of them the module uses is in
      // the build record of its board (when this checkout built it).
      const linearMemory = typeof info.board === "string" ? readLinearMemoryRecord(info.board) : null;
      return {
        port: d.port,
        ...info,
        identity,
        linearMemory,
        wallet: w && { ...w.info, kid: toHex(w.info.kid), pub: toHex(w.info.pub), chain: w.chain.map(toHex) },
      };
    });
    out.result(result, (r) => {
      out.line(
        table([
          ["port", r.port],
          ["board", r.board],
          ["firmware", r.fw],
          ["HAL ABI", String(r.abi)],
          ["shell", r.shell],
          ["state", lifecycleLine(r.state)],
          ["identity", r.identity.serial !== null ? `serial ${r.identity.serial}, UID ${r.identity.uid}` : "none (not provisioned)"],
          ["uptime", `${(r.uptime / 1000).toFixed(1)} s`],
          ["memory", `${linearMemoryText(r.mem?.pages, r.linearMemory)}, mailbox ${r.mem?.io ?? "?"} B`],
        ]),
      );
      out.line("link counters:");
      out.line(table(Object.entries(r.link ?? {}).map(([k, v]) => [`  ${k}`, String(v)])));
      if (r.store) {
        const s = r.store;
        out.line("store:");
        out.line(
          table([
            ["  capacity", `${s.live} of ${s.capacity} B used (${s.free} B free), ${s.keys} key(s), ${s.counters} counter(s)`],
            ["  wear", `${s.erases} erase cycles used of ${s.pages * s.rated} (${s.pages} pages x ${s.rated}); busiest page ${s.maxErase}`],
            ["  lifetime", `about ${s.remaining} more counter increments`],
          ]),
        );
      }
    });
  },
};

/** Linear memory as a maker reads it: bytes used first, the declared page (not RAM) beside them. */
export function linearMemoryText(pages: number | undefined, record: LinearMemoryRecord | null): string {
  const declared = `${pages ?? "?"} declared 64 KiB page${pages === 1 ? "" : "s"}`;
  if (!record) return `linear memory: ${declared} (bytes used: tapkit build --board NAME --map)`;
  const backing =
    record.backed === null
      ? ""
      : record.backed === record.used
        ? `; the ${record.board} shell backs only the used bytes`
        : `; the ${record.board} shell backs ${record.backed.toLocaleString("en-US")} B`;
  return `linear memory ${record.used.toLocaleString("en-US")} B used (${declared}${backing})`;
}

/** The lifecycle state with what it means for the user (docs/security.md). */
function lifecycleLine(state: string | undefined): string {
  switch (state) {
    case "blank":
      return "blank (no set-up yet: provision it)";
    case "demo":
      return "demo (demo keys, not for money)";
    case "provisioned":
      return "provisioned (bench ops refused; lock it for the field)";
    case "locked":
      return "locked (sealed for the field; only a confirmed wipe leaves it)";
    default:
      return state ?? "unknown (firmware before lifecycle states)";
  }
}
