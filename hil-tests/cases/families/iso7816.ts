// ISO/IEC 7816-4 robustness of the NDEF application as tables: every class byte other than
// 00 (secure messaging, chaining, proprietary classes) is 6E00 before anything else; every
// instruction the application does not offer is 6D00 and leaves the session usable;
// malformed lengths (short APDUs, extended length, Lc/Le lies) are 6700.
import type { ConformanceCase } from "../../case.ts";
import { CC, SELECT_APP, SELECT_CC } from "../tag-session.ts";
import { scriptCase, type Step } from "./apdu-script.ts";

const CLA_REF = "ISO/IEC 7816-4:2020 §5.4.1 (class byte); docs/nfc.md §Status words (6E00)";
const INS_REF = "ISO/IEC 7816-4:2020 §5.4.2 (instruction byte); docs/nfc.md §Status words (6D00)";
const LEN_REF = "ISO/IEC 7816-4:2020 §5.1 (command-response pairs, Lc/Le)";

// What each class means to ISO 7816-4, so the title says why 00 is the only one served.
const CLASSES: [string, string][] = [
  ["01", "logical channel 1"],
  ["03", "logical channel 3"],
  ["04", "secure messaging, no header authentication"],
  ["08", "secure messaging (proprietary)"],
  ["0C", "secure messaging, header authenticated"],
  ["10", "command chaining"],
  ["1C", "chaining with secure messaging"],
  ["40", "further interindustry class, channel 4"],
  ["60", "further interindustry class with secure messaging"],
  ["80", "proprietary class (GlobalPlatform)"],
  ["84", "proprietary with secure messaging"],
  ["90", "proprietary (DESFire native wrapping)"],
  ["A0", "proprietary (GSM SIM)"],
  ["B0", "proprietary"],
  ["E0", "proprietary"],
  ["FF", "invalid class (PPS / reader pseudo-APDU)"],
];

// Instructions the NDEF application does not offer (A4, B0, D6 are its whole set).
const INSTRUCTIONS: [string, string][] = [
  ["0E", "ERASE BINARY"],
  ["20", "VERIFY"],
  ["22", "MANAGE SECURITY ENVIRONMENT"],
  ["24", "CHANGE REFERENCE DATA"],
  ["2A", "PERFORM SECURITY OPERATION"],
  ["44", "ACTIVATE FILE"],
  ["70", "MANAGE CHANNEL"],
  ["82", "EXTERNAL AUTHENTICATE"],
  ["84", "GET CHALLENGE"],
  ["88", "INTERNAL AUTHENTICATE"],
  ["B1", "READ BINARY odd (mapping 3.0 ODO)"],
  ["B2", "READ RECORD"],
  ["C0", "GET RESPONSE"],
  ["CA", "GET DATA"],
  ["CB", "GET DATA odd"],
  ["D0", "WRITE BINARY"],
  ["D7", "UPDATE BINARY odd (mapping 3.0)"],
  ["DA", "PUT DATA"],
  ["E0", "CREATE FILE"],
  ["E2", "APPEND RECORD"],
  ["E4", "DELETE FILE"],
  ["60", "invalid INS (6X is a status byte)"],
  ["90", "invalid INS (9X is a status byte)"],
];

const APP: Step = [SELECT_APP, "9000"];
const STILL_SERVES: Step[] = [
  [SELECT_CC, "9000"],
  ["00B000000F", `=${CC}9000`],
];

const LENGTH_ROWS: { title: string; steps: Step[]; linkOnly?: boolean }[] = [
  { title: "an empty APDU is 6700", steps: [["", "6700"]], linkOnly: true },
  { title: "a 1-byte APDU is 6700", steps: [["00", "6700"]], linkOnly: true },
  { title: "a 2-byte APDU is 6700", steps: [["00A4", "6700"]], linkOnly: true },
  { title: "a 3-byte APDU is 6700", steps: [["00A404", "6700"]], linkOnly: true },
  { title: "SELECT AID announced as extended length (Lc 00 0007) is refused, not served", steps: [["00A40400000007D2760000850101", "6700|6A82"]] },
  { title: "SELECT with Lc FF and 7 data bytes (Lc lie) is 6700", steps: [["00A40400FFD2760000850101", "6700"]] },
  { title: "SELECT FID with Lc 02 but 1 data byte is 6700", steps: [APP, ["00A4000C02E1", "6700"]] },
  { title: "UPDATE with Lc 02 and no data is 6700", steps: [APP, [SELECT_CC, "9000"], ["00D6000002", "6700"]] },
  { title: "after every length error the session still serves the CC", steps: [APP, ["00A4000C01E1", "6700"], ["00B0", "6700"], ...STILL_SERVES] },
];

const pad = (n: number) => String(n).padStart(3, "0");

export const ISO7816_CASES: ConformanceCase[] = [
  ...CLASSES.map(([cla, what], i) =>
    scriptCase("iso7816", {
      id: `ISO-CLA-${pad(i + 1)}`,
      title: `CLA ${cla} (${what}) is 6E00 on SELECT and on READ, and CLA 00 still works after it`,
      ref: CLA_REF,
      tags: ["iso7816", "cla"],
      steps: [[`${cla}A4040007D276000085010100`, "6E00"], APP, [SELECT_CC, "9000"], [`${cla}B000000F`, "6E00"], ["00B000000F", `=${CC}9000`]],
    }),
  ),
  ...INSTRUCTIONS.map(([ins, what], i) =>
    scriptCase("iso7816", {
      id: `ISO-INS-${pad(i + 1)}`,
      title: `INS ${ins} (${what}) is 6D00 in the NDEF application and the session stays usable`,
      ref: INS_REF,
      tags: ["iso7816", "ins"],
      steps: [APP, [`00${ins}000000`, "6D00"], ...STILL_SERVES],
    }),
  ),
  ...LENGTH_ROWS.map((r, i) =>
    scriptCase("iso7816", { id: `ISO-LEN-${pad(i + 1)}`, title: r.title, ref: LEN_REF, tags: ["iso7816", "length"], steps: r.steps, linkOnly: r.linkOnly }),
  ),
];
