// A PC/SC reader path through `scriptor` (Debian pcsc-tools): runs a batch of APDUs in one
// card session on a named reader and returns each response. A Node PC/SC addon would need
// install scripts; scriptor is a real PC/SC client and needs none. `replayingTransceive`
// lets the step-by-step reader procedures (readNdefType4) drive it: each step re-runs the
// session with every APDU so far, and `finish` re-runs the whole list once so every answer
// returned comes from a single card session.
import { execFile } from "node:child_process";
import { NdefError } from "./ndef-error.ts";

export const VPCD_READER = "Virtual PCD 00 00";

/** Sends `apdus` in one scriptor session; resolves with one response (data + SW) per APDU. */
export function scriptorSession(apdus: Uint8Array[], reader = VPCD_READER, timeoutMs = 15000): Promise<Uint8Array[]> {
  const input = apdus.map((a) => Buffer.from(a).toString("hex").toUpperCase().replace(/(..)(?!$)/g, "$1 ")).join("\n") + "\n";
  return new Promise((resolve, reject) => {
    const child = execFile("scriptor", ["-r", reader], { encoding: "utf8", timeout: timeoutMs }, (err, stdout, stderr) => {
      const responses = parseScriptorOutput(stdout);
      if (err || responses.length !== apdus.length) {
        reject(new NdefError("PCSC_SESSION", `scriptor on "${reader}" answered ${responses.length} of ${apdus.length} APDUs: ${(stderr || err?.message || "").trim().split("\n").pop()}`, "is pcscd running with the card present? (pcscd -f; tapkit sim --pcsc)"));
        return;
      }
      resolve(responses);
    });
    child.stdin!.end(input);
  });
}

/** scriptor prints `< HEX...` over several lines (16 bytes each), ending `SW1 SW2 : text`. */
export function parseScriptorOutput(stdout: string): Uint8Array[] {
  const responses: Uint8Array[] = [];
  let current: string | null = null;
  for (const line of stdout.split("\n")) {
    if (line.startsWith("< ")) current = "";
    if (current === null) continue;
    const body = line.startsWith("< ") ? line.slice(2) : line;
    const end = body.indexOf(" : ");
    current += (end >= 0 ? body.slice(0, end) : body).replace(/\s+/g, "");
    if (end >= 0) {
      responses.push(Uint8Array.from(Buffer.from(current, "hex")));
      current = null;
    }
  }
  return responses;
}

export interface ReplayingTransceive {
  transceive(apdu: Uint8Array): Promise<Uint8Array>;
  /** The APDUs of the procedure so far, run again in one session. */
  finish(): Promise<{ apdus: Uint8Array[]; responses: Uint8Array[] }>;
}

export function replayingTransceive(reader = VPCD_READER): ReplayingTransceive {
  const sent: Uint8Array[] = [];
  return {
    async transceive(apdu) {
      sent.push(apdu);
      const responses = await scriptorSession(sent, reader);
      return responses[responses.length - 1];
    },
    async finish() {
      return { apdus: sent.slice(), responses: await scriptorSession(sent, reader) };
    },
  };
}
