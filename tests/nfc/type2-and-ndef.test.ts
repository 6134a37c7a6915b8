// The Type 2 personality (plaque) read the way Android's rw_t2t does, writes that commit a
// new message, and the firmware's NDEF build/parse/lint over the link, each checked against
// the `ndef` npm package and the notes' byte-exact examples.
import { test } from "vitest";
import assert from "node:assert/strict";
import ndef from "ndef";
import { bootTag, hex, toHex } from "./nfc-fixture.ts";
import {
  encodeMessage,
  firmwareNdefBuild,
  firmwareNdefLint,
  firmwareNdefParse,
  lintMessage,
  readNdefType2,
  readNdefType4,
  setPersonality,
  setTag,
  uriRecord,
} from "../../host-tools/src/ndef/index.ts";
import { NDEF_LINT, fromHex } from "../vectors/vectors.ts";

const PAY_URL_MESSAGE = "D1011855047061792E6578616D706C652E636F6D2F6D2F3132333435";

test("Type 2: pages 0-3 and the TLV match the notes' NTAG213-like image (CC size NTAG216), and `ndef` parses the read", async () => {
  const t = await bootTag("sim-plaque");
  try {
    await setTag(t.client, { m: hex(PAY_URL_MESSAGE), mode: 0 });
    await setPersonality(t.client, 2);
    const head = toHex(t.device.nfcT2t(hex("3000")));
    assert.equal(head, "04A1B29FC3D4E5F6044800" + "00" + "E1106D0F");
    assert.equal(toHex(t.device.nfcT2t(hex("3004"))).slice(0, 10), "031CD10118");
    const read = await readNdefType2((c) => t.device.nfcT2t(c));
    assert.equal(toHex(read.message), PAY_URL_MESSAGE);
    assert.equal(read.readOnly, true);
    assert.equal(ndef.decodeMessage(Array.from(read.message))[0].value, "https://pay.example.com/m/12345");
    assert.equal(toHex(t.device.nfcT2t(hex("30DE"))), "00", "READ past the last page NAKs");
    assert.equal(toHex(t.device.nfcT2t(hex("30DD"))).slice(8, 16), "04A1B29F", "READ rolls over to page 0");
    assert.equal(toHex(t.device.nfcT2t(hex("3A0003"))), head, "FAST_READ 0..3");
    assert.equal(t.device.nfcT2t(hex("3A003F")).length, 256, "FAST_READ of 64 pages");
    assert.equal(toHex(t.device.nfcT2t(hex("3A0040"))), "00", "65 pages NAK");
    assert.equal(toHex(t.device.nfcT2t(hex("A204DEADBEEF"))), "00", "read-only plaque NAKs WRITE");
    assert.equal(toHex(t.device.nfcT2t(hex("60"))), "00", "unknown command NAK");
    assert.equal(toHex(t.device.nfcT2t(new Uint8Array(0))), "00");
  } finally {
    await t.close();
  }
});

test("Type 2 write: length 0, data pages, then the length commits the message; Type 4 then serves it", async () => {
  const t = await bootTag("sim-plaque");
  try {
    await setTag(t.client, { m: hex(PAY_URL_MESSAGE), mode: 0, writable: true });
    await setPersonality(t.client, 2);
    assert.equal(toHex(t.device.nfcT2t(hex("3000"))).slice(24), "E1106D00", "CC access 00 when writable");
    const next = encodeMessage([uriRecord("https://new.example/t2")]);
    const tlv = Uint8Array.from([0x03, 0x00, ...next, 0xfe]);
    const padded = new Uint8Array(Math.ceil(tlv.length / 4) * 4);
    padded.set(tlv);
    for (let p = 0; p < padded.length / 4; p++) {
      assert.equal(toHex(t.device.nfcT2t(Uint8Array.of(0xa2, 4 + p, ...padded.subarray(4 * p, 4 * p + 4)))), "0A");
    }
    assert.equal(toHex((await readNdefType2((c) => t.device.nfcT2t(c))).message), "", "length 0: nothing yet");
    padded[1] = next.length;
    assert.equal(toHex(t.device.nfcT2t(Uint8Array.of(0xa2, 4, ...padded.subarray(0, 4)))), "0A");
    assert.equal(ndef.decodeMessage(Array.from((await readNdefType2((c) => t.device.nfcT2t(c))).message))[0].value, "https://new.example/t2");
    assert.equal(toHex(t.device.nfcT2t(hex("A203E1106D00"))), "00", "the CC page is not writable");
    await setPersonality(t.client, 1);
    const read4 = await readNdefType4((a) => t.device.nfcApdu(a));
    assert.deepEqual(read4.message, next);
  } finally {
    await t.close();
  }
});

