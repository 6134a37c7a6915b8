// tapkit provision (one device of a batch manifest) and tapkit setup plaque (one plaque in the
// field): parse, open the records, run the provisioning library, print a line per step.
import { hostname } from "node:os";
import { join } from "node:path";
import { integerOption } from "../option-values.ts";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { withDevice } from "./connect.ts";
import { fieldManifest } from "../../provision/field-kit.ts";
import { loadManifest, type LoadedManifest } from "../../provision/manifest.ts";
import { loadBatch, openBatchRecords, provisionDevice, STEPS, type ProvisionResult } from "../../provision/provision-device.ts";
import { DB_OPTION } from "./audit.ts";
import type { Output } from "../output.ts";

const COMMON = {
  ...PORT_OPTION,
  ...DB_OPTION,
  station: { type: "string" as const, help: "this station's id in the audit trail (default: the host name)" },
  "station-key": { type: "string" as const, help: "the station's Ed25519 key file (default ~/.local/share/tapkit/stations/ID.key, created on first use)" },
  ...JSON_OPTION,
};

async function run(manifestOf: (board: string) => LoadedManifest, opts: Record<string, any>, out: Output, reprovision?: number): Promise<ProvisionResult> {
  return withDevice(opts, async (device) => {
    const manifest = manifestOf(device.hello.board);
    const batch = loadBatch(manifest);
    // The database packages load when provisioning runs, so other commands start without them.
    const { ProvisioningRecords, loadOrCreateStation } = await import("../../records/index.ts");
    const stationId =
      opts.station ??
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, "-")
        .slice(0, 64);
    const records = await ProvisioningRecords.open(opts.db, loadOrCreateStation(stationId, opts["station-key"]));
    try {
      await openBatchRecords(records, manifest);
      return await provisionDevice(device, batch, records, {
        reprovisionSerial: reprovision,
        onStep: (step, i, detail) => out.status(`[${i}/${STEPS.length}] ${step}: ${detail}`),
      });
    } finally {
      await records.close();
    }
  });
}

function printResult(out: Output, r: ProvisionResult): void {
  out.result(r, (x: ProvisionResult) => {
    out.line(`serial ${x.serial} (UID ${x.uid}, key ${x.kid}) provisioned and ${x.state}${x.run === "resumed" ? " (finished an interrupted run)" : ""}`);
    if (x.check.panel) out.line(`panel: ${x.check.panel.payload}`);
    if (x.check.tap) out.line(`tap: ${x.check.tap.url} (verified, counter ${x.check.tap.counter})`);
  });
}

export const provision: Command = {
  name: "provision",
  summary: "give a blank device its identity, keys, certificate and profile from a batch manifest, verify it, lock it",
  usage: "tapkit provision --port PORT --manifest FILE [--db URL] [--station NAME] [--reprovision SERIAL] [--json]",
  examples: [
    "tapkit provision --port /dev/ttyUSB0 --manifest batch-2026-12.json",
    "tapkit provision --port /tmp/tapkit-sim-plaque-1234 --manifest batch.json --db sqlite:line1.sqlite --json",
  ],
  options: {
    ...COMMON,
    manifest: { type: "string", help: "the batch manifest (docs/provisioning.md, Manifest)" },
    reprovision: { type: "string", help: "authorise redoing a provisioned device: its serial number" },
  },
  async run(opts, _pos, out) {
    if (!opts.manifest) throw usageError("--manifest is required", "the batch manifest (docs/provisioning.md has an example)");
    let reprovision: number | undefined;
    if (opts.reprovision !== undefined) {
      reprovision = integerOption(opts.reprovision, "reprovision", {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        what: "the device's serial number",
        hint: "read it with tapkit info",
      });
    }
    const manifest = loadManifest(opts.manifest);
    printResult(out, await run(() => manifest, opts, out, reprovision));
  },
};

export const setupPlaque: Command = {
  name: "setup plaque",
  summary: "set up one plaque for one merchant in the field: identity, keys, tag, profile, check, lock",
  usage: "tapkit setup plaque --port PORT --merchant FILE --keys DIR [--url TEMPLATE] [--db URL] [--json]",
  examples: [
    "tapkit setup plaque --port /dev/ttyUSB0 --merchant cafe.json --keys field-kit",
    "tapkit setup plaque --port /dev/ttyUSB0 --merchant cafe.json --keys field-kit --url 'https://pay.example.com/t?p={picc}&c={mac}'",
  ],
  options: {
    ...COMMON,
    merchant: { type: "string", help: "merchant profile JSON (as tapkit merchant set --profile takes it)" },
    keys: { type: "string", help: "field kit: issuer directory with sun-meta.key and sun-file.key (docs/provisioning.md, Field set-up)" },
    url: { type: "string", help: "tap URL template with {picc} and {mac} (default: the kit's, else https://tap.example.com/t?p={picc}&c={mac})" },
  },
  async run(opts, _pos, out) {
    if (!opts.merchant) throw usageError("--merchant is required", "a JSON merchant profile: name, city, country, currency, mcc, accounts");
    if (!opts.keys) throw usageError("--keys is required", "the field kit directory (docs/provisioning.md, Field set-up)");
    // The kit keeps its own records unless --db names the shared ones.
    const db = opts.db ?? `sqlite:${join(opts.keys, "provisioning.sqlite")}`;
    const r = await run((board) => fieldManifest(opts.keys, board, opts.merchant, opts.url), { ...opts, db }, out);
    printResult(out, r);
  },
};

export const PROVISION_COMMANDS: Command[] = [provision, setupPlaque];
