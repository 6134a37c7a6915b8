// A Type 4 NDEF read exactly as Android's reader does it (notes §1.8, rw_t4t.cc): SELECT the
// v2 NDEF application (falling back to v1), SELECT E103, READ 15 CC bytes and validate them
// with rw_t4t_validate_cc_file's rules, SELECT the NDEF file named in the CC, READ NLEN,
// check it against the max size, then READ the message in chunks of min(MLe, 255).
// Works over any transceive: the simulator, the nfc-test channel, or PC/SC.
import { TapkitError } from "../errors/index.ts";

export type Transceive = (apdu: Uint8Array) => Promise<Uint8Array> | Uint8Array;

export interface CapabilityContainer {
  ccLen: number;
  version: number;
  mle: number;
  mlc: number;
  fileId: number;
  maxSize: number;
  readAccess: number;
  writeAccess: number;
}

export interface T4tRead {
  cc: CapabilityContainer;
  message: Uint8Array;
  readOnly: boolean;
  /** APDUs exchanged */
  apdus: number;
}

const V2_AID = [0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01];
const V1_AID = [0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x00];
const RESERVED_FIDS = new Set([0xe102, 0xe103, 0x3f00, 0x3fff, 0xffff]);

const sw = (r: Uint8Array) => (r.length >= 2 ? (r[r.length - 2] << 8) | r[r.length - 1] : -1);
const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");

/** Android's CC rules; throws CC_INVALID naming the rule that failed. */
export function validateCc(cc: Uint8Array): CapabilityContainer {
  const fail = (what: string) => {
    throw new TapkitError("CC_INVALID", `capability container rejected: ${what}`, "Android's reader would not read this tag (rw_t4t_validate_cc_file)");
  };
  if (cc.length < 15) fail(`only ${cc.length} bytes, 15 needed`);
  const v = {
    ccLen: (cc[0] << 8) | cc[1],
    version: cc[2],
    mle: (cc[3] << 8) | cc[4],
    mlc: (cc[5] << 8) | cc[6],
    fileId: (cc[9] << 8) | cc[10],
    maxSize: (cc[11] << 8) | cc[12],
    readAccess: cc[13],
    writeAccess: cc[14],
  };
  if (v.ccLen < 0x000f) fail(`CCLEN ${v.ccLen} < 15`);
  if (v.version >> 4 > 3) fail(`mapping version ${v.version.toString(16)} newer than 3.x`);
  if (v.mle < 0x000f) fail(`MLe ${v.mle} < 15`);
  if (v.mlc < 0x0001) fail("MLc 0");
  if (cc[7] !== 0x04 || cc[8] !== 0x06) fail(`first TLV is ${cc[7].toString(16)}/${cc[8]}, not the NDEF file control TLV 04/06`);
  if (RESERVED_FIDS.has(v.fileId) || (v.fileId === 0 && v.version >= 0x20)) fail(`reserved NDEF file id ${hex4(v.fileId)}`);
  if (v.version >> 4 === 2 && (v.maxSize < 0x0005 || v.maxSize > 0x7fff)) fail(`max NDEF size ${hex4(v.maxSize)} outside 0005..7FFF`);
  if (v.readAccess !== 0x00 && (v.readAccess < 0x80 || v.readAccess === 0xff)) fail(`read access ${v.readAccess.toString(16)}`);
  if (v.writeAccess !== 0x00 && v.writeAccess < 0x80) fail(`write access ${v.writeAccess.toString(16)}`);
  return v;
}

export async function readNdefType4(transceive: Transceive): Promise<T4tRead> {
  let apdus = 0;
  const send = async (bytes: number[]): Promise<Uint8Array> => {
    apdus++;
    return transceive(Uint8Array.from(bytes));
  };
  const expectOk = (r: Uint8Array, what: string) => {
    if (sw(r) !== 0x9000) throw new TapkitError("T4T_STATUS", `${what} answered ${hex4(sw(r))}`, "the tag is not an NFC Forum Type 4 NDEF tag, or it failed");
  };
  let r = await send([0x00, 0xa4, 0x04, 0x00, 0x07, ...V2_AID, 0x00]);
  if (sw(r) !== 0x9000) {
    r = await send([0x00, 0xa4, 0x04, 0x00, 0x07, ...V1_AID, 0x00]);
    expectOk(r, "SELECT NDEF application (v2 and v1)");
  }
  expectOk(await send([0x00, 0xa4, 0x00, 0x0c, 0x02, 0xe1, 0x03]), "SELECT CC file E103");
  r = await send([0x00, 0xb0, 0x00, 0x00, 0x0f]);
  expectOk(r, "READ BINARY of the CC");
  const cc = validateCc(r.subarray(0, r.length - 2));
  expectOk(await send([0x00, 0xa4, 0x00, 0x0c, 0x02, cc.fileId >> 8, cc.fileId & 0xff]), `SELECT NDEF file ${hex4(cc.fileId)}`);
  r = await send([0x00, 0xb0, 0x00, 0x00, 0x02]);
  expectOk(r, "READ BINARY of NLEN");
  if (r.length !== 4) throw new TapkitError("T4T_NLEN", `NLEN read returned ${r.length - 2} bytes`, "a tag must return exactly the 2 requested bytes");
  const nlen = (r[0] << 8) | r[1];
  if (nlen > cc.maxSize - 2) throw new TapkitError("T4T_NLEN", `NLEN ${nlen} exceeds the max NDEF size ${cc.maxSize} - 2`, "the tag's NDEF file is corrupt");
  // Android: Le = min(MLe, ~647), and 255 rather than 00 when MLe is 256.
  const chunk = Math.min(cc.mle, 255);
  const message = new Uint8Array(nlen);
  for (let off = 0; off < nlen; ) {
    const n = Math.min(chunk, nlen - off);
    const at = off + 2;
    r = await send([0x00, 0xb0, (at >> 8) & 0x7f, at & 0xff, n]);
    expectOk(r, `READ BINARY at ${at}`);
    if (r.length - 2 !== n)
      throw new TapkitError("T4T_SHORT_READ", `READ at ${at} returned ${r.length - 2} of ${n} bytes`, "the tag truncated a read inside the message");
    message.set(r.subarray(0, n), off);
    off += n;
  }
  return { cc, message, readOnly: cc.writeAccess === 0xff, apdus };
}
