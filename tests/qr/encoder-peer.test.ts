// Bit-exact check of the firmware QR encoder against the qrcode npm package: same segments
// (the firmware's own plan), level, version and mask must give the same module grid; the
// automatic mask must be the lowest penalty (ties -> lowest index) computed here from the
// peer's grids for all 8 masks. Bounded count here; scripts/soak-qr.mjs runs >= 100,000.
import { test } from "vitest";
import assert from "node:assert/strict";
import { encodeOnDevice } from "../../host-tools/src/qr/device-qr.ts";
import { peerEncode } from "../../host-tools/src/qr/peer-qrcode.ts";
import { penalty } from "./penalty-oracle.ts";
import { plaque, randomCase, rng } from "./qr-fixture.ts";
import { cpuHeavyTests } from "../support/long-tests.ts";

cpuHeavyTests();

const CASES = Number(process.env.QR_PEER_CASES ?? 3000);

test(`firmware grid equals qrcode's for ${CASES} random inputs; auto mask = penalty minimum`, async (t) => {
  const { client } = await plaque(t);
  const r = rng(0x5eed);
  let autoMasks = 0;
  let tooLong = 0;
  for (let i = 0; i < CASES; i++) {
    const c = randomCase(r);
    let ours;
    try {
      ours = await encodeOnDevice(client, c.text, c.opts);
    } catch (e: any) {
      if (e.code === "too-large" || /too-large/.test(String(e.message))) {
        tooLong++;
        continue;
      }
      throw e;
    }
    const label = `case ${i}: ${Buffer.from(c.text).toString("hex").slice(0, 40)} ${JSON.stringify(c.opts)}`;
    assert.equal(
      ours.segments.reduce((n, s) => n + s.data.length, 0),
      c.text.length,
      label,
    );
    const peer = peerEncode(ours.segments, ours.ecl, ours.version, ours.mask);
    assert.equal(peer.side, ours.side, label);
    assert.ok(Buffer.from(peer.modules).equals(Buffer.from(ours.modules)), `${label}: grid differs (v${ours.version} ${ours.ecl} mask ${ours.mask})`);
    if (c.opts.mask === undefined) {
      autoMasks++;
      const scores = [0, 1, 2, 3, 4, 5, 6, 7].map((m) => penalty(peerEncode(ours.segments, ours.ecl, ours.version, m).modules, ours.side));
      const best = scores.indexOf(Math.min(...scores));
      assert.equal(ours.mask, best, `${label}: penalties ${scores.join(",")}`);
    } else {
      assert.equal(ours.mask, c.opts.mask, label);
    }
  }
  assert.ok(autoMasks > CASES / 4, `auto-mask cases ${autoMasks}`);
  assert.ok(tooLong < CASES / 10, `too many inputs did not fit: ${tooLong}`);
});
