// The two independent QR decoders `tapkit scan` uses on a PC: jsQR in process on the panel's
// pixels, and zbarimg (Debian zbar-tools) on the saved PNG. zbarimg missing is reported,
// not hidden: the scan then rests on jsQR alone and says so.
import { decodeBitmapWithJsqr, decodeWithZbar, zbarAvailable } from "../qr/decoders.ts";
import type { PanelDecoder } from "./panel-scan.ts";

export const jsqrDecoder: PanelDecoder = {
  name: "jsQR",
  decode: (fb) => ({ available: true, bytes: decodeBitmapWithJsqr(fb) }),
};

/** zbarimg on `pngFile` (the panel saved at any scale before scanning). */
export function zbarDecoder(pngFile: string): PanelDecoder {
  return {
    name: "zbarimg",
    decode: () =>
      zbarAvailable()
        ? { available: true, bytes: decodeWithZbar([pngFile])[0] }
        : { available: false, bytes: null, note: "zbarimg is not installed (apt-get install zbar-tools): only jsQR decoded the panel" },
  };
}
