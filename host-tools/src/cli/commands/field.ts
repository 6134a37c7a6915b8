// tapkit tap | scan | doctor: the technician's three checks, one command each, over the field
// library (host-tools/src/field). Each prints a verdict line last and exits 0 when the check
// passed, 1 when it found a fault (--json: the whole report, the verdict inside).
import { integerOption } from "../option-values.ts";
import { writeFileSync } from "node:fs";
import type { Command } from "../command.ts";
import type { Output } from "../output.ts";
import { JSON_OPTION, PORT_OPTION, READER_OPTION } from "../command.ts";
import { table, usageError } from "../output.ts";
import { EXIT } from "../../errors/index.ts";
import { withDevice, withNfcPath } from "./connect.ts";
import { checkTap, readPanel, runDoctor, scanFramebuffer, type DoctorReport, type PanelScan, type TapCheck } from "../../field/index.ts";
import { jsqrDecoder, zbarDecoder } from "../../field/panel-decoders.ts";
import { loadKeysFile, ReplayStore } from "../../verify/index.ts";
import { bitmapToPng } from "../../raster/framebuffer.ts";

export const tap: Command = {
  name: "tap",
  summary: "read the tag as a phone does, show its URL, UID and counter, and verify the tap with the tag's keys",
  usage: "tapkit tap (--port PORT | --reader NAME) [--keys FILE [--replay FILE]] [--json]",
  examples: [
    "tapkit tap --port /dev/ttyUSB0                                  # URL only: not verified without keys",
    "tapkit tap --port tcp:127.0.0.1:7300 --keys keys.json            # verdict: verified, or why not",
    "tapkit tap --reader 'Virtual PCD 00 00' --keys keys.json --json  # through pcscd (tapkit sim --pcsc)",
  ],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    keys: { type: "string", help: 'the tag\'s keys: JSON {"tags": [{name, template, mode, metaKey, fileKey | publicKey}]} (as tapkit verify tap)' },
    replay: { type: "string", help: "replay store to check and record the counter in (default: none, the counter is not checked against earlier taps)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (opts.replay && !opts.keys) throw usageError("--replay needs --keys", "a replay store only counts verified taps");
    const keys = opts.keys ? loadKeysFile(opts.keys) : undefined;
    const replay = opts.replay ? new ReplayStore(opts.replay) : undefined;
    const r = await withNfcPath(opts, (nfc) => checkTap(nfc, { keys, replay }));
    out.result(r, (x: TapCheck) => {
      out.line(
        table([
          ["read", `${x.path}, ${x.apdus} APDUs, ${x.message.length / 2} bytes of NDEF`],
          ["url", x.url ?? "(none)"],
          ["uid", x.uid ?? "(needs the keys)"],
          ["counter", x.counter === null ? "(needs the keys)" : String(x.counter)],
        ]),
      );
      if (x.error) out.line(`hint: ${x.error.hint}`);
      out.line(x.reason);
    });
    return r.verdict === "refused" ? EXIT.failure : EXIT.ok;
  },
};

