// NDEF records and messages as bytes (NFC Forum NDEF 1.0; notes §2.1): encode with MB/ME/SR/IL
// set the way Android's serializer does, decode strictly (lengths, MB on the first record,
// ME on the last, nothing after it).
import { TapkitError } from "../errors/index.ts";

export const TNF = { EMPTY: 0, WELL_KNOWN: 1, MIME: 2, ABSOLUTE_URI: 3, EXTERNAL: 4, UNKNOWN: 5, UNCHANGED: 6, RESERVED: 7 } as const;
export const FLAG = { MB: 0x80, ME: 0x40, CF: 0x20, SR: 0x10, IL: 0x08 } as const;

export interface NdefRecord {
  tnf: number;
  type: Uint8Array;
  id: Uint8Array;
  payload: Uint8Array;
  /** header flags as found when decoding (MB, ME, CF, SR, IL bits) */
  flags?: number;
}

export function encodeMessage(records: NdefRecord[]): Uint8Array {
  if (records.length === 0) throw new TapkitError("NDEF_EMPTY", "an NDEF message needs at least one record", "add a URI record, e.g. --uri https://...");
  const parts: Uint8Array[] = [];
  records.forEach((r, i) => {
    const short = r.payload.length < 256;
    let flags = r.tnf & 7;
    if (i === 0) flags |= FLAG.MB;
    if (i === records.length - 1) flags |= FLAG.ME;
    if (short) flags |= FLAG.SR;
    if (r.id.length > 0) flags |= FLAG.IL;
    if (r.type.length > 255 || r.id.length > 255)
      throw new TapkitError("NDEF_FIELD_TOO_LONG", "record type and id are at most 255 bytes", "shorten the type or id");
    const head = [flags, r.type.length];
    if (short) head.push(r.payload.length);
    else head.push((r.payload.length >>> 24) & 0xff, (r.payload.length >>> 16) & 0xff, (r.payload.length >>> 8) & 0xff, r.payload.length & 0xff);
    if (r.id.length > 0) head.push(r.id.length);
    parts.push(Uint8Array.from(head), r.type, r.id, r.payload);
  });
  return Uint8Array.from(Buffer.concat(parts));
}

export function decodeMessage(bytes: Uint8Array): NdefRecord[] {
  const records: NdefRecord[] = [];
  let at = 0;
  const need = (n: number, what: string) => {
    if (at + n > bytes.length)
      throw new TapkitError(
        "NDEF_TRUNCATED",
        `record ${records.length + 1}: ${what} runs past the end of the message (offset ${at}, ${bytes.length} bytes)`,
        "the message is cut short or a length field is wrong",
      );
  };
  for (;;) {
    need(3, "header");
    const flags = bytes[at];
    const typeLen = bytes[at + 1];
    at += 2;
    let payloadLen: number;
    if (flags & FLAG.SR) {
      payloadLen = bytes[at];
      at += 1;
    } else {
      need(4, "payload length");
      payloadLen = ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
      at += 4;
    }
    let idLen = 0;
    if (flags & FLAG.IL) {
      need(1, "id length");
      idLen = bytes[at];
      at += 1;
    }
    need(typeLen + idLen + payloadLen, "type, id and payload");
    const type = bytes.slice(at, at + typeLen);
    const id = bytes.slice(at + typeLen, at + typeLen + idLen);
    const payload = bytes.slice(at + typeLen + idLen, at + typeLen + idLen + payloadLen);
    at += typeLen + idLen + payloadLen;
    if (records.length === 0 && !(flags & FLAG.MB))
      throw new TapkitError("NDEF_NO_MB", "the first record lacks the MB flag", "set MB (0x80) on the first record only");
    if (records.length > 0 && flags & FLAG.MB)
      throw new TapkitError("NDEF_MB_AGAIN", `record ${records.length + 1} sets MB`, "set MB on the first record only");
    records.push({ tnf: flags & 7, type, id, payload, flags: flags & 0xf8 });
    if (flags & FLAG.ME) break;
    if (at >= bytes.length) throw new TapkitError("NDEF_NO_ME", "the last record lacks the ME flag", "set ME (0x40) on the last record");
  }
  if (at !== bytes.length)
    throw new TapkitError("NDEF_TRAILING", `${bytes.length - at} bytes follow the record with ME`, "remove the trailing bytes or fix the ME flag");
  return records;
}
