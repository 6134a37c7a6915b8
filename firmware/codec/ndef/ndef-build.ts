// Builds the records a tap plaque needs: URI (shortest prefix code), Text (UTF-8, language
// code), Smart Poster (URI + title), external type and the Android Application Record.
// Arguments are byte ranges; records go to the message opened with messageBegin().
import { bestUriCode, uriPrefixLen } from "./uri-prefixes";
import { FLAG_MB, FLAG_ME, FLAG_SR, TNF_EXTERNAL, TNF_WELL_KNOWN, appendByte, appendBytes, recordBegin } from "./ndef-record";

const TYPE_URI = memory.data<u8>([0x55]); // "U"
const TYPE_TEXT = memory.data<u8>([0x54]); // "T"
const TYPE_SP = memory.data<u8>([0x53, 0x70]); // "Sp"
const TYPE_AAR = memory.data<u8>([0x61, 0x6e, 0x64, 0x72, 0x6f, 0x69, 0x64, 0x2e, 0x63, 0x6f, 0x6d, 0x3a, 0x70, 0x6b, 0x67]); // "android.com:pkg"
const TEXT_UTF8: u8 = 0x00;

export function addUriRecord(uri: usize, len: i32): void {
  const code = bestUriCode(uri, len);
  const skip = uriPrefixLen(code);
  recordBegin(TNF_WELL_KNOWN, TYPE_URI, 1, 1 + len - skip);
  appendByte(<u8>code);
  appendBytes(uri + <usize>skip, len - skip);
}

/** Language codes are 1..63 bytes (status byte bits 5..0); returns false otherwise. */
export function addTextRecord(lang: usize, langLen: i32, text: usize, textLen: i32): bool {
  if (langLen < 1 || langLen > 63) return false;
  recordBegin(TNF_WELL_KNOWN, TYPE_TEXT, 1, 1 + langLen + textLen);
  appendByte(TEXT_UTF8 | <u8>langLen);
  appendBytes(lang, langLen);
  appendBytes(text, textLen);
  return true;
}

/** Smart Poster { URI, Title }; both inner records short (< 256 byte payloads). */
export function addSmartPoster(uri: usize, uriLen: i32, lang: usize, langLen: i32, title: usize, titleLen: i32): bool {
  const code = bestUriCode(uri, uriLen);
  const skip = uriPrefixLen(code);
  const uriPayload = 1 + uriLen - skip;
  const textPayload = 1 + langLen + titleLen;
  if (uriPayload > 255 || textPayload > 255 || langLen < 1 || langLen > 63) return false;
  recordBegin(TNF_WELL_KNOWN, TYPE_SP, 2, 4 + uriPayload + 4 + textPayload);
  appendByte(FLAG_MB | FLAG_SR | TNF_WELL_KNOWN);
  appendByte(1);
  appendByte(<u8>uriPayload);
  appendByte(0x55);
  appendByte(<u8>code);
  appendBytes(uri + <usize>skip, uriLen - skip);
  appendByte(FLAG_ME | FLAG_SR | TNF_WELL_KNOWN);
  appendByte(1);
  appendByte(<u8>textPayload);
  appendByte(0x54);
  appendByte(TEXT_UTF8 | <u8>langLen);
  appendBytes(lang, langLen);
  appendBytes(title, titleLen);
  return true;
}

export function addExternalRecord(type: usize, typeLen: i32, data: usize, dataLen: i32): void {
  recordBegin(TNF_EXTERNAL, type, typeLen, dataLen);
  appendBytes(data, dataLen);
}

export function addAndroidAppRecord(pkg: usize, len: i32): void {
  addExternalRecord(TYPE_AAR, 15, pkg, len);
}

export function aarType(): usize {
  return TYPE_AAR;
}
