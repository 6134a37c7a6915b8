// Independent decode gate: the firmware encodes and renders payloads on the simulated panel
// for versions 1-15 x ECC L-H x 2-4 px/module (every combination the 200x200 panel holds
// with a 4-module quiet zone); each panel PNG must decode to the exact payload bytes with
// jsQR and with zbarimg --raw. 100% required at >= 3 px/module; 2 px/module is reported
// and must stay at 100% too on this clean synthetic image.
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { CHANNEL } from "../../host-tools/src/link/index.ts";
import { ECC_LEVELS } from "../../host-tools/src/qr/device-qr.ts";
import { decodeWithJsqr, decodeWithZbar, zbarAvailable } from "../../host-tools/src/qr/decoders.ts";
import { plaque, rng } from "./qr-fixture.ts";
import { cpuHeavyTests } from "../support/long-tests.ts";

cpuHeavyTests();

// qrcode's capacity table sizes the payloads (a peer's table; the firmware is still told v).
const require = createRequire(import.meta.url);
const QrVersion = require("qrcode/lib/core/version.js");
const QrEcc = require("qrcode/lib/core/error-correction-level.js");
const QrMode = require("qrcode/lib/core/mode.js");

const PANEL = 200;
const QUIET = 4;

test("panel snapshots decode with jsQR and zbarimg: v1-15 x L-H x 2-4 px/module", async (t) => {
  const { device, client } = await plaque(t);
  const dir = mkdtempSync(join(tmpdir(), "tapkit-qr-gate-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const r = rng(15);
  const frames: { file: string; payload: Uint8Array; label: string; scale: number }[] = [];
  for (let version = 1; version <= 15; version++) {
    for (const ecl of ECC_LEVELS) {
      const capacity = QrVersion.getCapacity(version, QrEcc[ecl], QrMode.BYTE);
      for (let scale = 2; scale <= 4; scale++) {
        if ((version * 4 + 17 + 2 * QUIET) * scale > PANEL) continue;
        // Printable ASCII without newline, long enough to need this version in byte mode.
        const n = Math.max(1, capacity - Math.floor(r() * 4));
        const payload = Uint8Array.from({ length: n }, () => 0x61 + Math.floor(r() * 26));
        const shown = await client.session.request(CHANNEL.APP, "qr.show", {
          text: payload,
          ecl: ECC_LEVELS.indexOf(ecl),
          min: version,
          max: version,
          scale,
          quiet: QUIET,
        });
        assert.deepEqual([shown.v, shown.scale, shown.quiet, shown.forced], [version, scale, QUIET, false]);
        const file = join(dir, `v${version}-${ecl}-${scale}.png`);
        device.panel!.toPng(file);
        frames.push({ file, payload, label: `v${version} ${ecl} ${scale}px`, scale });
      }
    }
  }
  assert.equal(frames.length, 60 + 40 + 24);
  const failures: string[] = [];
  for (const f of frames) {
    const got = decodeWithJsqr(readFileSync(f.file));
    if (!got || !Buffer.from(got).equals(Buffer.from(f.payload))) failures.push(`jsQR ${f.label}`);
  }
  if (zbarAvailable()) {
    const zbar = decodeWithZbar(frames.map((f) => f.file));
    frames.forEach((f, i) => {
      const got = zbar[i];
      if (!got || !Buffer.from(got).equals(Buffer.from(f.payload))) failures.push(`zbarimg ${f.label}`);
    });
  } else {
    console.error("\n*** SKIPPED: zbarimg not found (apt-get install zbar-tools); only jsQR decoded the frames ***\n");
    await t.annotate("zbarimg missing: zbar half of the decode gate skipped");
  }
  assert.deepEqual(failures, [], `frames that did not decode to the exact payload: ${failures.join(", ")}`);
});