export const scan: Command = {
  name: "scan",
  summary: "capture the panel, decode it with jsQR and zbarimg, and check the EMV payment code",
  usage: "tapkit scan --port PORT [--png FILE] [--scale N] [--json]",
  examples: ["tapkit scan --port /dev/ttyUSB0", "tapkit scan --port tcp:127.0.0.1:7300 --png shop-42.png --json"],
  options: {
    ...PORT_OPTION,
    png: { type: "string", help: "where to save the picture (default tapkit-scan-<board>-<time>.png in this folder)" },
    scale: { type: "string", help: "pixels per panel pixel in the PNG, 1-8 (default 2)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    // Decimal digits only (no 0x, 1e0, signs), as every numeric option (hardening's option-values.ts).
    const scale = integerOption(opts.scale, "scale", { min: 1, max: 8, what: "pixels per panel pixel", hint: "e.g. --scale 2" }, 2);
    const r = await withDevice(opts, async (d) => {
      const stamp = new Date().toISOString().replace(/[:.]/g, "-").replace(/Z$/, "");
      const png = opts.png ?? `tapkit-scan-${d.hello.board}-${stamp}.png`;
      const frame = await readPanel(d);
      writeFileSync(png, bitmapToPng(frame, scale));
      // zbarimg reads the saved picture: the file a person looks at is the one decoded.
      return { png, ...(await scanFramebuffer(frame, [jsqrDecoder, zbarDecoder(png)])) };
    });
    out.result(r, (x: PanelScan & { png: string }) => printScan(out, x));
    return r.verdict === "ok" ? EXIT.ok : EXIT.failure;
  },
};

function printScan(out: Output, x: PanelScan & { png: string }): void {
  out.line(`picture: ${x.png} (${x.width}x${x.height} panel)`);
  for (const d of x.decoders) out.line(`${d.name.padEnd(8)} ${!d.available ? `missing: ${d.note}` : d.decoded ? "decoded" : "read nothing"}`);
  if (x.payload) out.line(`payload: ${x.payload}`);
  for (const f of x.emv?.fields ?? []) {
    out.line(`${f.id} ${f.name.padEnd(30)} ${f.subs ? "" : f.value}`.trimEnd());
    for (const s of f.subs ?? []) out.line(`   ${f.id}/${s.id} ${s.name.padEnd(26)} ${s.value}`);
  }
  if (x.emv?.problem) out.line(`hint: ${x.emv.problem.hint}`);
  out.line(`${x.verdict === "ok" ? "ok" : "FAILED"}: ${x.reason}`);
}

export const doctor: Command = {
  name: "doctor",
  summary: "one page about a device: firmware, keys (filled or empty), tag, merchant, store wear, state, recent refusals, and what to fix",
  usage: "tapkit doctor --port PORT [--json]",
  examples: ["tapkit doctor --port /dev/ttyUSB0", "tapkit doctor --port tcp:127.0.0.1:7300 --json"],
  options: { ...PORT_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const r = await withDevice(opts, (d) => runDoctor(d));
    out.result(r, (x: DoctorReport) => printDoctor(out, x));
    return r.verdict === "problems" ? EXIT.failure : EXIT.ok;
  },
};

function printDoctor(out: Output, x: DoctorReport): void {
  const rows: string[][] = [
    ["device", `${x.board} (${x.mode}) on ${x.port}`],
    ["firmware", `${x.firmware.version}, HAL ABI ${x.firmware.abi}, shell ${x.firmware.shell}, up ${(x.firmware.uptimeMs / 1000).toFixed(1)} s`],
    ["image slots", x.imageSlots.available ? JSON.stringify(x.imageSlots.slots) : x.imageSlots.note!],
    ["state", `${x.state}${x.demo ? " (DEMO set-up)" : ""}`],
    ["key slots", x.keys.available ? x.keys.slots.map((k) => `${k.slot}:${k.filled ? k.alg : "empty"}`).join("  ") : x.keys.note!],
  ];
  if (x.tag)
    rows.push(
      [
        "tag",
        `${x.tag.mode}, ${x.tag.bytes} bytes, UID ${x.tag.uid}${Object.keys(x.tag.keySlots).length ? `, key slots ${JSON.stringify(x.tag.keySlots)}` : ""}`,
      ],
      ["  url", x.tag.url ?? "(none)"],
      ["  counter", `${x.tag.counter} (last served ${x.tag.lastServed}, limit ${x.tag.limit})`],
    );
  const m = x.merchant.profile;
  rows.push(["merchant", m ? `${m.name}, ${m.city} ${m.country}, currency ${m.currency}, MCC ${m.mcc}, ${m.accounts.length} account(s)` : x.merchant.note!]);
  if (x.store)
    rows.push([
      "store",
      `${x.store.live} of ${x.store.capacity} B used (${x.store.usedPercent.toFixed(0)}%), wear ${x.store.wearPercent.toFixed(2)}% (busiest page ${x.store.maxErase} of ${x.store.rated})`,
    ]);
  if (x.wallet)
    rows.push([
      "wallet",
      x.wallet.provisioned
        ? `balance ${x.wallet.balance ?? "?"} ${x.wallet.currency ?? ""}, counter ${x.wallet.counter ?? "?"}, PIN tries ${x.wallet.pinTries ?? "?"}`
        : "blank",
    ]);
  rows.push(["refusals", x.log.available ? `${x.log.total} since boot` : x.log.note!]);
  out.line(table(rows));
  if (x.problems.length) {
    out.line("");
    for (const p of x.problems) {
      out.line(`${p.severity === "error" ? "PROBLEM" : "warning"} [${p.area}] ${p.problem}`);
      out.line(`  what to do: ${p.fix}`);
    }
  }
  out.line("");
  out.line(`${x.verdict === "healthy" ? "ok" : x.verdict === "warnings" ? "ok with warnings" : "PROBLEMS"}: ${x.summary}`);
}

export const FIELD_COMMANDS: Command[] = [tap, scan, doctor];
