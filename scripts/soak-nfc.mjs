// NFC robustness soak: 1,000,000 random and mutated commands (npm test runs 50,000) against
// the built plaque firmware in process: 400,000 APDUs on the SUN tag, 400,000 on a writable
// static tag, 200,000 Type 2 commands. Exits 1 on a trap or an undefined answer.
// Usage: node --import tsx scripts/soak-nfc.mjs [total] [seed]
import { loadBoard } from "../host-tools/src/boards/index.ts";
import { firmwarePath } from "../host-tools/src/paths.ts";
import { SimDevice } from "../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../host-tools/src/device/client.ts";
import { encodeMessage, setPersonality, setTag, uriRecord } from "../host-tools/src/ndef/index.ts";
import { fuzzTag } from "../hil-tests/cases/nfc-fuzz.ts";

const total = Number(process.argv[2] ?? 1000000);
const seed = Number(process.argv[3] ?? 1);
const t0 = Date.now();
const device = await SimDevice.create({ board: loadBoard("sim-plaque"), wasm: firmwarePath("sim-plaque"), tickMs: 0, seed });
const client = await DeviceClient.over(inProcessTransport(device));
const apdu = (c) => device.nfcApdu(c);
const fieldOff = () => device.field(false);
const runs = [];
const phase = async (name, count, target, opts = {}) => {
  const r = await fuzzTag(target, { count, seed: seed * 1000 + runs.length, ...opts });
  runs.push({ name, count, failures: r.failures, bySw: r.bySw });
  process.stderr.write(`${name}: ${count} commands, ${r.failures.length} failures, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
};
await phase("sun", Math.round(total * 0.4), { apdu, fieldOff });
await setTag(client, { m: encodeMessage([uriRecord("https://pay.example.com/x")]), mode: 0, writable: true });
await phase("writable", Math.round(total * 0.4), { apdu, fieldOff });
await setPersonality(client, 2);
await phase("type2", total - 2 * Math.round(total * 0.4), { apdu, fieldOff, t2t: (c) => device.nfcT2t(c) }, { t2tShare: 1 });
const failures = runs.reduce((n, r) => n + r.failures.length, 0);
console.log(JSON.stringify({ total, seed, boots: device.boots, failures, runs, seconds: (Date.now() - t0) / 1000 }, null, 2));
await client.close();
device.close();
process.exit(failures || device.boots !== 1 ? 1 : 0);
