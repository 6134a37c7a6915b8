// tapkit provision (one device of a batch manifest) and tapkit setup plaque (one plaque in the
// field): parse, open the records, run the provisioning library, print a line per step.
import { hostname } from "node:os";
import { join } from "node:path";
import { integerOption } from "../option-values.ts";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { connect, parseBaud, resolvePort, withDevice } from "./connect.ts";
import { flashProgressPrinter } from "./flash.ts";
import { BootClient } from "../../update/boot-client.ts";
import { LinkError } from "../../link/index.ts";
import { installBatchImage, type FirmwareFacts } from "../../provision/firmware-step.ts";
import { fieldManifest } from "../../provision/field-kit.ts";
import { loadManifest, type LoadedManifest } from "../../provision/manifest.ts";
import { loadBatch, openBatchRecords, provisionDevice, STEPS, type ProvisionOptions, type ProvisionResult } from "../../provision/provision-device.ts";
import { grantReprovision, readGrant } from "../../provision/reprovision-grant.ts";
import { loadIssuer } from "../../wallet/issuer.ts";
import { writeFileDurably } from "../../files/durable-write.ts";
import { DB_OPTION } from "./audit.ts";
import type { Output } from "../output.ts";

const COMMON = {
  ...PORT_OPTION,
  ...DB_OPTION,
  station: { type: "string" as const, help: "this station's id in the audit trail (default: the host name)" },
  "station-key": { type: "string" as const, help: "the station's Ed25519 key file (default ~/.local/share/tapkit/stations/ID.key, created on first use)" },
  ...JSON_OPTION,
};

/** The batch manifest itself, or (field set-up) one made for the board the device answers as. */
type ManifestSource = LoadedManifest | ((board: string) => LoadedManifest);

async function run(source: ManifestSource, opts: Record<string, any>, out: Output, reprovision?: ProvisionOptions["reprovision"]): Promise<ProvisionResult> {
  // The database packages load when provisioning runs, so other commands start without them.
  const { ProvisioningRecords, loadOrCreateStation } = await import("../../records/index.ts");
  const stationId =
    opts.station ??
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, "-")
      .slice(0, 64);
  const prepared = typeof source === "function" ? undefined : { manifest: source, batch: loadBatch(source) };
  const records = await ProvisioningRecords.open(opts.db, loadOrCreateStation(stationId, opts["station-key"]));
  try {
    // With an image in the manifest, the board shell installs it first, over its boot channel.
    const flashing = Boolean(prepared?.manifest.image);
    const total = STEPS.length + (flashing ? 1 : 0);
    const status = (i: number, step: string, detail: string) => out.status(`[${i}/${total}] ${step}: ${detail}`);
    let firmware: FirmwareFacts | undefined;
    if (prepared && flashing) {
      await openBatchRecords(records, prepared.manifest);
      // What the running firmware says it is, so a provisioned device is refused before it is flashed.
      const found = await probeLifecycle(opts);
      const progress = flashProgressPrinter(out);
      const boot = await openAgain(found !== undefined, () => BootClient.connect(resolvePort(opts), { baud: parseBaud(opts.baud) }));
      try {
        firmware = await installBatchImage(boot, prepared.batch, records, {
          found,
          reprovision: reprovision !== undefined,
          onProgress: progress,
          onStep: (s) => out.status(`      ${s}`),
        });
      } finally {
        await boot.close();
      }
      status(1, "firmware", `${firmware.version} ${firmware.sha256.slice(0, 16)} ${firmware.action}`);
    }
    const device = await openAgain(flashing, () => connect(opts));
    try {
      const manifest = prepared?.manifest ?? (source as (board: string) => LoadedManifest)(device.hello.board);
      const batch = prepared?.batch ?? loadBatch(manifest);
      await openBatchRecords(records, manifest);
      return await provisionDevice(device, batch, records, {
        reprovision,
        firmware,
        onStep: (step, i, detail) => status(i + (flashing ? 1 : 0), step, detail),
      });
    } finally {
      await device.close();
    }
  } finally {
    await records.close();
  }
}

/**
 * Opens the port; after another session on it closed, a few tries more while it is missing
 * or failing: a pty (socat, tapkit sim) is re-created for a moment when a session closes it.
 */
