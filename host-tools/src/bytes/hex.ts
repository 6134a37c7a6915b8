// Hex text <-> bytes for command lines and reports (spaces and colons allowed on input).
import { TapkitError } from "../errors/index.ts";

const HEX_HINT = "write bytes as hex, two digits 0-9 A-F per byte (spaces and colons allowed), e.g. 00A40400";

export function parseHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, "");
  if (clean.length % 2 !== 0) throw new TapkitError("HEX_INVALID", `odd number of hex digits (${clean.length})`, HEX_HINT);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new TapkitError("HEX_INVALID", `'${text}' contains characters other than 0-9 a-f`, HEX_HINT);
  return Uint8Array.from(Buffer.from(clean, "hex"));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex").toUpperCase();
}

/** Lower-case hex, as sha256sum and openssl dgst print digests (image hashes and key ids). */
export function toHexLower(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
