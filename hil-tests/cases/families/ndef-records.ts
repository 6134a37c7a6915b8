// NDEF records the tag serves, as tables: every URI identifier code of the NFC Forum URI RTD
// (Table 3, written out here from the spec, not taken from our encoder), text records in
// several languages, and message structure (MB/ME, short and long records, the size cap).
// Each case writes a message, reads it back through the tag path as a phone does, and
// decodes it with the `ndef` package (the outside oracle) and with the firmware's parser.
import ndef from "ndef";
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";
import {
  aarRecord,
  encodeMessage,
  externalRecord,
  firmwareNdefParse,
  readNdefType4,
  smartPosterRecord,
  textRecord,
  TNF,
  uriRecord,
  type NdefRecord,
} from "../../../host-tools/src/ndef/index.ts";
import { apdu, SELECT_APP, SELECT_NDEF, STATIC_URL, toHex, withTag, WRITABLE } from "../tag-session.ts";

const area = "ndef";
const URI_REF = "NFC Forum URI RTD 1.0 §3.2.2 Table 3 (URI identifier codes)";
const NDEF_REF = "NFC Forum NDEF 1.0 §3.2 (record layout, MB/ME/SR)";
const RTD_TEXT = "NFC Forum Text RTD 1.0 §3.2 (status byte, language code)";

/** NFC Forum URI RTD Table 3. */
const URI_RTD_TABLE: readonly string[] = [
  "",
  "http://www.",
  "https://www.",
  "http://",
  "https://",
  "tel:",
  "mailto:",
  "ftp://anonymous:anonymous@",
  "ftp://ftp.",
  "ftps://",
  "sftp://",
  "smb://",
  "nfs://",
  "ftp://",
  "dav://",
  "news:",
  "telnet://",
  "imap:",
  "rtsp://",
  "urn:",
  "pop:",
  "sip:",
  "sips:",
  "tftp:",
  "btspp://",
  "btl2cap://",
  "btgoep://",
  "tcpobex://",
  "irdaobex://",
  "file://",
  "urn:epc:id:",
  "urn:epc:tag:",
  "urn:epc:pat:",
  "urn:epc:raw:",
  "urn:epc:",
  "urn:nfc:",
];
// The `ndef` package's table stops at 0x22 (urn:epc:); 0x23 is checked on the bytes alone.
const ORACLE_LAST_CODE = 0x22;

/** Writes `records`, reads the message back over the tag path, and returns it with the oracle's decoding. */
async function roundTrip(ctx: CaseContext, records: NdefRecord[]): Promise<{ bytes: Uint8Array; oracle: any[] }> {
  const m = encodeMessage(records);
  let bytes: Uint8Array = new Uint8Array();
  await withTag(ctx, { m, mode: 0, writable: false }, async () => {
    bytes = (await readNdefType4((a) => ctx.nfc.apdu(a))).message;
  });
  assert.deepEqual(bytes, m, "the tag serves the message byte for byte");
  const parsed = await firmwareNdefParse(ctx.device, bytes);
  assert.equal(parsed.records.length, records.length, "the firmware's parser sees every record");
  parsed.records.forEach((r, i) => {
    assert.equal(r.tnf, records[i].tnf, `record ${i}: TNF (firmware parser)`);
    assert.deepEqual(new Uint8Array(r.payload), records[i].payload, `record ${i}: payload (firmware parser)`);
  });
  return { bytes, oracle: ndef.decodeMessage(Array.from(bytes)) };
}

function uriCase(code: number): ConformanceCase {
  const prefix = URI_RTD_TABLE[code];
  const uri = code === 0 ? "geo:47.37,8.54" : `${prefix}pay-${code}`;
  return {
    id: `NDEF-URI-${String(code).padStart(3, "0")}`,
    area,
    title: `URI record with identifier code 0x${code.toString(16).padStart(2, "0").toUpperCase()} (${prefix || "no abbreviation"}) reads back and decodes to the full URI`,
    ref: URI_REF,
    tags: ["ndef", "uri"],
    async run(ctx) {
      const { bytes, oracle } = await roundTrip(ctx, [uriRecord(uri)]);
      // D1 01 LL 55 CODE ...: short well-known record of type "U"
      assert.equal(bytes[3], 0x55, "record type U");
      assert.equal(bytes[4], code, `identifier code byte is 0x${code.toString(16)}`);
      assert.equal(new TextDecoder().decode(bytes.subarray(5)), uri.slice(prefix.length), "the rest of the URI follows the code");
      if (code <= ORACLE_LAST_CODE) assert.equal(oracle[0].value, uri, "the ndef package decodes the full URI");
    },
  };
}

