// NFC Forum Type 4 Tag command set as tables: SELECT variants, READ BINARY offsets and
// lengths on the CC and NDEF files, UPDATE BINARY rules. Expected answers are docs/nfc.md's
// status-word table, which follows T4T 1.2 §5.4 and ISO/IEC 7816-4 (Android CE where they
// leave a choice). One row = one case with its own id.
import type { ConformanceCase } from "../../case.ts";
import { CC, SELECT_APP, SELECT_CC, SELECT_NDEF } from "../tag-session.ts";
import { LONG_NLEN, scriptCase, type ScriptRow, type Step } from "./apdu-script.ts";

const AID = "D2760000850101";
const T4T_SELECT = "NFC Forum T4T 1.2 §5.4.2 (NDEF Tag Application Select)";
const T4T_FID = "NFC Forum T4T 1.2 §5.4.3 (Capability Container / NDEF Select)";
const T4T_READ = "NFC Forum T4T 1.2 §5.4.4 (ReadBinary); ISO/IEC 7816-4:2020 §11.3.3";
const T4T_UPDATE = "NFC Forum T4T 1.2 §5.4.5 (UpdateBinary); ISO/IEC 7816-4:2020 §11.3.5";
const APP: Step = [SELECT_APP, "9000"];
const INCC: Step[] = [APP, [SELECT_CC, "9000"]];
const INNDEF: Step[] = [APP, [SELECT_NDEF, "9000"]];
// The static tag's message: D1 01 LL 55 04 "pay.example.com/m/12345" (prefix 04 = https://).
const NLEN = (2 + 1 + 1 + 1 + "pay.example.com/m/12345".length).toString(16).padStart(4, "0").toUpperCase();

