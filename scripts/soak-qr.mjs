// QR encoder soak: >= 100,000 random inputs (npm test runs 3,000) through the firmware's
// qr.encode on the simulated plaque; every grid must equal the qrcode package's for the same
// segments, level, version and mask, and every automatic mask must be the penalty minimum
// (ties -> lowest) computed from the peer's grids. Exits 1 on any mismatch.
// Usage: node --import tsx scripts/soak-qr.mjs [cases] [seed] [board]
import { loadBoard } from "../host-tools/src/boards/index.ts";
import { DeviceClient } from "../host-tools/src/device/client.ts";
import { firmwarePath } from "../host-tools/src/paths.ts";
import { SimDevice } from "../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../host-tools/src/sim/in-process-transport.ts";
import { encodeOnDevice } from "../host-tools/src/qr/device-qr.ts";
import { peerEncode } from "../host-tools/src/qr/peer-qrcode.ts";
import { penalty } from "../tests/qr/penalty-oracle.ts";
import { randomCase, rng } from "../tests/qr/qr-fixture.ts";

const cases = Number(process.argv[2] ?? 100000);
const seed = Number(process.argv[3] ?? 1);
const board = loadBoard(process.argv[4] ?? "sim-plaque");
const device = await SimDevice.create({ board, wasm: firmwarePath(board.name), tickMs: 0, seed: 1 });
const client = await DeviceClient.over(inProcessTransport(device));
const r = rng(seed);
const t0 = Date.now();
const tally = { cases, encoded: 0, tooLong: 0, autoMasks: 0, gridMismatches: 0, maskMismatches: 0, peerAgreesOnMask: 0, versions: {} };
const failures = [];
for (let i = 0; i < cases; i++) {
  const c = randomCase(r);
  let ours;
  try {
    ours = await encodeOnDevice(client, c.text, c.opts);
  } catch (e) {
    if (/too-large/.test(String(e.message))) {
      tally.tooLong++;
      continue;
    }
    throw e;
  }
  tally.encoded++;
  tally.versions[ours.version] = (tally.versions[ours.version] ?? 0) + 1;
  const peer = peerEncode(ours.segments, ours.ecl, ours.version, ours.mask);
  if (!Buffer.from(peer.modules).equals(Buffer.from(ours.modules))) {
    tally.gridMismatches++;
    failures.push({ i, text: Buffer.from(c.text).toString("hex"), opts: c.opts, version: ours.version, mask: ours.mask });
  }
  if (c.opts.mask === undefined) {
    tally.autoMasks++;
    const scores = [0, 1, 2, 3, 4, 5, 6, 7].map((m) => penalty(peerEncode(ours.segments, ours.ecl, ours.version, m).modules, ours.side));
    if (ours.mask !== scores.indexOf(Math.min(...scores))) {
      tally.maskMismatches++;
      failures.push({ i, text: Buffer.from(c.text).toString("hex"), opts: c.opts, mask: ours.mask, scores });
    }
    // Not a pass criterion: how often qrcode's own mask choice agrees with the penalty rule.
    if (peerEncode(ours.segments, ours.ecl, ours.version).mask === ours.mask) tally.peerAgreesOnMask++;
  }
  if ((i + 1) % 10000 === 0) process.stderr.write(`${i + 1}/${cases}, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
await client.close();
device.close();
console.log(JSON.stringify({ ...tally, seconds: (Date.now() - t0) / 1000, failures: failures.slice(0, 20) }, null, 2));
process.exit(tally.gridMismatches + tally.maskMismatches ? 1 : 0);