interface RecordRow {
  title: string;
  ref: string;
  records: () => NdefRecord[];
  check(bytes: Uint8Array, oracle: any[]): void;
}

const td = new TextDecoder();
const RECORD_ROWS: RecordRow[] = [
  ...(
    [
      ["en", "Pay here"],
      ["de", "Bezahlen Sie hier: Grüße"],
      ["ja", "ここで支払う"],
      ["en-US", "Tap to pay"],
      ["zh-Hans-CN", "在这里付款"],
    ] as const
  ).map(
    ([lang, text]): RecordRow => ({
      title: `text record, language ${lang}, UTF-8: status byte = language length, text decodes`,
      ref: RTD_TEXT,
      records: () => [uriRecord("https://pay.example.com/t"), textRecord(text, lang)],
      check(bytes, oracle) {
        assert.equal(oracle[1].value, text, "text (ndef package)");
        const rec = oracle[1].payload as number[];
        assert.equal(td.decode(Uint8Array.from(rec.slice(1, 1 + lang.length))), lang, "language code after the status byte");
        assert.equal(rec[0] & 0x80, 0, "UTF-8 (status bit 7 clear)");
        assert.equal(rec[0] & 0x3f, lang.length, "language length in the status byte");
      },
    }),
  ),
  {
    title: "three records: MB on the first only, ME on the last only",
    ref: NDEF_REF,
    records: () => [uriRecord("https://a.example/"), textRecord("b"), textRecord("c")],
    check(bytes) {
      assert.equal(bytes[0] & 0xc0, 0x80, "first record: MB set, ME clear");
      const flags: number[] = [];
      for (let i = 0; i < bytes.length; ) {
        flags.push(bytes[i]);
        const typeLen = bytes[i + 1];
        const payloadLen = bytes[i + 2];
        i += 3 + typeLen + payloadLen;
      }
      assert.deepEqual(
        flags.map((f) => f & 0xc0),
        [0x80, 0x00, 0x40],
        "MB/ME per record",
      );
    },
  },
  {
    title: "a payload of 255 bytes is a short record (SR, 1-byte length)",
    ref: NDEF_REF,
    records: () => [uriRecord(`https://pay.example.com/${"s".repeat(255 - 1 - "pay.example.com/".length)}`)],
    check(bytes, oracle) {
      assert.equal(bytes[0] & 0x10, 0x10, "SR set");
      assert.equal(bytes[2], 255, "payload length byte");
      assert.equal(oracle[0].value.length, "https://".length + 254, "ndef package decodes the URI");
    },
  },
  {
    title: "a payload of 256 bytes is a long record (SR clear, 4-byte length)",
    ref: NDEF_REF,
    records: () => [uriRecord(`https://pay.example.com/${"l".repeat(256 - 1 - "pay.example.com/".length)}`)],
    check(bytes, oracle) {
      assert.equal(bytes[0] & 0x10, 0, "SR clear");
      assert.deepEqual([...bytes.subarray(2, 6)], [0, 0, 1, 0], "4-byte payload length 256");
      assert.equal(oracle[0].value.length, "https://".length + 255);
    },
  },
  {
    title: "smart poster (Sp) with URI and title decodes as nested records",
    ref: "NFC Forum Smart Poster RTD 1.0 §3",
    records: () => [smartPosterRecord("https://pay.example.com/sp", "Pay")],
    check(_bytes, oracle) {
      assert.equal(oracle[0].type, "Sp");
      const inner = ndef.decodeMessage(oracle[0].payload);
      assert.equal(inner[0].value, "https://pay.example.com/sp");
      assert.equal(inner[1].value, "Pay");
    },
  },
  {
    title: "external type record (TNF 4) keeps its domain:type and payload",
    ref: "NFC Forum RTD 1.0 §3.3 (external type names)",
    records: () => [uriRecord("https://pay.example.com/x"), externalRecord("example.com:pay", Uint8Array.of(1, 2, 3))],
    check(_bytes, oracle) {
      assert.equal(oracle[1].tnf, TNF.EXTERNAL);
      assert.equal(oracle[1].type, "example.com:pay");
      assert.deepEqual(oracle[1].payload, [1, 2, 3]);
    },
  },
  {
    title: "Android application record (android.com:pkg) after the URI",
    ref: "Android NFC basics (AAR); NFC Forum RTD 1.0 §3.3",
    records: () => [uriRecord("https://pay.example.com/a"), aarRecord("com.example.pay")],
    check(_bytes, oracle) {
      assert.equal(oracle[1].type, "android.com:pkg");
      assert.equal(td.decode(Uint8Array.from(oracle[1].payload)), "com.example.pay");
    },
  },
  {
    title: "MIME record (TNF 2, text/plain) keeps its type and payload",
    ref: "NFC Forum NDEF 1.0 §3.2.6 (TNF 2, RFC 2046 media type)",
    records: () => [
      uriRecord("https://pay.example.com/m"),
      { tnf: TNF.MIME, type: new TextEncoder().encode("text/plain"), id: new Uint8Array(), payload: new TextEncoder().encode("hello") },
    ],
    check(_bytes, oracle) {
      assert.equal(oracle[1].tnf, TNF.MIME);
      assert.equal(oracle[1].type, "text/plain");
      assert.equal(td.decode(Uint8Array.from(oracle[1].payload)), "hello");
    },
  },
];