async function openAgain<T>(reopened: boolean, open: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (e) {
      // Missing, still the closing pty (EIO on the first write), or closed under the first hello
      // while the simulator re-creates it (seen under load): try the path again.
      const transient = e instanceof LinkError && (e.code === "PORT_MISSING" || e.code === "PORT_ERROR" || e.code === "LINK_CLOSED");
      if (!reopened || attempt >= 20 || !transient) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The lifecycle state and serial the running firmware reports, or undefined when none answers (a shell in recovery). */
async function probeLifecycle(opts: Record<string, any>): Promise<{ state: string; serial?: number } | undefined> {
  try {
    return await withDevice({ ...opts, timeoutMs: 1000 }, async (d) => {
      const id = await d.ops.identity.get();
      return { state: id.state, serial: id.serial };
    });
  } catch (e) {
    if (e instanceof LinkError && e.code === "PORT_MISSING") throw e;
    return undefined;
  }
}

function printResult(out: Output, r: ProvisionResult): void {
  out.result(r, (x: ProvisionResult) => {
    if (x.replaced) out.line(`wiped serial ${x.replaced.serial} (UID ${x.replaced.uid}); its record is kept, marked reprovisioned`);
    out.line(`serial ${x.serial} (UID ${x.uid}, key ${x.kid}) provisioned and ${x.state}${x.run === "resumed" ? " (finished an interrupted run)" : ""}`);
    if (x.check.panel) out.line(`panel: ${x.check.panel.payload}`);
    if (x.check.tap) out.line(`tap: ${x.check.tap.url} (verified, counter ${x.check.tap.counter})`);
  });
}

export const provision: Command = {
  name: "provision",
  summary: "give a blank device its identity, keys, certificate and profile from a batch manifest, verify it, lock it",
  usage: "tapkit provision --port PORT --manifest FILE [--db URL] [--station NAME] [--reprovision SERIAL --grant FILE] [--json]",
  examples: [
    "tapkit provision --port /dev/ttyUSB0 --manifest batch-2026-12.json",
    "tapkit provision --port /dev/ttyUSB0 --manifest batch.json --reprovision 1042 --grant grant-1042.json   # wipe and redo serial 1042",
    "tapkit provision --port /tmp/tapkit-sim-plaque-1234 --manifest batch.json --db sqlite:line1.sqlite --json",
  ],
  options: {
    ...COMMON,
    manifest: { type: "string", help: "the batch manifest (docs/provisioning.md, Manifest)" },
    reprovision: { type: "string", help: "redo a provisioned or locked device (it is wiped): its serial number; needs --grant" },
    grant: { type: "string", help: "the re-provisioning grant for that device, signed by the root (tapkit provision authorise)" },
  },
  async run(opts, _pos, out) {
    if (!opts.manifest) throw usageError("--manifest is required", "the batch manifest (docs/provisioning.md has an example)");
    let reprovision: ProvisionOptions["reprovision"];
    if (opts.grant !== undefined && opts.reprovision === undefined)
      throw usageError("--grant goes with --reprovision SERIAL", "name the serial the grant is for");
    if (opts.reprovision !== undefined) {
      const serial = integerOption(opts.reprovision, "reprovision", {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        what: "the device's serial number",
        hint: "read it with tapkit info",
      });
      // Without a grant the device is still checked, and refused with what to ask for.
      reprovision = { serial, grant: opts.grant === undefined ? undefined : readGrant(opts.grant) };
    }
    const manifest = loadManifest(opts.manifest);
    printResult(out, await run(manifest, opts, out, reprovision));
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

export const provisionAuthorise: Command = {
  name: "provision authorise",
  summary: "sign a grant that lets a station wipe and re-provision one device (root key holder only)",
  usage: "tapkit provision authorise --issuer DIR --batch ID --serial N --uid UID [--reason TEXT] [--hours N] [--out FILE] [--json]",
  examples: ["tapkit provision authorise --issuer issuer --batch B2026-12 --serial 1042 --uid 04A1B2C3D4E5F6 --reason 'RMA 7731' --out grant-1042.json"],
  options: {
    issuer: { type: "string", help: "issuer directory with the root key (tapkit issuer init)" },
    batch: { type: "string", help: "the batch the device is provisioned into (the manifest's /batch)" },
    serial: { type: "string", help: "the device's serial now (tapkit info)" },
    uid: { type: "string", help: "the device's NFC UID now, 14 hex digits (tapkit info)" },
    reason: { type: "string", default: "", help: "why (kept in the audit trail)" },
    hours: { type: "string", help: "hours the grant stays valid (default 24)" },
    out: { type: "string", help: "write the grant here (default: standard output)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    for (const name of ["issuer", "batch", "serial", "uid"] as const)
      if (!opts[name]) throw usageError(`--${name} is required`, "tapkit provision authorise --issuer DIR --batch ID --serial N --uid UID");
    const serial = integerOption(opts.serial, "serial", { min: 0, max: Number.MAX_SAFE_INTEGER, what: "a serial number", hint: "tapkit info shows it" });
    const hours = integerOption(opts.hours, "hours", { min: 1, max: 24 * 365, what: "hours", hint: "e.g. --hours 24" }, 24);
    if (!/^04[0-9A-Fa-f]{12}$/.test(opts.uid))
      throw usageError(`--uid ${opts.uid} is not a 7-byte NFC UID`, "14 hex digits starting 04, as tapkit info shows it");
    const grant = grantReprovision(loadIssuer(opts.issuer).root, { batch: opts.batch, serial, uid: opts.uid, reason: opts.reason ?? "", hours });
    const text = `${JSON.stringify(grant, null, 2)}\n`;
    if (opts.out) writeFileDurably(opts.out, new TextEncoder().encode(text));
    if (opts.out || out.json)
      out.result({ ...grant, file: opts.out ?? null }, () =>
        out.line(`grant for serial ${serial} (UID ${grant.uid}) into batch ${grant.batch}, valid until ${grant.notAfter}: ${opts.out}`),
      );
    else process.stdout.write(text);
  },
};

export const PROVISION_COMMANDS: Command[] = [provision, provisionAuthorise, setupPlaque];
