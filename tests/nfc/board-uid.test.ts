// Boards as data: each board's firmware presents the UID its board file names (nfc.uid),
// both to the shell (hal.nfc_configure) and inside the SUN PICCData a backend decrypts. The
// two shipped boards have different UIDs, so a UID fixed in the firmware fails one of them.
import { test } from "vitest";
import assert from "node:assert/strict";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { bootTag, toHex } from "./nfc-fixture.ts";
import { buildTapTemplate, readNdefType4, setTag, decodeMessage, describeRecord } from "../../host-tools/src/ndef/index.ts";
import { verifySun } from "../../host-tools/src/verify/index.ts";
import { ALG_AES128 } from "../../host-tools/src/sim/keystore.ts";

for (const name of ["sim-plaque", "sim-card"] as const) {
  test(`${name} presents its board file's UID`, async () => {
    const uid = loadBoard(name).nfc.uid;
    const t = await bootTag(name);
    try {
      assert.equal(toHex(t.device.nfc.uid), uid, "hal.nfc_configure got the board's UID");
      const key = new Uint8Array(16).fill(9);
      t.device.keystore.import(2, ALG_AES128, key);
      t.device.keystore.import(3, ALG_AES128, key);
      await setTag(t.client, buildTapTemplate({ url: "https://pay.example.com/t?p={picc}&c={mac}" }));
      t.device.field(false);
      const read = await readNdefType4((a) => t.device.nfcApdu(a));
      const view = describeRecord(decodeMessage(read.message)[0]);
      assert.equal(view.kind, "uri");
      const q = new URL((view as { uri: string }).uri).searchParams;
      const r = verifySun({ picc: Buffer.from(q.get("p")!, "hex"), mac: Buffer.from(q.get("c")!, "hex"), metaKey: key, fileKey: key });
      assert.equal(toHex(r.uid), uid, "the SUN PICCData carries the board's UID");
    } finally {
      await t.close();
    }
  });
}
