// One provisioning station as its own process, for the multi-station tests: opens the records
// database, waits for the shared start instant, then provisions `count` devices of the batch
// with a light fake device step (a fresh Ed25519 device key, a fresh AES tap key recorded by
// id and KCV only, a certificate = the batch key's signature over the device key). Prints
// one JSON line per device with the serial, UID and the AES key it made, so the parent can
// check that no serial or UID came out twice and that no key byte reached the database.
// argv: dbUrl stationId batchId count startAtMs
import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "node:crypto";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { ProvisioningRecords, aesKcv, stationFromSecret } from "../../host-tools/src/records/index.ts";

const [dbUrl, stationId, batch, countText, startAt] = process.argv.slice(2);
const batchKey = new Uint8Array(32).fill(0x42);

const station = stationFromSecret(stationId, randomBytes(32));
const records = await ProvisioningRecords.open(dbUrl, station);
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
for (let i = 0; i < Number(countText); i++) {
  const device = await records.allocateDevice(batch);
  const devicePub = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
  const tapKey = randomBytes(16);
  await records.recordStep(device.serial, {
    step: "keys-generated",
    state: "provisioning",
    publicKey: devicePub,
    keys: [{ role: "sun-file", keyId: `master-1/${device.uid}`, kcv: aesKcv(tapKey), alg: "AES-128" }],
  });
  await records.recordStep(device.serial, { step: "certified", certificate: ed25519.sign(devicePub, batchKey) });
  await records.recordStep(device.serial, { step: "locked", state: "provisioned", result: "ok", firmwareHash: randomBytes(32) });
  process.stdout.write(`${JSON.stringify({ serial: device.serial, uid: device.uid, tapKey: toHex(tapKey) })}\n`);
}
await records.close();
