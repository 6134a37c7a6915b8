// The card's wallet keeps its per-call scratch (voucher being signed, PIN check, batch
// certificate) in the NFC write-staging buffer (firmware/wallet/wallet-scratch.ts). These
// cases interleave the two owners the way a reader and a host can: an unfinished NDEF write,
// then a payment in the same field, then a complete write; and wallet.provision while a
// reader holds a write. The NDEF file, the staged write and the voucher must each come out
// as if the other had its own buffer.
import { test } from "vitest";
import assert from "node:assert/strict";
import { COSE_ALG_EDDSA, decodeBundle, encodeBundle, provisionOverLink, verifyVoucher } from "../../host-tools/src/wallet/index.ts";
import { aarRecord, encodeMessage, readNdefType4, setTag, uriRecord } from "../../host-tools/src/ndef/index.ts";
import { ALG_ED25519 } from "../../host-tools/src/sim/keystore.ts";
import { ENVELOPE, testIssuer } from "./wallet-fixture.ts";
import { cardRig, provisioned } from "./card-fixture.ts";
import { hex, SELECT_APP, SELECT_NDEF, toHex } from "../nfc/nfc-fixture.ts";

const OLD = encodeMessage([uriRecord("https://old.example/")]);
// Longer than the voucher scratch's first regions, so leftovers of a payment would show.
const NEXT = encodeMessage([uriRecord(`https://new.example/pay/${"x".repeat(180)}`), aarRecord("com.example.pay")]);

function updateAt(offset: number, data: Uint8Array): string {
  return `00D6${offset.toString(16).padStart(4, "0")}${data.length.toString(16).padStart(2, "0")}${toHex(data)}`;
}

/** Android's write procedure in chunks of at most 200 bytes; `finish` false stops before the final NLEN. */
function writeNdef(apdu: (h: string) => string, message: Uint8Array, finish: boolean): void {
  assert.equal(apdu(toHex(SELECT_APP)), "9000");
  assert.equal(apdu(toHex(SELECT_NDEF)), "9000");
  assert.equal(apdu("00D60000020000"), "9000");
  for (let at = 0; at < message.length; at += 200) assert.equal(apdu(updateAt(2 + at, message.subarray(at, at + 200))), "9000");
  if (finish) assert.equal(apdu(updateAt(0, Uint8Array.of(message.length >> 8, message.length & 0xff))), "9000");
}

test("a payment between an unfinished NDEF write and a complete one: the old message stays, the new one commits whole, the voucher verifies", async (t) => {
  const issuer = testIssuer(COSE_ALG_EDDSA);
  const { device, client, card, chain } = await provisioned(t, issuer);
  assert.deepEqual((await setTag(client, { m: OLD, mode: 0, writable: true })).errors, []);
  const apdu = (h: string) => toHex(device.nfcApdu(hex(h)));

  writeNdef(apdu, NEXT, false);
  // Same field: the phone switches to the wallet (which drops the unfinished write) and pays.
  await card.select();
  const challenge = new Uint8Array(16).map((_, i) => 0xa0 + i);
  const { voucher } = await card.pay({ amount: 125, currency: "EUR", payee: "shop-7", challenge });
  const v = verifyVoucher(decodeBundle(encodeBundle({ voucher, chain })), issuer.root.publicKey, { challenge, payee: "shop-7", amount: 125 });
  assert.equal(v.voucher.balanceAfter, 10_000 - 125);
  let read = await readNdefType4((a) => device.nfcApdu(a));
  assert.deepEqual(read.message, OLD, "the unfinished write was dropped; the committed message is intact");

  writeNdef(apdu, NEXT, true);
  read = await readNdefType4((a) => device.nfcApdu(a));
  assert.deepEqual(read.message, NEXT, "the complete write commits exactly the new message");
  device.field(false);
  read = await readNdefType4((a) => device.nfcApdu(a));
  assert.deepEqual(read.message, NEXT, "and keeps it after the field drops");

  // A second payment after the write: its scratch is intact again.
  await card.select();
  const second = await card.pay({ amount: 75, currency: "EUR", payee: "shop-7", challenge });
  assert.equal(
    verifyVoucher(decodeBundle(encodeBundle({ voucher: second.voucher, chain })), issuer.root.publicKey, { challenge, payee: "shop-7", amount: 75 }).voucher
      .counter,
    2,
  );
});

test("wallet.provision while a reader holds an NDEF write answers busy; after the field drops it provisions", async (t) => {
  const issuer = testIssuer(COSE_ALG_EDDSA);
  const { device, client, card } = await cardRig(t, 1, true);
  device.keystore.generate(0, ALG_ED25519, { label: "device key (test factory)" });
  assert.deepEqual((await setTag(client, { m: OLD, mode: 0, writable: true })).errors, []);
  const apdu = (h: string) => toHex(device.nfcApdu(hex(h)));
  const opts = { pin: "1234", balance: 5_000, currency: "EUR", limits: ENVELOPE };

  writeNdef(apdu, NEXT, false);
  await assert.rejects(provisionOverLink(client, issuer, opts), /busy|reader is writing the tag/);
  // The refused op left the staged write alone: finishing it commits the new message.
  assert.equal(apdu(updateAt(0, Uint8Array.of(NEXT.length >> 8, NEXT.length & 0xff))), "9000");
  assert.deepEqual((await readNdefType4((a) => device.nfcApdu(a))).message, NEXT);

  writeNdef(apdu, OLD, false);
  device.field(false);
  await provisionOverLink(client, issuer, opts);
  await card.select();
  const info = await card.info();
  assert.equal(info.bal, 5_000);
  assert.equal(info.pin, 3);
  assert.deepEqual((await readNdefType4((a) => device.nfcApdu(a))).message, NEXT, "the write the field cut stayed uncommitted");
});