const SELECT_ROWS: Omit<ScriptRow, "id">[] = [
  { title: "SELECT FID with no application selected is 6A82", ref: T4T_FID, steps: [[SELECT_CC, "6A82"]] },
  { title: "SELECT AID, P2 00, with Le 00", ref: T4T_SELECT, steps: [[`00A4040007${AID}00`, "9000"]] },
  { title: "SELECT AID, P2 00, no Le", ref: T4T_SELECT, steps: [[`00A4040007${AID}`, "9000"]] },
  { title: "SELECT AID, P2 0C (no FCI), no Le", ref: T4T_SELECT, steps: [[`00A4040C07${AID}`, "9000"]] },
  { title: "SELECT AID, P2 0C, with Le 00", ref: T4T_SELECT, steps: [[`00A4040C07${AID}00`, "9000"]] },
  { title: "SELECT of the v1 AID D2760000850100 is not served (6A82)", ref: T4T_SELECT, steps: [["00A4040007D276000085010000", "6A82"]] },
  { title: "SELECT of a payment AID (A0000000031010) is 6A82", ref: "ISO/IEC 7816-4:2020 §11.2.2", steps: [["00A4040007A000000003101000", "6A82"]] },
  { title: "SELECT of a truncated AID (6 bytes) is 6A82", ref: "ISO/IEC 7816-4:2020 §11.2.2", steps: [["00A4040006D2760000850100", "6A82"]] },
  { title: "SELECT AID with Lc 07 but 6 data bytes (Lc lie) is 6700", ref: "ISO/IEC 7816-4:2020 §5.1 (Lc)", steps: [["00A4040007D27600008501", "6700"]] },
  { title: "SELECT AID followed by two extra bytes after Le is 6700", ref: "ISO/IEC 7816-4:2020 §5.1", steps: [[`00A4040007${AID}0000`, "6700"]] },
  { title: "SELECT P1 01 (child DF) is 6A86", ref: "ISO/IEC 7816-4:2020 §11.2.2 Table 63", steps: [APP, ["00A4010C02E103", "6A86"]] },
  { title: "SELECT P1 02 (EF under current DF) is 6A86", ref: "ISO/IEC 7816-4:2020 §11.2.2 Table 63", steps: [APP, ["00A4020C02E103", "6A86"]] },
  { title: "SELECT P1 08 (path from MF) is 6A86", ref: "ISO/IEC 7816-4:2020 §11.2.2 Table 63", steps: [APP, ["00A4080C02E103", "6A86"]] },
  { title: "SELECT AID with P2 02 (next occurrence) is 6A86", ref: "ISO/IEC 7816-4:2020 §11.2.2 Table 64", steps: [APP, [`00A4040207${AID}`, "6A86"]] },
  { title: "SELECT AID with P2 04 (FCP) is 6A86", ref: "ISO/IEC 7816-4:2020 §11.2.2 Table 64", steps: [APP, [`00A4040407${AID}`, "6A86"]] },
  { title: "SELECT CC (E103) after the application", ref: T4T_FID, steps: [APP, [SELECT_CC, "9000"]] },
  { title: "SELECT NDEF file (E104) after the application", ref: T4T_FID, steps: [APP, [SELECT_NDEF, "9000"]] },
  { title: "SELECT FID with P2 00 is accepted like 0C", ref: T4T_FID, steps: [APP, ["00A4000002E103", "9000"]] },
  { title: "SELECT FID with Lc 01 is 6700", ref: T4T_FID, steps: [APP, ["00A4000C01E1", "6700"]] },
  { title: "SELECT FID with Lc 03 is 6700", ref: T4T_FID, steps: [APP, ["00A4000C03E10300", "6700"]] },
  { title: "SELECT of an unknown FID (E105) is 6A82", ref: T4T_FID, steps: [APP, ["00A4000C02E105", "6A82"]] },
  { title: "SELECT of the MF (3F00) is 6A82 inside the NDEF application", ref: T4T_FID, steps: [APP, ["00A4000C023F00", "6A82"]] },
  {
    title: "a failed FID SELECT keeps the CC selected",
    ref: "docs/nfc.md §Type 4 tag (failed SELECT)",
    steps: [...INCC, ["00A4000C02E1FF", "6A82"], ["00B000000F", `=${CC}9000`]],
  },
  {
    title: "a failed AID SELECT keeps the NDEF file selected",
    ref: "docs/nfc.md §Type 4 tag (failed SELECT)",
    steps: [...INNDEF, ["00A4040007A000000003101000", "6A82"], ["00B0000002", `=${NLEN}9000`]],
  },
  {
    title: "re-SELECT of the application deselects the file (READ 6986)",
    ref: "NFC Forum T4T 1.2 §5.4 (state machine)",
    steps: [...INCC, APP, ["00B000000F", "6986"]],
  },
  { title: "field off ends the session: READ after a new tap is 6D00", ref: "docs/nfc.md §Type 4 tag", steps: [...INCC, "TAP", ["00B000000F", "6D00"]] },
];

