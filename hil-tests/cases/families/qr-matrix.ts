// ISO/IEC 18004 symbol choices as a table: every version 1-10 at every error-correction
// level, and each of the eight data masks, drawn on the plaque's panel, read back over the
// link and decoded by two independent decoders (jsQR in process, zbarimg from Debian's
// zbar-tools). The frame goes into the report as a picture.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";
import { decodeBitmapWithJsqr, decodeWithZbar, zbarAvailable } from "../../../host-tools/src/qr/decoders.ts";
import { bitmapToPng } from "../../../host-tools/src/raster/framebuffer.ts";

const area = "qr";
const ECC = ["L", "M", "Q", "H"] as const;
const VERSIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const MASK_VERSION = 2;

/** Shows `payload` with the forced choices, checks the device used them, and decodes the panel twice. */
async function showAndDecode(ctx: CaseContext, payload: string, choice: { version: number; ecl: number; mask?: number }): Promise<void> {
  if (!zbarAvailable()) ctx.precondition("zbarimg (Debian package zbar-tools) is not installed: the second decoder is missing");
  const shown = await ctx.device.ops.qr.show({
    text: new TextEncoder().encode(payload),
    ecl: choice.ecl,
    min: choice.version,
    max: choice.version,
    scale: 3,
    ...(choice.mask === undefined ? {} : { mask: choice.mask }),
  });
  assert.equal(shown.v, choice.version, "version used");
  assert.equal(shown.ecl, choice.ecl, "error-correction level used");
  if (choice.mask !== undefined) assert.equal(shown.m, choice.mask, "mask used");
  const fb = await ctx.device.framebuffer();
  const png = bitmapToPng(fb, 1);
  ctx.figure(`${payload}: v${shown.v}-${ECC[shown.ecl]} mask ${shown.m}`, png);
  const jsqr = decodeBitmapWithJsqr(fb);
  assert.ok(jsqr, "jsQR finds the symbol on the panel");
  assert.equal(new TextDecoder().decode(jsqr), payload, "jsQR payload");
  const dir = mkdtempSync(join(tmpdir(), "tapkit-qr-"));
  try {
    const file = join(dir, "panel.png");
    writeFileSync(file, png);
    const [zbar] = decodeWithZbar([file]);
    assert.ok(zbar, "zbarimg finds the symbol on the panel");
    assert.equal(new TextDecoder().decode(zbar), payload, "zbarimg payload");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const QR_MATRIX_CASES: ConformanceCase[] = [
  ...VERSIONS.flatMap((version) =>
    ECC.map(
      (level, ecl): ConformanceCase => ({
        id: `QR-VE-${String(version).padStart(2, "0")}${level}`,
        area,
        title: `version ${version}, ECC ${level}: the panel symbol decodes to the payload with jsQR and zbarimg`,
        ref: "ISO/IEC 18004:2015 §7.3.1 (versions), §7.5.1 (error correction levels), Table 7",
        tags: ["qr", "panel", "decode", "version"],
        roles: ["plaque"],
        run: (ctx) => showAndDecode(ctx, `TK-V${version}-${level}`, { version, ecl }),
      }),
    ),
  ),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map(
    (mask): ConformanceCase => ({
      id: `QR-MASK-${mask}`,
      area,
      title: `data mask ${mask} (forced, version ${MASK_VERSION}-M): decodes with jsQR and zbarimg`,
      ref: "ISO/IEC 18004:2015 §7.8.2 (data mask patterns), Table 10",
      tags: ["qr", "panel", "decode", "mask"],
      roles: ["plaque"],
      run: (ctx) => showAndDecode(ctx, `TK-MASK-${mask}-0123456789`, { version: MASK_VERSION, ecl: 1, mask }),
    }),
  ),
];
