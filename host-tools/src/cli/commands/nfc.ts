// tapkit nfc apdu: send one command APDU to the tag (nfc-test channel or a PC/SC reader) and
// print the answer with its status word explained (ISO/IEC 7816-4). Anything but 9000 exits
// with APDU_STATUS (exit 7, the device reported an error), the answer in the error's details.
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION, READER_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { withNfcPath } from "./connect.ts";
import { parseHex, toHex } from "../../bytes/hex.ts";
import { statusOf } from "../../iso7816/status-words.ts";
import { TapkitError } from "../../errors/index.ts";

export const nfcApdu: Command = {
  name: "nfc apdu",
  summary: "send one APDU to the device's NFC tag over the nfc-test channel or a PC/SC reader (exit 7 unless SW 9000)",
  usage: "tapkit nfc apdu (--port PORT | --reader NAME) <hex> [--json]",
  examples: [
    "tapkit nfc apdu --port /dev/ttyUSB0 00A4040007D276000085010100   # SELECT NDEF application",
    "tapkit nfc apdu --port tcp:127.0.0.1:7300 '00 B0 00 00 0F' --json",
    "tapkit nfc apdu --reader 'Virtual PCD 00 00' 00A4040007D276000085010100   # through pcscd (tapkit sim --pcsc)",
  ],
  positionals: [1, 1],
  options: { ...PORT_OPTION, ...READER_OPTION, ...JSON_OPTION },
  async run(opts, [hex], out) {
    let apdu: Uint8Array;
    try {
      apdu = parseHex(hex);
    } catch (e) {
      throw usageError(`APDU is not hex: ${(e as Error).message}`, "write bytes as hex, e.g. 00A4040007D276000085010100");
    }
    if (apdu.length < 4) throw usageError(`an APDU has at least 4 bytes (CLA INS P1 P2), got ${apdu.length}`, "e.g. 00A4040007D276000085010100");
    const response = await withNfcPath(opts, (nfc) => nfc.apdu(apdu));
    const status = statusOf(response);
    const sw = status?.sw ?? "";
    const data = toHex(response.subarray(0, Math.max(0, response.length - 2)));
    const result = { command: toHex(apdu), response: toHex(response), data, sw, meaning: status?.meaning ?? "no status word (answer shorter than 2 bytes)" };
    if (sw !== "9000") {
      throw new TapkitError(
        "APDU_STATUS",
        `the tag answered ${sw || "without a status word"}: ${result.meaning}${data ? ` (data ${data})` : ""}`,
        status?.hint || "see ISO/IEC 7816-4 section 5.6",
        result,
      );
    }
    out.result(result, (r) => {
      out.line(r.data ? `${r.data} ${r.sw}` : r.sw);
      out.status(`${r.sw}: ${r.meaning}`);
    });
  },
};