const READ_ROWS: Omit<ScriptRow, "id">[] = [
  { title: "READ CC offset 0, Le 0F: the whole 15-byte CC", ref: T4T_READ, steps: [...INCC, ["00B000000F", `=${CC}9000`]] },
  { title: "READ CC offset 0, Le 01: CCLEN high byte", ref: T4T_READ, steps: [...INCC, ["00B0000001", "=009000"]] },
  { title: "READ CC offset 0, Le 02: CCLEN = 000F", ref: T4T_READ, steps: [...INCC, ["00B0000002", "=000F9000"]] },
  { title: "READ CC offset 2, Le 01: mapping version 2.0", ref: T4T_READ, steps: [...INCC, ["00B0000201", "=209000"]] },
  { title: "READ CC offset 14 (last byte), Le 01", ref: T4T_READ, steps: [...INCC, ["00B0000E01", "=FF9000"]] },
  {
    title: "READ CC offset 14, Le 02: truncated at the end of the file",
    ref: "docs/nfc.md §Status words (read past the end)",
    steps: [...INCC, ["00B0000E02", "=FF9000"]],
  },
  { title: "READ CC offset 15 (= size) is 6B00", ref: T4T_READ, steps: [...INCC, ["00B0000F01", "6B00"]] },
  { title: "READ CC offset 16 (size+1) is 6B00", ref: T4T_READ, steps: [...INCC, ["00B0001001", "6B00"]] },
  { title: "READ CC offset 7FFF is 6B00", ref: T4T_READ, steps: [...INCC, ["00B07FFF01", "6B00"]] },
  { title: "READ CC Le 00 (256) returns the 15 bytes there are", ref: T4T_READ, steps: [...INCC, ["00B0000000", `=${CC}9000`]] },
  { title: "READ NDEF NLEN (offset 0, Le 02)", ref: T4T_READ, steps: [...INNDEF, ["00B0000002", `=${NLEN}9000`]] },
  { title: "READ NDEF offset 1023 (last byte) reads 00", ref: T4T_READ, steps: [...INNDEF, ["00B003FF01", "=009000"]] },
  { title: "READ NDEF offset 1024 (= size) is 6B00", ref: T4T_READ, steps: [...INNDEF, ["00B0040001", "6B00"]] },
  { title: "READ NDEF offset 1025 is 6B00", ref: T4T_READ, steps: [...INNDEF, ["00B0040101", "6B00"]] },
  {
    title: "READ NDEF offset 1022, Le 04: 2 bytes to the end",
    ref: "docs/nfc.md §Status words (read past the end)",
    steps: [...INNDEF, ["00B003FE04", "#2/9000"]],
  },
  { title: "READ NDEF Le 00 reads 256 bytes", ref: "ISO/IEC 7816-4:2020 §5.1 (Le 00 = 256)", steps: [...INNDEF, ["00B0000000", "#256/9000"]] },
  { title: "READ NDEF Le FF reads 255 bytes", ref: T4T_READ, steps: [...INNDEF, ["00B00000FF", "#255/9000"]] },
  { title: "READ NDEF at offset 2 returns the message header D1 01", ref: T4T_READ, steps: [...INNDEF, ["00B0000202", "=D1019000"]] },
  { title: "READ by SFI 1 (P1 81) reads the CC without SELECT", ref: "ISO/IEC 7816-4:2020 §11.3.3 (P1 b8=1: SFI)", steps: [APP, ["00B081000F", `=${CC}9000`]] },
  { title: "READ by SFI 2 (P1 82) reads NLEN", ref: "ISO/IEC 7816-4:2020 §11.3.3 (P1 b8=1: SFI)", steps: [APP, ["00B0820002", `=${NLEN}9000`]] },
  { title: "READ by unknown SFI 3 is 6A82", ref: "ISO/IEC 7816-4:2020 §11.3.3", steps: [APP, ["00B0830002", "6A82"]] },
  { title: "READ by SFI with P1 bits 6-5 set (A1) is 6A86", ref: "ISO/IEC 7816-4:2020 §11.3.3", steps: [APP, ["00B0A10002", "6A86"]] },
  { title: "READ with no Le (4-byte case 1 APDU) is 6700", ref: "ISO/IEC 7816-4:2020 §5.1 (case 2 needs Le)", steps: [...INCC, ["00B00000", "6700"]] },
  { title: "READ with two Le bytes is 6700", ref: "ISO/IEC 7816-4:2020 §5.1", steps: [...INCC, ["00B000000F00", "6700"]] },
  { title: "READ with no file selected is 6986", ref: "docs/nfc.md §Status words (Android CE)", steps: [APP, ["00B000000F", "6986"]] },
  { title: "READ with no application selected is 6D00", ref: "docs/nfc.md §Status words", steps: [["00B000000F", "6D00"]] },
  {
    title: "READ of a long (>255-byte) message in chunks of 255 gives consistent NLEN",
    ref: "NFC Forum T4T 1.2 §6.3",
    tag: "long",
    steps: [...INNDEF, ["00B0000002", `=${LONG_NLEN}9000`], ["00B00002FF", "#255/9000"], ["00B00101FF", "#255/9000"], ["00B00200FF", "#255/9000"]],
  },
];

