// The boot splash: a double border, TAPKIT large and centred with a bar under it, and DEMO
// below when the demo set-up is active. Proportions follow the board's panel size. Drawn into
// the current band (band.ts); panel.ts shows it.
import { PANEL_H, PANEL_W, fillRect, frameRect } from "./band";
import { GLYPH_H, drawText, textWidth } from "./font5x7";

export function drawSplash(demo: bool): void {
  frameRect(0, 0, PANEL_W, PANEL_H, 3);
  frameRect(6, 6, PANEL_W - 12, PANEL_H - 12, 1);
  let scale = (PANEL_W - 24) / textWidth("TAPKIT", 1);
  if (scale < 1) scale = 1;
  const titleW = textWidth("TAPKIT", scale);
  const titleY = PANEL_H / 2 - GLYPH_H * scale;
  drawText((PANEL_W - titleW) / 2, titleY, scale, "TAPKIT");
  fillRect((PANEL_W - titleW) / 2, titleY + GLYPH_H * scale + scale, titleW, scale > 1 ? scale / 2 : 1);
  if (demo) {
    const small = scale > 1 ? scale / 2 + 1 : 1;
    drawText((PANEL_W - textWidth("DEMO", small)) / 2, titleY + GLYPH_H * scale + 3 * scale, small, "DEMO");
  }
}
