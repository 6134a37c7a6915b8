// Our automatic mask choice against Nayuki's generator: for seeded inputs across versions
// 1-15 and all four ECC levels, Nayuki (npm nayuki-qr-code-generator) encodes the segments,
// level and version our firmware reported, chooses its own mask, and must arrive at the same
// mask and the same module grid. This pins the packed penalty scorer (penalty.ts) to the
// reference reading of ISO 18004 7.8.3, ties included (lowest mask index wins in both).
import { test } from "vitest";
import assert from "node:assert/strict";
import { encodeOnDevice } from "../../host-tools/src/qr/device-qr.ts";
import { nayukiEncode } from "../../host-tools/src/qr/peer-nayuki.ts";
import { plaque, randomCase, rng } from "./qr-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const CASES = Number(process.env.QR_NAYUKI_CASES ?? 400);

test(`automatic mask and grid equal Nayuki's for ${CASES} seeded inputs`, async (t) => {
  const { client } = await plaque(t);
  const r = rng(0x4e4159);
  const versions = new Set<number>();
  const levels = new Set<string>();
  let compared = 0;
  for (let i = 0; i < CASES; i++) {
    const c = randomCase(r);
    // Automatic mask always; a minimum version on a third of the cases spreads the versions.
    const opts = { ...c.opts, mask: undefined, minVersion: r() < 0.33 ? 1 + Math.floor(r() * 15) : undefined };
    let ours;
    try {
      ours = await encodeOnDevice(client, c.text, opts);
    } catch (e: any) {
      if (/too-large|does not fit/.test(`${e.code} ${e.message}`)) continue;
      throw e;
    }
    const label = `case ${i}: v${ours.version} ${ours.ecl} ${Buffer.from(c.text).toString("hex").slice(0, 32)}`;
    const ref = nayukiEncode(ours.segments, ours.ecl, ours.version);
    assert.equal(ref.side, ours.side, label);
    assert.equal(ours.mask, ref.mask, `${label}: mask ${ours.mask}, Nayuki chose ${ref.mask}`);
    assert.ok(Buffer.from(ref.modules).equals(Buffer.from(ours.modules)), `${label}: grid differs (mask ${ours.mask})`);
    versions.add(ours.version);
    levels.add(ours.ecl);
    compared++;
  }
  assert.ok(compared > CASES * 0.9, `only ${compared} of ${CASES} inputs fit`);
  assert.equal(levels.size, 4, `levels covered: ${[...levels]}`);
  assert.ok(versions.size >= 12, `versions covered: ${[...versions].sort((a, b) => a - b)}`);
});
