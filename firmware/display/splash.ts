// The boot splash: a double border, TAPKIT large and centred with a bar under it, and DEMO
// below when the demo set-up is active. Proportions follow the board's panel size.
import { FB_H, FB_W, clearFramebuffer, fillRect, frameRect, showFramebuffer } from "./framebuffer";
import { GLYPH_H, drawText, textWidth } from "./font5x7";

/** Draws the splash and pushes it to the panel; returns the HAL result (0 without a panel). */
export function showSplash(demo: bool): i32 {
  if (FB_W == 0) return 0;
  clearFramebuffer();
  frameRect(0, 0, FB_W, FB_H, 3);
  frameRect(6, 6, FB_W - 12, FB_H - 12, 1);
  let scale = (FB_W - 24) / textWidth("TAPKIT", 1);
  if (scale < 1) scale = 1;
  const titleW = textWidth("TAPKIT", scale);
  const titleY = FB_H / 2 - GLYPH_H * scale;
  drawText((FB_W - titleW) / 2, titleY, scale, "TAPKIT");
  fillRect((FB_W - titleW) / 2, titleY + GLYPH_H * scale + scale, titleW, scale > 1 ? scale / 2 : 1);
  if (demo) {
    const small = scale > 1 ? scale / 2 + 1 : 1;
    drawText((FB_W - textWidth("DEMO", small)) / 2, titleY + GLYPH_H * scale + 3 * scale, small, "DEMO");
  }
  return showFramebuffer();
}
