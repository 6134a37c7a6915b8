// Issue 16, finding 8 (card applet): an unknown INS answers 6D00 in every state, as
// docs/wallet-apdu.md says (it answered 6982 before PIN verification and 6985 01 on a blank
// card), while the known owner commands still answer 6982; and GET DATA honours Le
// (ISO 7816-4): an Le below the data's length answers 6Cxx with the exact length, asking
// again with that Le gets the data, Le 00 or absent gets all of it. Run over the link's
// nfc-test channel and through pcscd + vpcd (the reader lock is held for this file).
import { test } from "vitest";
import assert from "node:assert/strict";
import type { NfcPath } from "../../host-tools/src/device/nfc-path.ts";
import { nfcTestPath } from "../../host-tools/src/device/nfc-path.ts";
import { pcscPath, VPCD_READER } from "../../host-tools/src/pcsc/index.ts";
import { servePcsc } from "../../host-tools/src/sim/serve-pcsc.ts";
import { WALLET_AID } from "../../host-tools/src/wallet/index.ts";
import { ensurePcscd, pcscMissing, settle } from "../nfc/pcscd-fixture.ts";
import { holdReaderForFile } from "../nfc/reader-lock.ts";
import { cardRig, provisioned } from "./card-fixture.ts";
import { testIssuer } from "./wallet-fixture.ts";

const missing = pcscMissing();
holdReaderForFile(missing !== null);
if (missing) console.warn(`\n*** SKIPPING the PC/SC half of the card status-word tests: ${missing} ***\n`);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();
const sw = (r: Uint8Array) => hex(r.subarray(r.length - 2));
const SELECT = Uint8Array.from([0x00, 0xa4, 0x04, 0x00, WALLET_AID.length, ...WALLET_AID]);

/** The checks, the same over either path; `active` is whether the card is provisioned. */
async function statusWords(nfc: NfcPath, active: boolean): Promise<void> {
  assert.equal(sw(await nfc.apdu(SELECT)), "9000");
  // Unknown instructions: 6D00, whatever the PIN or provisioning state.
  for (const ins of [0x00, 0x42, 0x5e, 0xb0, 0xfe]) {
    assert.equal(sw(await nfc.apdu(Uint8Array.from([0x00, ins, 0x00, 0x00]))), "6D00", `INS ${ins.toString(16)} before VERIFY`);
    assert.equal(sw(await nfc.apdu(Uint8Array.from([0x00, ins, 0x00, 0x00, 0x02, 0x01, 0x02]))), "6D00", `INS ${ins.toString(16)} with data`);
  }
  if (active) {
    // Known owner commands still need the PIN first.
    assert.equal(sw(await nfc.apdu(Uint8Array.from([0x00, 0x24, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34]))), "6982", "CHANGE PIN before VERIFY");
    assert.equal(sw(await nfc.apdu(Uint8Array.from([0x00, 0xd4, 0x01, 0x02, 0x04, 0, 0, 0, 1]))), "6982", "FUND before VERIFY");
  }

  // GET DATA info (P2 00) and balances (P2 03): Le absent, 00, exact, larger, smaller.
  for (const p2 of [0x00, 0x03]) {
    const whole = await nfc.apdu(Uint8Array.from([0x00, 0xca, 0x00, p2]));
    assert.equal(sw(whole), "9000");
    const n = whole.length - 2;
    assert.ok(n > 4 && n < 256, `GET DATA ${p2}: ${n} bytes`);
    assert.equal(hex(await nfc.apdu(Uint8Array.from([0x00, 0xca, 0x00, p2, 0x00]))), hex(whole), "Le 00 = up to 256");
    assert.equal(hex(await nfc.apdu(Uint8Array.from([0x00, 0xca, 0x00, p2, n]))), hex(whole), "Le = the length");
    if (n < 255) assert.equal(hex(await nfc.apdu(Uint8Array.from([0x00, 0xca, 0x00, p2, n + 1]))), hex(whole), "Le above the length");
    const short = await nfc.apdu(Uint8Array.from([0x00, 0xca, 0x00, p2, 4]));
    assert.equal(hex(short), `6C${n.toString(16).toUpperCase().padStart(2, "0")}`, `Le 4 below ${n}: no data, 6Cxx with the exact length`);
  }
}

test("card applet status words over the nfc-test channel: 6D00 for unknown INS (blank and provisioned, before VERIFY), Le on GET DATA", async (t) => {
  const blank = await cardRig(t);
  await statusWords(nfcTestPath(blank.client), false);
  const rig = await provisioned(t, testIssuer());
  await statusWords(nfcTestPath(rig.client), true);
});

test("card applet status words through pcscd + vpcd: the same answers a PC/SC reader sees", { skip: missing !== null }, async (t) => {
  const pcscd = await ensurePcscd();
  const rig = await provisioned(t, testIssuer());
  const card = await servePcsc(rig.device);
  try {
    await settle();
    const nfc = await pcscPath(VPCD_READER);
    await statusWords(nfc, true).finally(() => nfc.close());
  } finally {
    await card.close();
    await pcscd.stop();
  }
});
