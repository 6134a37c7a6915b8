// The Type 4 NDEF tag application on the built firmware: Android's read procedure (CC rules,
// NLEN, chunked reads) with the `ndef` npm package as the parser, the status-word table,
// boundaries, SFI reads, and the UPDATE BINARY write sequence with its atomic NLEN commit.
import { test } from "vitest";
import assert from "node:assert/strict";
import ndef from "ndef";
import { bootTag, hex, SELECT_APP, SELECT_CC, SELECT_NDEF, toHex } from "./nfc-fixture.ts";
import { buildTapTemplate, encodeMessage, readNdefType4, setTag, textRecord, uriRecord, aarRecord } from "../../host-tools/src/ndef/index.ts";

const PAY_URL_FILE = "001CD1011855047061792E6578616D706C652E636F6D2F6D2F3132333435"; // notes §1.5 worked example

test("Android's read procedure reads the notes' worked example, and `ndef` parses it", async () => {
  const t = await bootTag("sim-card");
  try {
    const message = encodeMessage([uriRecord("https://pay.example.com/m/12345")]);
    await setTag(t.client, { m: message, mode: 0 });
    t.apdu(SELECT_APP);
    t.apdu(SELECT_NDEF);
    assert.equal(t.apdu("00B000001E"), PAY_URL_FILE + "9000");
    const read = await readNdefType4((a) => t.device.nfcApdu(a));
    assert.equal(toHex(read.message), PAY_URL_FILE.slice(4));
    assert.equal(read.readOnly, true);
    const records = ndef.decodeMessage(Array.from(read.message));
    assert.equal(records.length, 1);
    assert.equal(records[0].value, "https://pay.example.com/m/12345");
  } finally {
    await t.close();
  }
});

test("CC is the notes' recommended 15 bytes; SELECT accepts P2 00/0C with or without Le", async () => {
  const t = await bootTag("sim-card");
  try {
    for (const select of ["00A4040007D2760000850101", "00A4040007D276000085010100", "00A4040C07D2760000850101", "00A4040C07D276000085010100"]) {
      assert.equal(t.apdu(select), "9000", select);
    }
    assert.equal(t.apdu("00A4000C02E103"), "9000");
    assert.equal(t.apdu("00B000000F"), "000F2000FF00FF0406E104040000FF9000");
    assert.equal(t.apdu("00A4000002E103"), "9000", "P2=00 (mapping 1.0 readers) selects too");
    assert.equal(t.apdu("00A4000002E10300"), "9000", "and with Le");
  } finally {
    await t.close();
  }
});

test("status words: v1 AID 6A82 keeps the selection, 6D00, 6E00, 6986, 6B00, 6A82, 6A86, 6700", async () => {
  const t = await bootTag("sim-card");
  try {
    assert.equal(t.apdu("00B000000F"), "6D00", "nothing selected: unknown to the dispatcher");
    assert.equal(t.apdu("00A4040007D276000085010000"), "6A82", "v1 AID");
    assert.equal(t.apdu(SELECT_APP), "9000");
    assert.equal(t.apdu("00B000000F"), "6986", "app selected, no file");
    assert.equal(t.apdu(SELECT_CC), "9000");
    assert.equal(t.apdu("00A4040007D276000085010000"), "6A82", "v1 AID while the app is selected");
    assert.equal(t.apdu("00B0000002"), "000F9000", "the CC is still selected after the failed SELECT");
    assert.equal(t.apdu("00A4000C02E105"), "6A82", "unknown FID");
    assert.equal(t.apdu("00B0000002"), "000F9000", "selection kept after the unknown FID");
    assert.equal(t.apdu("00CA000000"), "6D00", "unknown INS");
    assert.equal(t.apdu("00B100000554030000000F"), "6D00", "ODO read is mapping 3.0 only");
    assert.equal(t.apdu("90B000000F"), "6E00");
    assert.equal(t.apdu("80A4000C02E103"), "6E00");
    assert.equal(t.apdu("00A4010C02E103"), "6A86", "SELECT P1=01");
    assert.equal(t.apdu("00A4000402E103"), "6A86", "SELECT P2=04");
    assert.equal(t.apdu("00A4000C01E1"), "6700", "FID must be 2 bytes");
    assert.equal(t.apdu("00B00000"), "6700", "READ without Le");
    assert.equal(t.apdu("00B0000F01"), "6B00", "CC offset 15 = end");
    assert.equal(t.apdu("00B0000E05"), "FF9000", "read past the CC end truncated");
    assert.equal(t.apdu("00D6000001AA"), "6986", "CC is read-only");
    assert.equal(t.apdu(SELECT_NDEF), "9000");
    assert.equal(t.apdu("00B0040001"), "6B00", "offset 1024 = max size");
    assert.equal(t.apdu("00B07FFF01"), "6B00", "largest 15-bit offset");
    assert.equal(t.apdu("00B003FF05"), "009000", "last byte, Le beyond truncated");
    const all = t.apdu("00B0000000");
    assert.equal(all.length, (256 + 2) * 2, "Le=00 reads 256 bytes");
    assert.equal(t.apdu("00D6000001AA"), "6986", "read-only tag refuses UPDATE");
    assert.equal(t.apdu("00"), "6700");
    assert.equal(t.apdu("00B0"), "6700");
  } finally {
    await t.close();
  }
});

