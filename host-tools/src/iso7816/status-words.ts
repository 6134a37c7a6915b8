// ISO/IEC 7816-4 (section 5.6) status words in words, for people reading a raw APDU answer
// (`tapkit nfc apdu`, `tapkit tap`): what SW1 SW2 means and what to try next. Only the
// interindustry values; proprietary ones (SW1 9X other than 9000) are said to be so.

export interface StatusWord {
  /** SW1 SW2 as 4 upper-case hex digits */
  sw: string;
  /** 9000 (and 61XX: more data waiting) are normal processing */
  ok: boolean;
  /** "normal", "warning" (62XX, 63XX: state unchanged or changed), "error" */
  kind: "normal" | "warning" | "error";
  meaning: string;
  hint: string;
}

const EXACT: Record<number, [string, string]> = {
  0x9000: ["normal processing: success", ""],
  0x6200: ["warning: no information given (state unchanged)", "the command ran; check the data"],
  0x6281: ["warning: part of the returned data may be corrupted", "read again"],
  0x6282: ["warning: end of file or record reached before Le bytes", "read fewer bytes (the file is shorter)"],
  0x6283: ["warning: selected file deactivated", "the application or file is disabled on this tag"],
  0x6284: ["warning: file control information not formatted per 7816-4", "SELECT with P2=0C (no FCI)"],
  0x6300: ["warning: no information given (state changed)", "e.g. an authentication failed"],
  0x6381: ["warning: file filled up by the last write", ""],
  0x6400: ["execution error: state of non-volatile memory unchanged", "retry; the device may be busy or failing"],
  0x6581: ["execution error: memory failure", "the device's storage failed; check `tapkit doctor`"],
  0x6700: ["wrong length (Lc or Le)", "check the length byte(s) against the data"],
  0x6881: ["logical channel not supported", "use CLA 00"],
  0x6882: ["secure messaging not supported", "send the command without secure messaging (CLA 00)"],
  0x6981: ["command incompatible with file structure", "the selected file is not of this kind (binary vs record)"],
  0x6982: ["security status not satisfied", "authenticate first (e.g. verify the owner PIN), or the file's access rule forbids this"],
  0x6983: ["authentication method blocked", "too many wrong tries: the PIN or key is blocked"],
  0x6984: ["reference data not usable", "the key or PIN is not set up yet"],
  0x6985: ["conditions of use not satisfied", "the command is not allowed in the device's current state (e.g. nothing selected yet, or a blank wallet)"],
  0x6986: ["command not allowed (no current EF)", "SELECT a file first"],
  0x6a80: ["incorrect parameters in the command data field", "check the data bytes"],
  0x6a81: ["function not supported", "the tag does not offer this command"],
  0x6a82: ["file or application not found", "check the AID or file id (NDEF app D2760000850101, CC file E103)"],
  0x6a83: ["record not found", "the record or data object does not exist (e.g. a blank wallet)"],
  0x6a84: ["not enough memory space in the file", "write less data"],
  0x6a86: ["incorrect parameters P1-P2", "check P1 and P2"],
  0x6a88: ["referenced data or reference data not found", "the data object or key is not there"],
  0x6b00: ["wrong parameters P1-P2 (offset outside the file)", "read inside the file's size"],
  0x6d00: ["instruction code not supported or invalid", "check INS: the tag does not know this command"],
  0x6e00: ["class not supported", "use CLA 00"],
  0x6f00: ["no precise diagnosis", "the tag failed internally; `tapkit doctor` shows the device log"],
};

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");

/** SW1 SW2 explained; `sw` is the 16-bit value (SW1 << 8 | SW2). */
export function explainStatusWord(sw: number): StatusWord {
  const text = hex4(sw);
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  const make = (meaning: string, hint: string): StatusWord => {
    const kind = sw === 0x9000 || sw1 === 0x61 ? "normal" : sw1 === 0x62 || sw1 === 0x63 ? "warning" : "error";
    return { sw: text, ok: kind === "normal", kind, meaning, hint };
  };
  if (EXACT[sw]) return make(...EXACT[sw]);
  if (sw1 === 0x61)
    return make(
      `normal processing: ${sw2 || 256} more byte(s) available`,
      `send GET RESPONSE (00 C0 00 00 ${sw2.toString(16).toUpperCase().padStart(2, "0")})`,
    );
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return make(`warning: verification failed, ${sw2 & 0x0f} tries left`, "the PIN or key was wrong");
  if (sw1 === 0x6c)
    return make(`wrong Le: exactly ${sw2 || 256} byte(s) available`, `send the command again with Le = ${sw2.toString(16).toUpperCase().padStart(2, "0")}`);
  const classes: Record<number, string> = {
    0x62: "warning (state unchanged)",
    0x63: "warning (state changed)",
    0x64: "execution error (state unchanged)",
    0x65: "execution error (state changed)",
    0x66: "security-related issue",
    0x67: "wrong length",
    0x68: "functions in CLA not supported",
    0x69: "command not allowed",
    0x6a: "wrong parameters P1-P2",
  };
  if (classes[sw1]) return make(`${classes[sw1]}, qualifier ${sw2.toString(16).toUpperCase().padStart(2, "0")}`, "see ISO/IEC 7816-4 section 5.6");
  if (sw1 >= 0x90 && sw1 <= 0x9f) return make("proprietary status (not defined by ISO/IEC 7816-4)", "see the application's documentation");
  return make("not an ISO/IEC 7816-4 status word", "the answer may be cut short or not an APDU response");
}

/** The status word at the end of a response APDU, or null when it has fewer than 2 bytes. */
export function statusOf(response: Uint8Array): StatusWord | null {
  if (response.length < 2) return null;
  return explainStatusWord((response[response.length - 2] << 8) | response[response.length - 1]);
}
