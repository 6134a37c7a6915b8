// The plaque has no frame buffer: screens go to the panel in bands, and the shell's fb
// readback draws them again. What fb returns must be what the panel shows (the simulator's
// panel model, which only knows the blits), through screens that differ by band: a symbol with
// a caption, one whose module rows straddle band edges, and screens left alone by an encode
// that is not shown or a layout that does not fit. jsQR (an outside decoder) reads the
// payload back off the readback.
import { test } from "vitest";
import assert from "node:assert/strict";
import { decodeBitmapWithJsqr } from "../../host-tools/src/qr/decoders.ts";
import { plaque } from "./qr-fixture.ts";

const text = (s: string) => new TextEncoder().encode(s);

test("fb readback equals the panel's image, before and after encodes that are not shown", async (t) => {
  const { device, client } = await plaque(t);
  const panel = device.panel!;
  const readBack = async () => Buffer.from((await client.framebuffer()).data);
  const shown = () => Buffer.from(panel.visibleBitmap().data);

  // The boot screen (demo set-up: the static merchant code).
  assert.ok((await readBack()).equals(shown()), "boot screen");

  const payload = "HTTPS://EXAMPLE.COM/PAY/1234567890";
  // 3 px/module: a v3 symbol's rows cross the 50-row band edges part-way through a module.
  const r = await client.ops.qr.show({ text: text(payload), scale: 3, caption: "AMOUNT 12.34" });
  const bottom = r.y + (r.v * 4 + 17) * r.scale;
  assert.ok(
    [50, 100, 150].some((edge) => edge > r.y && edge < bottom && (edge - r.y) % r.scale !== 0),
    `a module row straddles a band edge (y ${r.y}, v${r.v}, scale ${r.scale})`,
  );
  const withCaption = await readBack();
  assert.ok(withCaption.equals(shown()), "symbol with caption");
  assert.equal(new TextDecoder().decode(decodeBitmapWithJsqr({ width: 200, height: 200, data: withCaption })!), payload);
  // The caption's rows are drawn: ink below the symbol.
  const captionRows = withCaption.subarray(bottom * 25);
  assert.ok(
    captionRows.some((b) => b !== 0),
    "caption ink below the symbol",
  );

  // An encode that is not shown replaces the grid the encoder keeps, not the panel's symbol.
  await client.ops.qr.encode({ text: text("SOMETHING ELSE ENTIRELY 0123456789") });
  assert.ok((await readBack()).equals(withCaption), "unchanged after qr.encode");
  // A layout that does not fit fails after encoding; the panel keeps the last symbol.
  await assert.rejects(client.ops.qr.show({ text: text("X".repeat(200)), scale: 16 }), /too-large/);
  assert.ok((await readBack()).equals(withCaption), "unchanged after a failed qr.show");
  assert.ok(shown().equals(withCaption));

  // Reading from an offset that is not on a band edge gives the same bytes.
  const tail = await client.ops.shell.fb({ off: 1251 });
  assert.ok(Buffer.from(tail.data).equals(withCaption.subarray(1251, 1251 + tail.data.length)));
});
