// What the firmware may answer, from the docs, and the checks every answer goes through.
// Frames are decoded with outside code (COBS from the Cheshire & Baker paper as the firmware
// tests' harness writes it, zlib's CRC-32, cborg in strict mode with a deterministic
// re-encoding check), never the host link library.
import zlib from "node:zlib";
import { decode as cborgDecode, encode as cborgEncode } from "cborg";

/** docs/link-protocol.md, "Requests and responses": the only error codes. */
export const LINK_ERROR_CODES: ReadonlySet<string> = new Set([
  "unknown-op",
  "unknown-channel",
  "bad-body",
  "bad-arg",
  "too-large",
  "busy",
  "unsupported",
  "internal",
]);

/** docs/nfc.md, "Status words" (Type 4 tag). */
export const T4T_SW: ReadonlySet<number> = new Set([0x9000, 0x6700, 0x6e00, 0x6d00, 0x6a82, 0x6a86, 0x6986, 0x6b00, 0x6a80, 0x6982, 0x6581]);

/** docs/wallet-apdu.md: the wallet applet's status words (63Cx: x tries left, 3 tries). */
export const WALLET_SW: ReadonlySet<number> = new Set([
  0x9000, 0x6700, 0x6982, 0x6983, 0x6985, 0x6a80, 0x6a83, 0x6a86, 0x6d00, 0x6f00, 0x63c0, 0x63c1, 0x63c2, 0x63c3,
]);

/** docs/wallet-apdu.md, "Refusals": 6985 carries one of these reason bytes (and for 0A a store error byte). */
export const WALLET_REASONS: ReadonlySet<number> = new Set([...Array.from({ length: 0x14 }, (_, i) => i + 1), 0x21, 0x22, 0x23]);

export const FLAG_RESP = 1;
export const FLAG_ERR = 2;
export const FLAG_EVENT = 4;
export const CH_LOG = 2;

export interface DeviceFrame {
  channel: number;
  flags: number;
  seq: number;
  body: Record<string, unknown>;
  /** the body is deterministic CBOR except that some map's keys are not in sorted order */
  unsortedKeys: boolean;
}

export { cobsDecode } from "../../tests/firmware/firmware-harness.ts";
import { cobsDecode } from "../../tests/firmware/firmware-harness.ts";

function toObject(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toObject(x)]));
  if (Array.isArray(v)) return v.map(toObject);
  return v;
}

/** One frame the device sent (COBS payload without the 00); throws with the rule it breaks. */
export function parseDeviceFrame(encoded: Uint8Array): DeviceFrame {
  const raw = cobsDecode(encoded);
  if (raw.length < 8) throw new Error(`device frame of ${raw.length} bytes`);
  const crc = Buffer.from(raw.subarray(raw.length - 4)).readUInt32LE();
  if (crc !== zlib.crc32(raw.subarray(0, raw.length - 4))) throw new Error("device frame CRC mismatch");
  if (raw[0] >> 4 !== 1) throw new Error(`device frame version ${raw[0] >> 4}`);
  const bodyBytes = raw.subarray(4, raw.length - 4);
  let body: Record<string, unknown> = {};
  let unsortedKeys = false;
  if (bodyBytes.length) {
    body = cborgDecode(bodyBytes, { strict: true, useMaps: true, rejectDuplicateMapKeys: true }) as Record<string, unknown>;
    if (!(body instanceof Map)) throw new Error("device body is not a map");
    if (!Buffer.from(cborgEncode(body)).equals(Buffer.from(bodyBytes))) {
      // Shortest forms and definite lengths, but keys in the order written?
      const asWritten = cborgEncode(body, { mapSorter: () => 0 });
      if (!Buffer.from(asWritten).equals(Buffer.from(bodyBytes))) throw new Error("device body is not deterministic CBOR");
      unsortedKeys = true;
    }
    body = toObject(body) as Record<string, unknown>;
  }
  return { channel: raw[0] & 15, flags: raw[1], seq: raw[2] | (raw[3] << 8), body, unsortedKeys };
}

/** Problems with a frame's flags or error body, or null. */
export function checkFrame(f: DeviceFrame): string | null {
  if (f.flags === FLAG_EVENT) return f.channel === CH_LOG ? null : `event on channel ${f.channel}`;
  if (f.flags !== FLAG_RESP && f.flags !== (FLAG_RESP | FLAG_ERR)) return `flags ${f.flags}`;
  if (f.flags & FLAG_ERR) {
    const { code, msg } = f.body as { code?: unknown; msg?: unknown };
    if (typeof code !== "string" || typeof msg !== "string") return `error body ${JSON.stringify(f.body)}`;
    if (!LINK_ERROR_CODES.has(code)) return `undocumented error code ${JSON.stringify(code)}`;
  }
  return null;
}

export function swOf(r: Uint8Array): number {
  return r.length >= 2 ? (r[r.length - 2] << 8) | r[r.length - 1] : -1;
}

/** Problems with a Type 4 answer on a board (cards add the wallet applet's words), or null. */
export function checkApdu(r: Uint8Array, card: boolean): string | null {
  const sw = swOf(r);
  if (sw < 0) return `answer of ${r.length} bytes has no status word`;
  // 6Cxx: GET DATA with an Le below the data's length xx (docs/wallet-apdu.md, "Le").
  const documented = T4T_SW.has(sw) || (card && (WALLET_SW.has(sw) || (sw & 0xff00) === 0x6c00));
  if (!documented) return `undocumented status word ${sw.toString(16).padStart(4, "0")}`;
  if (sw === 0x9000) return !card && r.length > 258 ? `9000 with ${r.length - 2} data bytes (Le at most 256)` : null;
  if (sw === 0x6985 && card) {
    if (r.length < 3 || r.length > 4 || !WALLET_REASONS.has(r[0]))
      return `6985 with undocumented reason data ${Buffer.from(r.subarray(0, -2)).toString("hex")}`;
    return null;
  }
  return r.length === 2 ? null : `${sw.toString(16)} with ${r.length - 2} data bytes`;
}

/** Problems with a Type 2 answer (ACK 0A, NAK 00, or whole pages), or null. */
export function checkT2t(r: Uint8Array): string | null {
  if (r.length === 1 && (r[0] === 0x00 || r[0] === 0x0a)) return null;
  if (r.length >= 4 && r.length % 4 === 0 && r.length <= 256) return null;
  return `Type 2 answer of ${r.length} bytes: ${Buffer.from(r.subarray(0, 8)).toString("hex")}`;
}