const recordCases: ConformanceCase[] = RECORD_ROWS.map((row, i) => ({
  id: `NDEF-REC-${String(i + 1).padStart(3, "0")}`,
  area,
  title: row.title,
  ref: row.ref,
  tags: ["ndef", "record"],
  async run(ctx) {
    const { bytes, oracle } = await roundTrip(ctx, row.records());
    row.check(bytes, oracle);
  },
}));

/** Android's write procedure over the tag path: NLEN 0000, the message in 255-byte chunks from offset 2, then NLEN. Returns every status word. */
async function writeLikeAndroid(ctx: CaseContext, m: Uint8Array): Promise<string[]> {
  const sws: string[] = [];
  const send = async (h: string) => sws.push((await apdu(ctx, h)).slice(-4));
  await send(SELECT_APP);
  await send(SELECT_NDEF);
  await send("00D60000020000");
  for (let off = 0; off < m.length; off += 255) {
    const chunk = m.subarray(off, off + 255);
    const at = (off + 2).toString(16).padStart(4, "0");
    await send(`00D6${at}${chunk.length.toString(16).padStart(2, "0")}${toHex(chunk)}`);
  }
  await send(`00D6000002${m.length.toString(16).padStart(4, "0")}`);
  return sws;
}

const longUri = (messageBytes: number) => `https://pay.example.com/${"m".repeat(messageBytes - 8 - "pay.example.com/".length)}`;

recordCases.push(
  {
    id: `NDEF-REC-${String(RECORD_ROWS.length + 1).padStart(3, "0")}`,
    area,
    title: "a message of exactly 1022 bytes (the NDEF file's cap), written as Android does, is served whole",
    ref: "NFC Forum T4T 1.2 §5.1.2 (max NDEF size), §6.4 (write procedure)",
    tags: ["ndef", "record", "boundary"],
    async run(ctx) {
      const m = encodeMessage([uriRecord(longUri(1022))]);
      assert.equal(m.length, 1022);
      await withTag(ctx, WRITABLE(), async () => {
        const sws = await writeLikeAndroid(ctx, m);
        assert.deepEqual([...new Set(sws)], ["9000"], `every write step answered 9000 (${sws.join(" ")})`);
        await ctx.nfc.newTap();
        const read = (await readNdefType4((a) => ctx.nfc.apdu(a))).message;
        assert.deepEqual(read, m, "the 1022-byte message reads back");
        assert.equal(ndef.decodeMessage(Array.from(read))[0].value, longUri(1022), "ndef package decodes it");
      });
    },
  },
  {
    id: `NDEF-REC-${String(RECORD_ROWS.length + 2).padStart(3, "0")}`,
    area,
    title: "a message of 1023 bytes (over the cap) is refused with 6B00 and the old message stays",
    ref: "NFC Forum T4T 1.2 §5.1.2 (max NDEF size); docs/nfc.md §Status words (6B00)",
    tags: ["ndef", "record", "boundary"],
    async run(ctx) {
      const big = encodeMessage([uriRecord(longUri(1023))]);
      assert.equal(big.length, 1023);
      await withTag(ctx, WRITABLE(), async () => {
        const sws = await writeLikeAndroid(ctx, big);
        assert.ok(sws.includes("6B00"), `the chunk past byte 1024 is refused with 6B00 (${sws.join(" ")})`);
        await ctx.nfc.newTap();
        const read = (await readNdefType4((a) => ctx.nfc.apdu(a))).message;
        assert.equal(ndef.decodeMessage(Array.from(read))[0].value, STATIC_URL, "the old message is still served");
      });
    },
  },
);

export const NDEF_CASES: ConformanceCase[] = [...URI_RTD_TABLE.map((_, code) => uriCase(code)), ...recordCases];
