// Dynamic tap URLs from the built firmware, checked with @noble (host-tools/src/verify uses
// @noble/ciphers AES/CMAC and @noble/curves, never the firmware's code): the AN12196 vectors
// byte for byte, SDMENCFileData, plain mirrors, counter rules (once per read session, never
// for NLEN-only reads, persisted across reboots), epoch rollover, signed URLs, replay store.
import { test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ndef from "ndef";
import { ed25519 } from "@noble/curves/ed25519.js";
import { bootTag, hex, SELECT_APP, SELECT_NDEF, type Tag } from "./nfc-fixture.ts";
import { buildTapTemplate, getTag, readNdefType4, setTag } from "../../host-tools/src/ndef/index.ts";
import { ReplayStore, verifySignedUrl, verifySun, verifyTapUrl, type TagKeys } from "../../host-tools/src/verify/index.ts";
import { ALG_AES128 } from "../../host-tools/src/sim/keystore.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";

const ZERO = new Uint8Array(16);

async function tapUrl(t: Tag): Promise<string> {
  t.device.field(false);
  const read = await readNdefType4((a) => t.device.nfcApdu(a));
  t.device.field(false);
  return ndef.decodeMessage(Array.from(read.message))[0].value as string;
}

function param(url: string, name: string): string {
  return new URL(url).searchParams.get(name)!;
}

async function zeroKeyTag(uid: string, url: string, extra: object = {}): Promise<Tag> {
  const t = await bootTag("sim-plaque");
  t.device.keystore.import(2, ALG_AES128, ZERO);
  t.device.keystore.import(3, ALG_AES128, ZERO);
  await setTag(t.client, { ...buildTapTemplate({ url, ...extra }), tag_uid: hex(uid) } as never);
  return t;
}

test("AN12196 p.12 vector: tap 61 carries SDMMAC 94EED9EE65337086 and PICCData decrypting to UID 04DE5F1EACC040, counter 61", async () => {
  const t = await zeroKeyTag("04DE5F1EACC040", "https://ntag.nxp.com/424?e={picc}&c={mac}");
  try {
    let url = "";
    for (let i = 1; i <= 61; i++) {
      url = await tapUrl(t);
      const r = verifySun({ picc: hex(param(url, "e")), mac: hex(param(url, "c")), metaKey: ZERO, fileKey: ZERO });
      assert.equal(r.counter, i);
    }
    assert.equal(param(url, "c"), "94EED9EE65337086");
    const r = verifySun({ picc: hex(param(url, "e")), mac: hex(param(url, "c")), metaKey: ZERO, fileKey: ZERO });
    assert.equal(Buffer.from(r.uid).toString("hex").toUpperCase(), "04DE5F1EACC040");
  } finally {
    await t.close();
  }
});

test("AN12196 p.18 vector: SDMENCFileData 'xxxxxxxxxxxxxxxx' at counter 8 gives enc CEE9A53E3E463EF1F459635736738962, cmac ECC1E7F6C6C73BF6", async () => {
  const t = await zeroKeyTag("04958CAA5C5E80", "https://www.my424dna.com/?picc_data={picc}&enc={enc}&cmac={mac}", { encPlain: "xxxxxxxxxxxxxxxx" });
  try {
    let url = "";
    for (let i = 1; i <= 8; i++) url = await tapUrl(t);
    assert.equal(param(url, "enc"), "CEE9A53E3E463EF1F459635736738962");
    assert.equal(param(url, "cmac"), "ECC1E7F6C6C73BF6");
    const r = verifySun({ picc: hex(param(url, "picc_data")), mac: hex(param(url, "cmac")), metaKey: ZERO, fileKey: ZERO, enc: hex(param(url, "enc")) });
    assert.equal(r.counter, 8);
    assert.equal(Buffer.from(r.fileData!).toString(), "xxxxxxxxxxxxxxxx");
  } finally {
    await t.close();
  }
});

test("plain mirror: UID and counter as upper-case hex, MAC verifies with the file key only; a flipped MAC fails", async () => {
  const t = await zeroKeyTag("04A1B2C3D4E5F6", "https://pay.example.com/t?u={uid}&n={ctr}&c={mac}");
  try {
    const url = await tapUrl(t);
    assert.match(url, /u=04A1B2C3D4E5F6&n=000001&c=[0-9A-F]{16}$/);
    const args = { uid: hex(param(url, "u")), counter: parseInt(param(url, "n"), 16), fileKey: ZERO };
    assert.equal(verifySun({ ...args, mac: hex(param(url, "c")) }).counter, 1);
    const bad = hex(param(url, "c"));
    bad[7] ^= 1;
    assert.throws(
      () => verifySun({ ...args, mac: bad }),
      (e: TapkitError) => e.code === "BAD_MAC",
    );
    assert.throws(
      () => verifySun({ ...args, counter: 2, mac: hex(param(url, "c")) }),
      (e: TapkitError) => e.code === "BAD_MAC",
    );
  } finally {
    await t.close();
  }
});

test("the counter advances once per read session, not for NLEN-only reads, and survives a reboot", async () => {
  const t = await zeroKeyTag("04A1B2C3D4E5F6", "https://pay.example.com/t?p={picc}&c={mac}");
  try {
    for (let i = 0; i < 3; i++) {
      t.device.field(false);
      t.apdu(SELECT_APP);
      t.apdu(SELECT_NDEF);
      assert.match(t.apdu("00B0000002"), /9000$/);
    }
    assert.equal((await getTag(t.client)).counter, 0, "presence checks burn nothing");
    t.device.field(false);
    t.apdu(SELECT_APP);
    t.apdu(SELECT_NDEF);
    const a = t.apdu("00B0000240");
    const b = t.apdu("00B0000240");
    assert.equal(a, b, "chunked reads in one session see one URL");
    assert.equal((await getTag(t.client)).counter, 1);
    const first = await tapUrl(t);
    assert.equal(verifySun({ picc: hex(param(first, "p")), mac: hex(param(first, "c")), metaKey: ZERO, fileKey: ZERO }).counter, 2);
    t.device.power("off");
    t.device.power("on");
    await setTag(t.client, { ...buildTapTemplate({ url: "https://pay.example.com/t?p={picc}&c={mac}" }), tag_uid: hex("04A1B2C3D4E5F6") } as never);
    const after = await tapUrl(t);
    assert.equal(
      verifySun({ picc: hex(param(after, "p")), mac: hex(param(after, "c")), metaKey: ZERO, fileKey: ZERO }).counter,
      3,
      "the store kept the counter",
    );
  } finally {
    await t.close();
  }
});

test("epoch rollover at the counter limit switches to derived keys; verify tap follows epochs and rejects replays", async () => {
  const t = await zeroKeyTag("04A1B2C3D4E5F6", "https://pay.example.com/t?p={picc}&c={mac}", { counterLimit: 4 });
  const dir = mkdtempSync(join(tmpdir(), "tapkit-replay-"));
  try {
    const keys: TagKeys[] = [
      { name: "plaque", url: "https://pay.example.com/t", mode: "sun", metaKey: "00".repeat(16), fileKey: "00".repeat(16), counterLimit: 4 },
    ];
    const replay = new ReplayStore(join(dir, "replay.json"));
    const urls: string[] = [];
    const seen: [number, number][] = [];
    for (let i = 0; i < 7; i++) {
      urls.push(await tapUrl(t));
      const v = verifyTapUrl(urls[i], keys, replay);
      seen.push([v.epoch, v.counter]);
    }
    assert.deepEqual(seen, [
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    assert.throws(
      () => verifySun({ picc: hex(param(urls[4], "p")), mac: hex(param(urls[4], "c")), metaKey: ZERO, fileKey: ZERO }),
      TapkitError,
      "epoch 1 no longer uses the base keys",
    );
    assert.throws(
      () => verifyTapUrl(urls[6], keys, new ReplayStore(join(dir, "replay.json"))),
      (e: TapkitError) => e.code === "REPLAY",
    );
    assert.throws(
      () => verifyTapUrl(urls[2], keys, replay),
      (e: TapkitError) => e.code === "REPLAY",
    );
    const forged = urls[6].slice(0, -1) + (urls[6].endsWith("0") ? "1" : "0");
    assert.throws(
      () => verifyTapUrl(forged, keys, replay),
      (e: TapkitError) => e.code === "BAD_MAC" || e.code === "BAD_PICC",
    );
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("signed mode: Ed25519 (slot 0) and P-256 (slot 1) signatures over merchant, counter, time and amount verify with the public key", async () => {
  const t = await bootTag("sim-plaque");
  try {
    for (const [slot, alg] of [
      [0, "ed25519"],
      [1, "p256"],
    ] as const) {
      const cfg = buildTapTemplate({ url: "https://pay.example.com/s?m=shop-42&a=12.50&n={ctr}&t={time}&s={sig}", signSlot: slot });
      await setTag(t.client, cfg);
      const url = await tapUrl(t);
      assert.ok(url.length <= 250, `URL is ${url.length} characters`);
      const pub = t.device.keystore.publicKey(slot);
      const v = verifySignedUrl(url, pub, alg);
      assert.equal(v.merchant, "shop-42");
      assert.equal(v.amount, "12.50");
      assert.ok(Math.abs(v.time! - Date.now() / 1000) < 3600, "time is the device's unix clock");
      if (alg === "ed25519") {
        const sig = Buffer.from(url.split("&s=")[1], "base64url");
        assert.ok(ed25519.verify(sig, new TextEncoder().encode(v.signedText), pub), "direct noble check of the signed text");
      }
      const tampered = url.replace("a=12.50", "a=92.50");
      assert.throws(
        () => verifySignedUrl(tampered, pub, alg),
        (e: TapkitError) => e.code === "BAD_SIGNATURE",
      );
    }
  } finally {
    await t.close();
  }
});
