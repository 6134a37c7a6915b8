// The tag's configuration survives power loss like a programmed NTAG: what `tag.set` or a
// phone's NDEF write put on the tag is in the store before the tag serves it, comes back
// after a power cycle (read with Android's Type 4 procedure, parsed with the `ndef`
// package), and a power cut at any flash operation of the save leaves either the old or
// the new configuration, never a mix.
import { test } from "vitest";
import assert from "node:assert/strict";
import ndef from "ndef";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { buildTapTemplate, encodeMessage, getTag, readNdefType4, setTag, textRecord, uriRecord } from "../../host-tools/src/ndef/index.ts";
import { verifySun } from "../../host-tools/src/verify/index.ts";
import { ALG_AES128 } from "../../host-tools/src/sim/keystore.ts";
import { hex, toHex } from "./nfc-fixture.ts";

async function boot(): Promise<{ device: SimDevice; client: () => Promise<DeviceClient> }> {
  const device = await SimDevice.create({ board: loadBoard("sim-plaque"), wasm: firmwarePath("sim-plaque"), tickMs: 0, seed: 3 });
  return { device, client: () => DeviceClient.over(inProcessTransport(device), "sim", { timeoutMs: 300, retries: 0 }) };
}

async function readUrl(device: SimDevice): Promise<string> {
  device.field(false);
  const read = await readNdefType4((a) => device.nfcApdu(a));
  return ndef.decodeMessage(Array.from(read.message))[0].value as string;
}

test("tag.set content, mirrors and UID come back after a power cycle; the SUN counter continues", async () => {
  const { device, client } = await boot();
  try {
    const key = new Uint8Array(16).fill(0x42);
    device.keystore.import(2, ALG_AES128, key);
    device.keystore.import(3, ALG_AES128, key);
    let c = await client();
    const uid = hex("04112233445566");
    await setTag(c, { ...buildTapTemplate({ url: "https://shop.example/t?p={picc}&c={mac}", aar: "com.example.pay" }), tag_uid: uid });
    const before = await getTag(c);
    const url1 = new URL(await readUrl(device));
    const tap1 = verifySun({ picc: hex(url1.searchParams.get("p")!), mac: hex(url1.searchParams.get("c")!), metaKey: key, fileKey: key });
    await c.close();

    device.power("off");
    device.power("on");
    c = await client();
    const after = await getTag(c);
    await c.close();
    assert.deepEqual(after.m, before.m, "message kept");
    for (const k of ["mode", "picc", "mac", "mac_in", "meta", "file", "limit", "writable"] as const) assert.equal(after[k], before[k], `${k} kept`);
    assert.equal(toHex(after.tag_uid), "04112233445566", "UID kept");
    const url2 = new URL(await readUrl(device));
    assert.equal(url2.origin + url2.pathname, "https://shop.example/t");
    const tap2 = verifySun({ picc: hex(url2.searchParams.get("p")!), mac: hex(url2.searchParams.get("c")!), metaKey: key, fileKey: key });
    assert.equal(toHex(tap2.uid), "04112233445566");
    assert.ok(tap2.counter > tap1.counter, `counter ${tap2.counter} after ${tap1.counter}: never repeats across the power cycle`);
  } finally {
    device.close();
  }
});

test("a phone's NDEF write to a writable tag is kept across a power cycle", async () => {
  const { device, client } = await boot();
  try {
    const c = await client();
    await setTag(c, { m: encodeMessage([uriRecord("https://old.example/")]), mode: 0, writable: true });
    await c.close();
    const next = encodeMessage([uriRecord("https://written.example/x"), textRecord("by a phone")]);
    device.field(false);
    const ok = (h: string | Uint8Array) => assert.equal(toHex(device.nfcApdu(typeof h === "string" ? hex(h) : h)).slice(-4), "9000");
    ok("00A4040007D276000085010100");
    ok("00A4000C02E104");
    ok("00D60000020000");
    ok(Uint8Array.from([0x00, 0xd6, 0x00, 0x02, next.length, ...next]));
    ok(Uint8Array.from([0x00, 0xd6, 0x00, 0x00, 0x02, next.length >> 8, next.length & 0xff]));
    device.power("off");
    device.power("on");
    device.field(false);
    const read = await readNdefType4((a) => device.nfcApdu(a));
    const records = ndef.decodeMessage(Array.from(read.message));
    assert.equal(records[0].value, "https://written.example/x");
    assert.equal(records[1].value, "by a phone");
  } finally {
    device.close();
  }
});

test("a power cut at each flash operation of a save leaves the old or the new tag, never a mix", async () => {
  const { device, client } = await boot();
  try {
    const old = { m: encodeMessage([uriRecord("https://old.example/" + "o".repeat(600))]), mode: 0, writable: false, tag_uid: hex("04000000000001") };
    const fresh = {
      m: encodeMessage([uriRecord("https://new.example/" + "n".repeat(700)), textRecord("two parts")]),
      mode: 0,
      writable: true,
      tag_uid: hex("04000000000002"),
    };
    let c = await client();
    await setTag(c, old);
    await c.close();
    const seen = { old: 0, new: 0 };
    let completed = false;
    for (let op = 1; op < 200 && !completed; op++) {
      for (const phase of ["before", "during", "after"] as const) {
        c = await client();
        await setTag(c, old);
        const boots = device.boots;
        device.flash.cutPowerAt({ op, phase });
        const result = await setTag(c, fresh).then(
          () => "answered",
          () => "lost",
        );
        device.flash.onOperation(null);
        await c.close();
        if (device.boots === boots) {
          assert.equal(result, "answered");
          completed = true;
        }
        c = await client();
        const t = await getTag(c);
        await c.close();
        const isOld = Buffer.from(t.m).equals(Buffer.from(old.m)) && toHex(t.tag_uid) === "04000000000001" && t.writable === false;
        const isNew = Buffer.from(t.m).equals(Buffer.from(fresh.m)) && toHex(t.tag_uid) === "04000000000002" && t.writable === true;
        assert.ok(isOld || isNew, `cut ${phase} op ${op}: the tag is neither the old nor the new configuration`);
        if (completed) assert.ok(isNew, "an answered save is kept");
        seen[isOld ? "old" : "new"]++;
        if (completed) break;
      }
    }
    assert.ok(completed, "the save finished within 200 flash operations");
    assert.ok(seen.old > 0 && seen.new > 0, `both outcomes occur: ${JSON.stringify(seen)}`);
  } finally {
    device.close();
  }
});
