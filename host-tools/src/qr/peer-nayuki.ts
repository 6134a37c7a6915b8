// The second independent reference for bit-exact checks: Nayuki's QR Code generator (npm
// nayuki-qr-code-generator, the TypeScript port), fed the same segments, ECC level and
// version as our firmware used. Its automatic mask is the reading of the penalty rules our
// encoder follows (notes/qr.md 1.1), so with mask -1 it also checks our mask choice.
import qrcodegen from "nayuki-qr-code-generator";
import type { EccLevel, Segment } from "./device-qr.ts";
import type { PeerSymbol } from "./peer-qrcode.ts";

// The package is ESM without "type": "module": Node and esbuild give its namespace as the
// default export, TypeScript types that default as the module record.
export const nayuki = qrcodegen as unknown as typeof qrcodegen.default;

const ECC = { L: nayuki.QrCode.Ecc.LOW, M: nayuki.QrCode.Ecc.MEDIUM, Q: nayuki.QrCode.Ecc.QUARTILE, H: nayuki.QrCode.Ecc.HIGH } as const;

function nayukiSegment(s: Segment) {
  const { QrSegment } = nayuki;
  if (s.mode === "numeric") return QrSegment.makeNumeric(Buffer.from(s.data).toString("latin1"));
  if (s.mode === "alphanumeric") return QrSegment.makeAlphanumeric(Buffer.from(s.data).toString("latin1"));
  return QrSegment.makeBytes(Array.from(s.data));
}

/** Nayuki's symbol for exactly these segments at this level and version; mask -1 (default) lets it choose. */
export function nayukiEncode(segments: Segment[], ecl: EccLevel, version: number, mask = -1): PeerSymbol {
  const qr = nayuki.QrCode.encodeSegments(segments.map(nayukiSegment), ECC[ecl], version, version, mask, false);
  const modules = new Uint8Array(qr.size * qr.size);
  for (let y = 0; y < qr.size; y++) for (let x = 0; x < qr.size; x++) modules[y * qr.size + x] = qr.getModule(x, y) ? 1 : 0;
  return { version: qr.version, mask: qr.mask, side: qr.size, modules };
}
