// A Type 2 NDEF read as Android's rw_t2t_ndef does it: READ page 0 (16 bytes, pages 0-3),
// check the CC (E1, version 1.x, access 00 or 0F), then walk the TLVs from page 4 (NULL,
// lock/memory control, NDEF 03 with 1- or 3-byte length) and read the NDEF TLV's value.
import { TapkitError } from "../errors/index.ts";

export type T2tTransceive = (command: Uint8Array) => Promise<Uint8Array> | Uint8Array;

export interface T2tRead {
  uid: Uint8Array;
  cc: Uint8Array;
  dataAreaBytes: number;
  readOnly: boolean;
  message: Uint8Array;
}

export async function readNdefType2(transceive: T2tTransceive): Promise<T2tRead> {
  const pages = new Map<number, Uint8Array>();
  const byteAt = async (addr: number): Promise<number> => {
    const page = addr >> 2;
    const block = page & ~3;
    if (!pages.has(page)) {
      const r = await transceive(Uint8Array.of(0x30, block));
      if (r.length !== 16)
        throw new TapkitError(
          "T2T_READ",
          `READ ${block} answered ${r.length} byte(s) (${Buffer.from(r).toString("hex")})`,
          "the tag NAKed a read inside its memory",
        );
      for (let i = 0; i < 4; i++) pages.set(block + i, r.subarray(4 * i, 4 * i + 4));
    }
    return pages.get(page)![addr & 3];
  };
  const header = new Uint8Array(16);
  for (let i = 0; i < 16; i++) header[i] = await byteAt(i);
  const cc = header.subarray(12, 16);
  if (cc[0] !== 0xe1) throw new TapkitError("T2T_CC", `CC magic ${cc[0].toString(16)} is not E1`, "the tag is not NDEF formatted");
  if (cc[1] >> 4 !== 1) throw new TapkitError("T2T_CC", `CC version ${cc[1].toString(16)} is not 1.x`, "Android accepts 10h..1Fh");
  if (cc[3] !== 0x00 && cc[3] !== 0x0f)
    throw new TapkitError("T2T_CC", `CC access ${cc[3].toString(16)} is neither 00 nor 0F`, "Android accepts only 00 (read/write) and 0F (read-only)");
  const dataAreaBytes = cc[2] * 8;
  const end = 16 + dataAreaBytes;
  let at = 16;
  while (at < end) {
    const t = await byteAt(at);
    if (t === 0x00) {
      at++;
      continue;
    }
    if (t === 0xfe) break;
    let len = await byteAt(at + 1);
    let body = at + 2;
    if (len === 0xff) {
      len = ((await byteAt(at + 2)) << 8) | (await byteAt(at + 3));
      body = at + 4;
    }
    if (body + len > end) throw new TapkitError("T2T_TLV", `TLV ${t.toString(16)} at ${at} runs past the data area`, "the tag's TLV area is corrupt");
    if (t === 0x03) {
      const message = new Uint8Array(len);
      for (let i = 0; i < len; i++) message[i] = await byteAt(body + i);
      return { uid: Uint8Array.of(...header.subarray(0, 3), ...header.subarray(4, 8)), cc: cc.slice(), dataAreaBytes, readOnly: cc[3] === 0x0f, message };
    }
    at = body + len;
  }
  throw new TapkitError("T2T_NO_NDEF", "no NDEF TLV (03) before the terminator", "write an NDEF message to the tag");
}
