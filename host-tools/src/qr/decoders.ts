// Independent QR decoders for rendered panel images: jsQR (in process, from the PNG's
// pixels) and zbarimg --raw (Debian zbar-tools, a subprocess; bytes, not charset-guessed
// text). Used by the decode gate test, the conformance cases and the bench; never by
// firmware logic.
import { spawnSync } from "node:child_process";

import * as jsqrModule from "jsqr";
import { PNG } from "pngjs";
import { pixel, type Bitmap } from "../raster/framebuffer.ts";

/** jsQR on a PNG file's pixels; the payload bytes, or null if nothing decoded. */
export function decodeWithJsqr(pngBytes: Uint8Array): Uint8Array | null {
  const png = PNG.sync.read(Buffer.from(pngBytes));
  const rgba = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  const found = jsQR(rgba, png.width, png.height, { inversionAttempts: "dontInvert" });
  return found ? Uint8Array.from(found.binaryData) : null;
}

type JsQr = (data: Uint8ClampedArray, width: number, height: number, opts?: { inversionAttempts?: "dontInvert" }) => { binaryData: number[] } | null;
// jsqr is CommonJS with a default export; under ESM the function sits on .default.
const jsQR: JsQr = ((jsqrModule as any).default ?? jsqrModule) as JsQr;

let zbarChecked: boolean | undefined;

/** True when zbarimg is on PATH. */
export function zbarAvailable(): boolean {
  if (zbarChecked === undefined) zbarChecked = spawnSync("zbarimg", ["--version"], { stdio: "ignore" }).status === 0;
  return zbarChecked;
}

/**
 * zbarimg --raw over many PNG files in one process (it is slow to start). Payloads must not
 * contain newlines: results are split on them and matched to files in order; if the count
 * does not match (a file did not decode), each file is decoded on its own.
 */
export function decodeWithZbar(files: string[]): (Uint8Array | null)[] {
  const batch = spawnSync("zbarimg", ["-q", "--raw", "-Sdisable", "-Sqrcode.enable", ...files], { maxBuffer: 64 << 20 });
  const lines = splitLines(batch.stdout);
  if (batch.status === 0 && lines.length === files.length) return lines;
  return files.map((f) => {
    const one = spawnSync("zbarimg", ["-q", "--raw", "-Sdisable", "-Sqrcode.enable", f]);
    const got = splitLines(one.stdout);
    return one.status === 0 && got.length === 1 ? got[0] : null;
  });
}

function splitLines(out: Buffer): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0x0a) {
      lines.push(Uint8Array.from(out.subarray(start, i)));
      start = i + 1;
    }
  }
  return lines;
}

/** jsQR on a 1-bit panel image as the device reports it (DeviceClient.framebuffer()). */
export function decodeBitmapWithJsqr(bm: Bitmap): Uint8Array | null {
  const rgba = new Uint8ClampedArray(bm.width * bm.height * 4);
  for (let y = 0; y < bm.height; y++) {
    for (let x = 0; x < bm.width; x++) {
      const v = pixel(bm, x, y) ? 0 : 255;
      const i = (y * bm.width + x) * 4;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
      rgba[i + 3] = 255;
    }
  }
  const found = jsQR(rgba, bm.width, bm.height, { inversionAttempts: "dontInvert" });
  return found ? Uint8Array.from(found.binaryData) : null;
}
