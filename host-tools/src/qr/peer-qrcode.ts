// The independent reference for bit-exact checks: the `qrcode` npm package (soldair/
// node-qrcode), fed the same segments, ECC level, version and mask as our firmware used.
import QRCode from "qrcode";
import type { EccLevel, Segment } from "./device-qr.ts";

export interface PeerSymbol {
  version: number;
  mask: number;
  side: number;
  /** side*side modules, row-major, 1 = dark */
  modules: Uint8Array;
}

function peerSegments(segments: Segment[]) {
  return segments.map((s) => ({
    mode: s.mode,
    // Numeric and alphanumeric data are ASCII text to qrcode; bytes stay bytes.
    data: s.mode === "byte" ? s.data : Buffer.from(s.data).toString("latin1"),
  }));
}

/** qrcode's symbol for exactly these segments; mask undefined lets qrcode choose. */
export function peerEncode(segments: Segment[], ecl: EccLevel, version: number, mask?: number): PeerSymbol {
  const qr = QRCode.create(peerSegments(segments) as any, { errorCorrectionLevel: ecl, version, maskPattern: mask as any });
  const m = qr.modules as unknown as { size: number; data: Uint8Array };
  return { version: qr.version, mask: qr.maskPattern as unknown as number, side: m.size, modules: Uint8Array.from(m.data, (b) => (b ? 1 : 0)) };
}
