// NFC Forum Type 2 Tag commands (plaque personality 2, NTAG216-like memory, docs/nfc.md)
// and the Type 4 Capability Container rules Android and iOS apply before they read a tag,
// as tables: one rule or one command per case.
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";
import { setPersonality } from "../../../host-tools/src/ndef/index.ts";
import { apdu, hex, SELECT_APP, SELECT_CC, STATIC, toHex, type2Frames, withTag, WRITABLE } from "../tag-session.ts";

const pad = (n: number) => String(n).padStart(3, "0");
const T2T = "NFC Forum T2T 1.0 §5 (READ 30h, WRITE A2h), NXP NTAG216 datasheet §10";
const LAST_PAGE = 221;

/** Runs `fn` with the plaque switched to Type 2 and the tag set to `config`; restores both. */
async function asType2(ctx: CaseContext, writable: boolean, fn: (t2t: (h: string) => Promise<string>) => Promise<void>): Promise<void> {
  await withTag(ctx, writable ? WRITABLE() : STATIC(), async () => {
    const t2t = type2Frames(ctx);
    await setPersonality(ctx.device, 2);
    try {
      await fn(async (h) => toHex(await t2t(hex(h))));
    } finally {
      await setPersonality(ctx.device, 1);
    }
  });
}

interface T2Row {
  title: string;
  ref?: string;
  writable?: boolean;
  check(t2t: (h: string) => Promise<string>): Promise<void>;
}

const xor = (bytes: number[]) => bytes.reduce((a, b) => a ^ b, 0);

const T2_ROWS: T2Row[] = [
  {
    title: "READ page 0 returns 16 bytes: UID0-2 and BCC0 = 88 ^ UID0 ^ UID1 ^ UID2",
    ref: "ISO/IEC 14443-3 §6.4.4 (BCC); NTAG216 datasheet §8.5",
    async check(t2t) {
      const r = hex(await t2t("3000"));
      assert.equal(r.length, 16);
      assert.equal(r[3], 0x88 ^ r[0] ^ r[1] ^ r[2], "BCC0");
    },
  },
  {
    title: "READ page 0: BCC1 (page 2 byte 0) = UID3 ^ UID4 ^ UID5 ^ UID6, internal byte 48",
    ref: "ISO/IEC 14443-3 §6.4.4 (BCC); NTAG216 datasheet §8.5",
    async check(t2t) {
      const r = [...hex(await t2t("3000"))];
      assert.equal(r[8], xor(r.slice(4, 8)), "BCC1");
      assert.equal(r[9], 0x48, "internal byte");
    },
  },
  {
    title: "read-only tag: CC (page 3) is E1 10 6D 0F",
    ref: "NFC Forum T2T 1.0 §6.1 (Capability Container)",
    async check(t2t) {
      assert.equal((await t2t("3003")).slice(0, 8), "E1106D0F");
    },
  },
  {
    title: "writable tag: CC (page 3) is E1 10 6D 00",
    ref: "NFC Forum T2T 1.0 §6.1 (Capability Container)",
    writable: true,
    async check(t2t) {
      assert.equal((await t2t("3003")).slice(0, 8), "E1106D00");
    },
  },
  {
    title: "page 4 starts the NDEF TLV (03, length, D1 01)",
    ref: "NFC Forum T2T 1.0 §2.3 (TLV blocks), §6.3",
    async check(t2t) {
      const r = await t2t("3004");
      assert.equal(r.slice(0, 2), "03");
      assert.equal(r.slice(4, 8), "D101");
    },
  },
  {
    title: `READ of the last page (${LAST_PAGE}) rolls over to page 0`,
    async check(t2t) {
      const last = await t2t(`30${LAST_PAGE.toString(16)}`);
      assert.equal(last.length, 32);
      assert.equal(last.slice(8), (await t2t("3000")).slice(0, 24), "pages 0-2 follow");
    },
  },
  {
    title: `READ of page ${LAST_PAGE + 1} (past the end) is NAK 00`,
    async check(t2t) {
      assert.equal(await t2t(`30${(LAST_PAGE + 1).toString(16)}`), "00");
    },
  },
  {
    title: "FAST_READ pages 0-15 returns 64 bytes equal to four READs",
    ref: "NTAG216 datasheet §10.2 (FAST_READ 3Ah)",
    async check(t2t) {
      const fast = await t2t("3A000F");
      assert.equal(fast.length, 128);
      assert.equal(fast, (await t2t("3000")) + (await t2t("3004")) + (await t2t("3008")) + (await t2t("300C")));
    },
  },
  {
    title: "FAST_READ with start after end is NAK 00",
    ref: "NTAG216 datasheet §10.2 (FAST_READ 3Ah)",
    async check(t2t) {
      assert.equal(await t2t("3A0F00"), "00");
    },
  },
  {
    title: "WRITE on a read-only tag is NAK 00 and the page is unchanged",
    async check(t2t) {
      const before = await t2t("3004");
      assert.equal(await t2t("A204DEADBEEF"), "00");
      assert.equal(await t2t("3004"), before);
    },
  },
  {
    title: "WRITE of page 5 on a writable tag is ACK 0A and reads back",
    writable: true,
    async check(t2t) {
      assert.equal(await t2t("A20501020304"), "0A");
      assert.equal((await t2t("3005")).slice(0, 8), "01020304");
    },
  },
  {
    title: "WRITE of the UID pages (0-2) and of the CC (3) is NAK 00 on a writable tag",
    writable: true,
    async check(t2t) {
      for (const page of ["00", "01", "02", "03"]) assert.equal(await t2t(`A2${page}00000000`), "00", `page ${page}`);
    },
  },
  {
    title: "WRITE with 3 data bytes (short frame) is NAK 00",
    writable: true,
    async check(t2t) {
      assert.equal(await t2t("A205010203"), "00");
    },
  },
  {
    title: "an unknown command (GET_VERSION 60 on this personality) is NAK 00",
    ref: "docs/nfc.md §Type 2 tag (everything else: NAK)",
    async check(t2t) {
      assert.equal(await t2t("60"), "00");
    },
  },
];

