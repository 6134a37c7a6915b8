// The tag on a real PC/SC stack: pcscd + vpcd with the simulator as the card (servePcsc),
// read through `scriptor` (a real PC/SC client, one interactive session) with Android's
// Type 4 procedure and CC checks,
// and parsed with the `ndef` package; and `tapkit sim --pcsc` as a user starts it. Skips LOUDLY when pcscd, vpcd or scriptor are missing.
import { test } from "vitest";
import assert from "node:assert/strict";
import ndef from "ndef";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CLI, ensureCli } from "../cli/cli-helpers.ts";
import { bootTag, hex, toHex } from "./nfc-fixture.ts";
import { ensurePcscd, pcscMissing, settle } from "./pcscd-fixture.ts";
import { servePcsc } from "../../host-tools/src/sim/serve-pcsc.ts";
import { buildTapTemplate, readNdefType4, setTag } from "../../host-tools/src/ndef/index.ts";
import { ReaderSession, VPCD_READER } from "../../host-tools/src/pcsc/index.ts";
import { verifySun } from "../../host-tools/src/verify/index.ts";
import { ALG_AES128 } from "../../host-tools/src/sim/keystore.ts";
import { longTests } from "../support/long-tests.ts";
import { holdReaderForFile } from "./reader-lock.ts";

longTests();

const missing = pcscMissing();
holdReaderForFile(missing !== null);
if (missing) console.warn(`\n*** SKIPPING the PC/SC tests: ${missing} ***\n`);

test("NDEF over PC/SC: scriptor reads the SUN tap URL with Android's procedure; the URL verifies", { skip: missing !== null }, async () => {
  const pcscd = await ensurePcscd();
  const t = await bootTag("sim-plaque");
  const card = await servePcsc(t.device);
  try {
    const zero = new Uint8Array(16);
    t.device.keystore.import(2, ALG_AES128, zero);
    t.device.keystore.import(3, ALG_AES128, zero);
    await setTag(t.client, buildTapTemplate({ url: "https://pay.example.com/t?p={picc}&c={mac}", aar: "com.example.pay" }));
    await settle();
    // One card session, each step chosen after the previous answer, as a phone does it.
    const reader = await ReaderSession.open(VPCD_READER);
    const read = await readNdefType4((a) => reader.transmit(a)).finally(() => reader.close());
    assert.ok(reader.exchanges >= 5, "select app, select CC, read CC, select NDEF, read NLEN and message");
    assert.equal(read.cc.maxSize, 1024);
    const [uri, aar] = ndef.decodeMessage(Array.from(read.message));
    assert.equal(Buffer.from(aar.payload).toString(), "com.example.pay");
    const url = new URL(uri.value);
    const r = verifySun({
      picc: Buffer.from(url.searchParams.get("p")!, "hex"),
      mac: Buffer.from(url.searchParams.get("c")!, "hex"),
      metaKey: zero,
      fileKey: zero,
    });
    assert.equal(Buffer.from(r.uid).toString("hex").toUpperCase(), "04A1B2C3D4E5F6");
    assert.ok(r.counter >= 1);
  } finally {
    await card.close();
    await t.close();
    await pcscd.stop();
  }
});

test("tapkit sim --pcsc: scriptor sees the card and reads the CC; SIGTERM stops it cleanly", { skip: missing !== null }, async () => {
  ensureCli();
  const pcscd = await ensurePcscd();
  const child = spawn(process.execPath, [CLI, "sim", "--pcsc", "--no-pty", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const ready = await new Promise<any>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once("line", (l) => resolve(JSON.parse(l)));
      child.once("exit", (code) => reject(new Error(`tapkit sim exited ${code}`)));
    });
    assert.equal(ready.pcsc, VPCD_READER);
    await settle();
    const reader = await ReaderSession.open(VPCD_READER);
    try {
      const select = await reader.transmit(hex("00A4040007D276000085010100"));
      const selectCc = await reader.transmit(hex("00A4000C02E103"));
      const cc = await reader.transmit(hex("00B000000F"));
      assert.deepEqual([toHex(select), toHex(selectCc), toHex(cc)], ["9000", "9000", "000F2000FF00FF0406E104040000FF9000"]);
      await reader.reset();
      assert.equal(toHex(await reader.transmit(hex("00A4000C02E103"))), "6A82", "a reset is a new tap: the application is no longer selected");
    } finally {
      await reader.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    await pcscd.stop();
  }
});