test("firmware ndef.build: URI prefix codes, Text, Smart Poster (libnfc's bytes), external and AAR records, as `ndef` reads them", async () => {
  const t = await bootTag("sim-card");
  try {
    assert.equal(toHex(await firmwareNdefBuild(t.client, { uri: "https://pay.example.com/m/12345" })), PAY_URL_MESSAGE);
    assert.equal(toHex(await firmwareNdefBuild(t.client, { text: "付款", lang: "en" })), "D101095402656EE4BB98E6ACBE", "notes §2.3");
    const sp = await firmwareNdefBuild(t.client, { uri: "http://libnfc.org", title: "Libnfc" });
    const [poster] = ndef.decodeMessage(Array.from(sp));
    assert.equal(poster.type, "Sp");
    const inner = ndef.decodeMessage(Array.from(poster.payload));
    assert.deepEqual(
      inner.map((r: { value: string }) => r.value),
      ["http://libnfc.org", "Libnfc"],
    );
    for (const [uri, code] of [
      ["tel:+4912345", 0x05],
      ["mailto:a@b.c", 0x06],
      ["urn:nfc:sn:x", 0x23],
      ["https://www.x.org", 0x02],
      ["custom:x", 0x00],
      ["urn:epc:id:1", 0x1e],
    ] as const) {
      const m = await firmwareNdefBuild(t.client, { uri });
      assert.equal(m[4], code, uri);
      if (code <= 0x22) assert.equal(ndef.decodeMessage(Array.from(m))[0].value, uri);
    }
    const full = await firmwareNdefBuild(t.client, {
      uri: "https://pay.example.com/x",
      text: "Pay",
      aar: "com.eg.android.AlipayGphone",
      ext_type: "example.com:pay",
      ext_data: Uint8Array.of(1, 2, 3),
    });
    const records = ndef.decodeMessage(Array.from(full));
    assert.deepEqual(
      records.map((r: { tnf: number; type: string }) => [r.tnf, r.type]),
      [
        [1, "U"],
        [1, "T"],
        [4, "example.com:pay"],
        [4, "android.com:pkg"],
      ],
    );
    assert.equal(Buffer.from(records[3].payload).toString(), "com.eg.android.AlipayGphone");
    const parsed = await firmwareNdefParse(t.client, full);
    assert.equal(parsed.records.length, 4);
    assert.equal(parsed.rest, 0);
    assert.deepEqual(
      parsed.records.map((r) => r.flags & 0xc0),
      [0x80, 0, 0, 0x40],
      "MB first, ME last",
    );
    const big = await firmwareNdefBuild(t.client, { uri: "https://x.example/" + "a".repeat(300) });
    assert.equal(big[0] & 0x10, 0, "payload >= 256: long record");
    assert.equal(ndef.decodeMessage(Array.from(big))[0].value, "https://x.example/" + "a".repeat(300));
  } finally {
    await t.close();
  }
});

test("firmware lint and host lint agree on hand-made cases with known verdicts", async () => {
  const t = await bootTag("sim-card");
  try {
    // tests/vectors/ndef-lint.json, shared by both sides
    const cases: [string, Uint8Array, string[], string[]][] = NDEF_LINT.vectors.map((v) => [v.name, fromHex(v.hex), v.errors, v.warnings]);
    assert.ok(cases.length >= 11, `${cases.length} lint vectors`);
    for (const [name, bytes, errors, warnings] of cases) {
      const m = bytes;
      assert.deepEqual(await firmwareNdefLint(t.client, m), { errors, warnings }, `firmware: ${name}`);
      assert.deepEqual(lintMessage(m), { errors, warnings }, `host: ${name}`);
    }
    const large = encodeMessage([uriRecord("https://x.example/" + "a".repeat(600))]);
    assert.deepEqual(lintMessage(large), { errors: [], warnings: ["no-aar", "over-256"] });
  } finally {
    await t.close();
  }
});
