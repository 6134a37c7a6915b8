// EMV MPM vectors. EMVCO_SAMPLE is the EMVCo MPM specification's sample (CRC A13A, as used
// verbatim by many public test suites; notes/qr.md 3.4). HAND_* were assembled by hand from
// the profile below and their CRCs computed with Python's binascii.crc_hqx(data, 0xFFFF).
// NEGATIVE: payloads that must be rejected, with the field the error must name.
import type { MerchantProfile } from "../../host-tools/src/emv/mpm.ts";

export const EMVCO_SAMPLE =
  "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

export const HAND_PROFILE: MerchantProfile = {
  name: "FULANO DE TAL",
  city: "BRASILIA",
  country: "BR",
  currency: "986",
  mcc: "0000",
  accounts: [
    { id: 29, gui: "A000000677010111", fields: { "01": "0066812345678" } },
    { id: 26, gui: "br.gov.bcb.pix", fields: { "01": "123e4567-e12b-12d1-a456-426655440000" } },
  ],
};

export const HAND_STATIC =
  "00020101021126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-42665544000029370016A000000677010111011300668123456785204000053039865802BR5913FULANO DE TAL6008BRASILIA63049EE0";
export const HAND_DYNAMIC =
  "00020101021226580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-42665544000029370016A00000067701011101130066812345678520400005303986540510.505802BR5913FULANO DE TAL6008BRASILIA62140103A-10503TK763041ECD";

/** Re-CRCs a modified payload so only the intended rule is broken. */
import { crcHex } from "../../host-tools/src/emv/crc16.ts";
const withCrc = (body: string) => body + "6304" + crcHex(body + "6304");
const S = HAND_STATIC.slice(0, -8);

export const NEGATIVE: [string, string, string][] = [
  ["bad CRC", S + "6304ABCD", "63"],
  ["lower-case CRC", withCrc(S).slice(0, -4) + withCrc(S).slice(-4).toLowerCase().replace(/[0-9]/g, "a"), "63"],
  ["no CRC", S, "63"],
  ["trailing data after 63", HAND_STATIC + "9903abc", "63"],
  ["00 not first", withCrc("010211" + S.slice(6)), "00"],
  ["00 value 02", withCrc("000202" + S.slice(6)), "00"],
  ["initiation 13", withCrc(S.replace("010211", "010213")), "01"],
  ["name 26 characters", withCrc(S.replace("5913FULANO DE TAL", "5926" + "N".repeat(26))), "59"],
  ["city 16 characters", withCrc(S.replace("6008BRASILIA", "6016" + "C".repeat(16))), "60"],
  ["city missing", withCrc(S.replace("6008BRASILIA", "")), "60"],
  ["name missing", withCrc(S.replace("5913FULANO DE TAL", "")), "59"],
  ["country missing", withCrc(S.replace("5802BR", "")), "58"],
  ["currency not numeric", withCrc(S.replace("5303986", "5303BRL")), "53"],
  ["MCC 3 digits", withCrc(S.replace("52040000", "5203000")), "52"],
  ["amount 14 characters", withCrc(S.replace("5802BR", "541412345678901.255802BR")), "54"],
  ["amount not decimal", withCrc(S.replace("5802BR", "54041,505802BR")), "54"],
  ["amount zero", withCrc(S.replace("5802BR", "54010" + "5802BR")), "54"],
  ["55=02 without 56", withCrc(S.replace("5802BR", "5502025802BR")), "56"],
  ["55=03 without 57", withCrc(S.replace("5802BR", "5502035802BR")), "57"],
  ["no merchant account", withCrc("000201010211" + S.slice(S.indexOf("5204"))), "02-51"],
  ["template without GUID", withCrc(S.replace("26580014br.gov.bcb.pix", "26580114br.gov.bcb.pix")), "26/00"],
  ["length past the end", withCrc(S.replace("6008BRASILIA", "6099BRASILIA")), "60"],
  ["length not digits", withCrc(S.replace("6008BRASILIA", "60XXBRASILIA")), "60"],
  ["object twice", withCrc(S + "5802BR"), "58"],
  ["template 62 malformed", withCrc(S + "62040199"), "62"],
];
