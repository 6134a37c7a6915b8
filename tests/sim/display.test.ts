// Panel model: frame memory vs visible image (visible only after refresh), refresh counts
// and changed area, and the PNG decoded back with pngjs (an outside decoder).

import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { Panel } from "../../host-tools/src/sim/display.ts";
import { tempStateDir, halCode } from "./sim-fixture.ts";

const geometry = { type: "epaper" as const, width: 20, height: 10, bitsPerPixel: 1 as const, partialRefresh: false };

test("blit lands in frame memory; visible after refresh; counts and changed area", () => {
  const panel = new Panel({ ...geometry, partialRefresh: true });
  // 9x2 image: row 0 = leftmost and rightmost pixel, row 1 = all black
  panel.blit(3, 4, 9, 2, Uint8Array.of(0b1000_0000, 0b1000_0000, 0xff, 0xff));
  assert.equal(panel.pixel(3, 4), false);
  panel.refresh(1);
  assert.equal(panel.partialRefreshes, 1);
  assert.deepEqual(panel.lastRefreshArea, { x: 3, y: 4, w: 9, h: 2 });
  const black: string[] = [];
  for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) if (panel.pixel(x, y)) black.push(`${x},${y}`);
  assert.deepEqual(black, ["3,4", "11,4", ...Array.from({ length: 9 }, (_, i) => `${3 + i},5`)]);
  panel.blit(0, 0, 8, 1, Uint8Array.of(0x01));
  panel.refresh(0);
  assert.equal(panel.fullRefreshes, 1);
  assert.deepEqual(panel.lastRefreshArea, { x: 0, y: 0, w: 20, h: 10 });
  assert.equal(panel.pixel(7, 0), true);
  panel.refresh(1);
  assert.equal(panel.lastRefreshArea, null, "nothing changed");
});

test("refusals: off-panel, short buffer, unknown mode, partial on a full-only panel", () => {
  const panel = new Panel(geometry);
  const code = halCode;
  assert.equal(
    code(() => panel.blit(16, 0, 5, 1, new Uint8Array(1))),
    -2,
  );
  assert.equal(
    code(() => panel.blit(0, 9, 1, 2, new Uint8Array(2))),
    -2,
  );
  assert.equal(
    code(() => panel.blit(0, 0, 9, 2, new Uint8Array(3))),
    -1,
  );
  assert.equal(
    code(() => panel.refresh(1)),
    -8,
  );
  assert.equal(
    code(() => panel.refresh(7)),
    -1,
  );
});

test("PNG of the visible image decodes back with pngjs, scaled", (t) => {
  const panel = new Panel(geometry);
  panel.blit(0, 0, 16, 2, Uint8Array.of(0xaa, 0x0f, 0x80, 0x01));
  panel.refresh(0);
  panel.blit(0, 9, 8, 1, Uint8Array.of(0xff)); // not refreshed: must not be in the PNG
  const path = join(tempStateDir(t), "panel.png");
  panel.toPng(path, 3);
  const png = PNG.sync.read(readFileSync(path));
  assert.equal(png.width, 60);
  assert.equal(png.height, 30);
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < 20; x++) {
      for (const [dx, dy] of [
        [0, 0],
        [2, 2],
      ]) {
        const i = ((y * 3 + dy) * 60 + x * 3 + dx) * 4;
        assert.equal(png.data[i], panel.pixel(x, y) ? 0 : 255, `pixel ${x},${y}`);
      }
    }
  }
  assert.equal(png.data[(0 * 60 + 0) * 4], 0, "(0,0) black");
  assert.equal(png.data[(0 * 60 + 3) * 4], 255, "(1,0) white");
  assert.equal(png.data[(27 * 60 + 0) * 4], 255, "unrefreshed row stays white");
});
