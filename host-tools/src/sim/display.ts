// Simulated 1-bit panel: frame memory the firmware blits into, and the visible image that
// changes only on a refresh (as on e-paper), with refresh counts for benches and tests.
// PNG encoding is the shared raster module's (same bit layout as the HAL).

import type { BoardDisplay } from "../boards/board.ts";
import { E_ARG, E_RANGE, E_UNSUPPORTED, HalFault } from "./hal-codes.ts";
import { writeFileSync } from "node:fs";
import { bitmapToPng, type Bitmap } from "../raster/framebuffer.ts";

export const REFRESH_FULL = 0;
export const REFRESH_PARTIAL = 1;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class Panel {
  readonly width: number;
  readonly height: number;
  readonly partialRefresh: boolean;
  /** bytes per row: MSB-first, 1 = black */
  readonly stride: number;
  readonly frame: Uint8Array;
  readonly visible: Uint8Array;
  fullRefreshes = 0;
  partialRefreshes = 0;
  /** the area the last refresh changed on screen, null if nothing changed */
  lastRefreshArea: Rect | null = null;

  constructor(display: BoardDisplay) {
    this.width = display.width;
    this.height = display.height;
    this.partialRefresh = display.partialRefresh;
    this.stride = Math.ceil(this.width / 8);
    this.frame = new Uint8Array(this.stride * this.height);
    this.visible = new Uint8Array(this.stride * this.height);
  }

  /** Copy a 1-bit image (rows of ceil(w/8) bytes, MSB = leftmost, 1 = black) into frame memory. */
  blit(x: number, y: number, w: number, h: number, image: Uint8Array): void {
    if (w < 0 || h < 0) throw new HalFault(E_ARG, `negative blit size ${w}x${h}`);
    if (x < 0 || y < 0 || x + w > this.width || y + h > this.height) {
      throw new HalFault(E_RANGE, `blit ${w}x${h} at (${x},${y}) leaves the ${this.width}x${this.height} panel`);
    }
    const rowBytes = Math.ceil(w / 8);
    if (image.length < rowBytes * h) throw new HalFault(E_ARG, `blit ${w}x${h} needs ${rowBytes * h} bytes, got ${image.length}`);
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        const black = (image[row * rowBytes + (col >> 3)] >> (7 - (col & 7))) & 1;
        setBit(this.frame, this.stride, x + col, y + row, black);
      }
    }
  }

  refresh(mode: number): void {
    if (mode !== REFRESH_FULL && mode !== REFRESH_PARTIAL) throw new HalFault(E_ARG, `unknown refresh mode ${mode}`);
    if (mode === REFRESH_PARTIAL && !this.partialRefresh) throw new HalFault(E_UNSUPPORTED, "this panel has no partial refresh");
    this.lastRefreshArea = mode === REFRESH_FULL ? { x: 0, y: 0, w: this.width, h: this.height } : this.changedArea();
    this.visible.set(this.frame);
    if (mode === REFRESH_FULL) this.fullRefreshes++;
    else this.partialRefreshes++;
  }

  /** Visible pixel: true = black. */
  pixel(x: number, y: number): boolean {
    return getBit(this.visible, this.stride, x, y) === 1;
  }

  /** The visible image as a Bitmap (a copy; frame memory not yet refreshed is not in it). */
  visibleBitmap(): Bitmap {
    return { width: this.width, height: this.height, data: this.visible.slice() };
  }

  /** Write the visible image as a black-and-white PNG, each pixel scale x scale. */
  toPng(path: string, scale = 1): void {
    writeFileSync(path, bitmapToPng(this.visibleBitmap(), scale));
  }

  private changedArea(): Rect | null {
    let x0 = this.width,
      y0 = this.height,
      x1 = -1,
      y1 = -1;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        if (getBit(this.frame, this.stride, x, y) !== getBit(this.visible, this.stride, x, y)) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  }
}

function getBit(buf: Uint8Array, stride: number, x: number, y: number): number {
  return (buf[y * stride + (x >> 3)] >> (7 - (x & 7))) & 1;
}

function setBit(buf: Uint8Array, stride: number, x: number, y: number, value: number): void {
  const i = y * stride + (x >> 3);
  const mask = 0x80 >> (x & 7);
  buf[i] = value ? buf[i] | mask : buf[i] & ~mask;
}