test("short file identifiers: P1=81 reads the CC, P1=82 the NDEF file, others 6A82", async () => {
  const t = await bootTag("sim-card");
  try {
    await setTag(t.client, { m: hex(PAY_URL_FILE.slice(4)), mode: 0 });
    t.apdu(SELECT_APP);
    assert.equal(t.apdu("00B081000F"), "000F2000FF00FF0406E104040000FF9000");
    assert.equal(t.apdu("00B0820002"), "001C9000");
    assert.equal(t.apdu("00B0830002"), "6A82");
    assert.equal(t.apdu("00B0A10002"), "6A86", "bits 6-5 of an SFI P1 must be 0");
    assert.equal(t.apdu("00B0000002"), "001C9000", "SFI read selected the NDEF file");
  } finally {
    await t.close();
  }
});

test("write sequence: NLEN 0000, data, NLEN commits atomically; a torn sequence keeps the old message", async () => {
  const t = await bootTag("sim-card");
  try {
    const old = encodeMessage([uriRecord("https://old.example/")]);
    await setTag(t.client, { m: old, mode: 0, writable: true });
    const next = encodeMessage([uriRecord("https://new.example/pay"), textRecord("付款", "zh"), aarRecord("com.example.pay")]);
    t.apdu(SELECT_APP);
    t.apdu(SELECT_CC);
    assert.equal(t.apdu("00B000000F").slice(28, 30), "00", "write access 00 when writable");
    t.apdu(SELECT_NDEF);
    assert.equal(t.apdu("00D60000020000"), "9000");
    const data = toHex(next);
    // Torn: the field drops after the data, before the final NLEN.
    assert.equal(t.apdu(`00D60002${next.length.toString(16).padStart(2, "0")}${data}`), "9000");
    t.device.field(false);
    let read = await readNdefType4((a) => t.device.nfcApdu(a));
    assert.deepEqual(read.message, old, "old message survives the torn write");
    t.device.field(false);
    // Complete: NLEN=0, data in two chunks, NLEN.
    t.apdu(SELECT_APP);
    t.apdu(SELECT_NDEF);
    assert.equal(t.apdu("00D60000020000"), "9000");
    const half = Math.floor(next.length / 2);
    assert.equal(t.apdu(`00D60002${half.toString(16).padStart(2, "0")}${toHex(next.subarray(0, half))}`), "9000");
    assert.equal(
      t.apdu(`00D6${(2 + half).toString(16).padStart(4, "0")}${(next.length - half).toString(16).padStart(2, "0")}${toHex(next.subarray(half))}`),
      "9000",
    );
    read = await readNdefType4((a) => t.device.nfcApdu(a));
    assert.deepEqual(read.message, old, "not committed before the final NLEN (reads in the same session see the committed file)");
    assert.equal(t.apdu(SELECT_NDEF), "9000");
    t.apdu("00D60000020000");
    t.apdu(`00D60002${next.length.toString(16).padStart(2, "0")}${data}`);
    assert.equal(t.apdu(`00D6000002${next.length.toString(16).padStart(4, "0")}`), "9000");
    t.device.field(false);
    read = await readNdefType4((a) => t.device.nfcApdu(a));
    const records = ndef.decodeMessage(Array.from(read.message));
    assert.deepEqual(
      records.map((r: { value?: string }) => r.value),
      ["https://new.example/pay", "付款", undefined],
    );
    assert.equal(t.apdu("00D6000002FFFF"), "6A80", "NLEN beyond the file");
    assert.equal(t.apdu("00D603FF0201AA"), "6B00", "offset + Lc beyond 1024");
    assert.equal(t.apdu("00D6000000"), "6700", "Lc 0");
    assert.equal(t.apdu("00D6000002AA"), "6700", "Lc beyond the data");
  } finally {
    await t.close();
  }
});

test("the tap URL template's offsets land the mirrors where the firmware writes them", async () => {
  const t = await bootTag("sim-plaque");
  try {
    const cfg = buildTapTemplate({ url: "https://pay.example.com/t?p={picc}&c={mac}", aar: "com.example.pay" });
    assert.deepEqual(await setTag(t.client, cfg), { errors: [], warnings: [] });
    const read = await readNdefType4((a) => t.device.nfcApdu(a));
    const [uri, aar] = ndef.decodeMessage(Array.from(read.message));
    assert.match(uri.value, /^https:\/\/pay\.example\.com\/t\?p=[0-9A-F]{32}&c=[0-9A-F]{16}$/);
    assert.notEqual(uri.value, "https://pay.example.com/t?p=" + "0".repeat(32) + "&c=" + "0".repeat(16));
    assert.equal(Buffer.from(aar.payload).toString(), "com.example.pay");
  } finally {
    await t.close();
  }
});