const T2_CASES: ConformanceCase[] = T2_ROWS.map((r, i) => ({
  id: `NFC-T2-${pad(i + 2)}`,
  area: "nfc",
  title: r.title,
  ref: r.ref ?? T2T,
  tags: ["t2t"],
  roles: ["plaque"],
  run: (ctx) => asType2(ctx, Boolean(r.writable), r.check),
}));

/** The CC as a phone reads it: SELECT the application and the CC file, READ 15 bytes. */
async function readCc(ctx: CaseContext, writable = false): Promise<number[]> {
  let cc: number[] = [];
  await withTag(ctx, writable ? WRITABLE() : STATIC(), async () => {
    await apdu(ctx, SELECT_APP);
    await apdu(ctx, SELECT_CC);
    const a = await apdu(ctx, "00B000000F");
    assert.equal(a.slice(-4), "9000", "CC read");
    cc = [...hex(a.slice(0, -4))];
  });
  return cc;
}
const u16 = (cc: number[], at: number) => (cc[at] << 8) | cc[at + 1];
const CC_REF = "NFC Forum T4T 1.2 §5.1 (Capability Container)";

const CC_RULES: { title: string; ref?: string; writable?: boolean; check(cc: number[]): void }[] = [
  { title: "CCLEN is 000F (at least 15; Android refuses a shorter CC)", check: (cc) => assert.equal(u16(cc, 0), 0x000f) },
  { title: "mapping version is 2.0 (iOS Core NFC reads 2.0; Android accepts major version 2)", check: (cc) => assert.equal(cc[2], 0x20) },
  { title: "MLe is at least 000F (Android reads in chunks of min(MLe, 255))", check: (cc) => assert.ok(u16(cc, 3) >= 0x000f, `MLe ${u16(cc, 3)}`) },
  { title: "MLc is at least 0001", check: (cc) => assert.ok(u16(cc, 5) >= 0x0001, `MLc ${u16(cc, 5)}`) },
  { title: "the NDEF File Control TLV has T = 04 and L = 06", check: (cc) => assert.deepEqual([cc[7], cc[8]], [0x04, 0x06]) },
  {
    title: "the NDEF file id is not a reserved value (0000, E102, E103, 3F00, 3FFF, FFFF)",
    check: (cc) => assert.ok(![0x0000, 0xe102, 0xe103, 0x3f00, 0x3fff, 0xffff].includes(u16(cc, 9)), `FID ${u16(cc, 9).toString(16)}`),
  },
  { title: "max NDEF file size is within 0005..FFFE", check: (cc) => assert.ok(u16(cc, 11) >= 5 && u16(cc, 11) <= 0xfffe, `size ${u16(cc, 11)}`) },
  { title: "read access is 00 (readable without security)", check: (cc) => assert.equal(cc[13], 0x00) },
  { title: "a read-only tag says write access FF", check: (cc) => assert.equal(cc[14], 0xff) },
  { title: "a writable tag says write access 00", writable: true, check: (cc) => assert.equal(cc[14], 0x00) },
];

const CC_CASES: ConformanceCase[] = CC_RULES.map((r, i) => ({
  id: `NFC-CC-${pad(i + 1)}`,
  area: "nfc",
  title: r.title,
  ref: r.ref ?? CC_REF,
  tags: ["t4t", "cc", "android", "ios"],
  run: async (ctx) => r.check(await readCc(ctx, r.writable)),
}));

export const T2T_AND_CC_CASES: ConformanceCase[] = [...CC_CASES, ...T2_CASES];