const UPDATE_ROWS: Omit<ScriptRow, "id">[] = [
  { title: "UPDATE of the CC file is 6986", ref: T4T_UPDATE, tag: "writable", steps: [...INCC, ["00D60000020000", "6986"]] },
  { title: "UPDATE of a read-only tag is 6986", ref: T4T_UPDATE, steps: [...INNDEF, ["00D60000020000", "6986"]] },
  { title: "UPDATE NLEN 0000 on a writable tag", ref: T4T_UPDATE, tag: "writable", steps: [...INNDEF, ["00D60000020000", "9000"]] },
  { title: "UPDATE at offset 1024 is 6B00", ref: T4T_UPDATE, tag: "writable", steps: [...INNDEF, ["00D604000100", "6B00"]] },
  { title: "UPDATE at offset 1023 with 2 bytes (past the end) is 6B00", ref: T4T_UPDATE, tag: "writable", steps: [...INNDEF, ["00D603FF020000", "6B00"]] },
  { title: "UPDATE at offset 1022 with 2 bytes (to the end) is accepted", ref: T4T_UPDATE, tag: "writable", steps: [...INNDEF, ["00D603FE020000", "9000"]] },
  { title: "UPDATE with Lc 00 is 6700", ref: "ISO/IEC 7816-4:2020 §5.1", tag: "writable", steps: [...INNDEF, ["00D6000000", "6700"]] },
  {
    title: "UPDATE with Lc 05 but 3 data bytes (Lc lie) is 6700",
    ref: "ISO/IEC 7816-4:2020 §5.1",
    tag: "writable",
    steps: [...INNDEF, ["00D6000205D10101", "6700"]],
  },
  { title: "UPDATE with a byte after the data is 6700", ref: "ISO/IEC 7816-4:2020 §5.1", tag: "writable", steps: [...INNDEF, ["00D600000200000F", "6700"]] },
  {
    title: "UPDATE of an NLEN above 1022 is 6A80 and nothing is committed",
    ref: "NFC Forum T4T 1.2 §5.1.2 (NLEN)",
    tag: "writable",
    steps: [...INNDEF, ["00D600000203FF", "6A80"], "TAP", ...INNDEF, ["00B0000002", `=${NLEN}9000`]],
  },
  { title: "UPDATE with no file selected is 6986", ref: "docs/nfc.md §Status words", tag: "writable", steps: [APP, ["00D60000020000", "6986"]] },
  {
    title: "a torn write (NLEN 0000, no final NLEN) leaves the old message after a new tap",
    ref: "NFC Forum T4T 1.2 §6.4; docs/nfc.md §Writes",
    tag: "writable",
    steps: [...INNDEF, ["00D60000020000", "9000"], "TAP", ...INNDEF, ["00B0000002", `=${NLEN}9000`]],
  },
  {
    title: "a new SELECT discards staged writes",
    ref: "docs/nfc.md §Writes",
    tag: "writable",
    steps: [...INNDEF, ["00D60000020000", "9000"], APP, [SELECT_NDEF, "9000"], ["00B0000002", `=${NLEN}9000`]],
  },
];

function number(prefix: string, rows: Omit<ScriptRow, "id">[], tags: string[]): ConformanceCase[] {
  return rows.map((r, i) => scriptCase("nfc", { ...r, id: `${prefix}-${String(i + 1).padStart(3, "0")}`, tags: [...tags, ...(r.tags ?? [])] }));
}

export const T4T_COMMAND_CASES: ConformanceCase[] = [
  ...number("NFC-SEL", SELECT_ROWS, ["t4t", "select"]),
  ...number("NFC-RB", READ_ROWS, ["t4t", "read-binary"]),
  ...number("NFC-UB", UPDATE_ROWS, ["t4t", "update-binary"]),
];
