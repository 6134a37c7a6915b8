// How big a QR symbol this board's firmware can make, fixed at compile time from the panel.
//
// The encoder knows versions 1-40 (tables and formulas cover them all), but its buffers are
// static, so each board gets a largest version. On the 200x200 sim-plaque panel (1.54",
// ~0.138 mm pixels) version 15 (77 modules) is the limit we choose: at 2 px/module with a
// 4-module quiet zone it takes 170 px and leaves a caption line; anything larger only fits at
// 2 px/module with modules ~0.28 mm, below what phones resolve at plaque distance, and payment
// payloads need at most v13 even at ECC H with optimal segmentation (notes/qr.md section 7).
// Boards without a panel get version 0: no QR buffers, and the QR ops answer "unsupported".
//
// QR RAM (static, linear memory) at version 15, the sim-plaque figure: one 2,511 B scratch
// region (qr-scratch.ts) shared by phase: grid and function map 2 x 928 B (bit-packed, 77 rows
// x 12 B + one spare word) and the interleaved codewords 655 B, with the segment plan (1,024 B,
// one link frame of text), the GF(256) log/antilog tables (768 B) and the block being divided
// laid over them while they are free, and the panel's drawing band after the grid. Besides it:
// ECC block tables 328 B, mask rows 96 B, divisor 30 B, alignment positions 8 B, finder and
// alignment rows and the alphanumeric symbols 19 B; the panel's copy of the symbol it shows,
// 778 B, is the display's (display/qr-render.ts). The penalty scorer keeps its windows in
// locals (no buffer); the stack use is a few dozen locals deep.
import { DISPLAY_H, DISPLAY_W, HAS_DISPLAY, MAX_FRAME } from "../board";

const SHORT_SIDE: i32 = DISPLAY_W < DISPLAY_H ? DISPLAY_W : DISPLAY_H;
// Largest side (modules) that shows at 2 px/module with a 4-module quiet zone on each side.
const FIT_SIDE: i32 = SHORT_SIDE / 2 - 8;
const FIT_VERSION: i32 = FIT_SIDE >= 21 ? (FIT_SIDE - 17) / 4 : 0;
const CAP_VERSION: i32 = 15;

export const QR_MAX_VERSION: i32 = HAS_DISPLAY ? (FIT_VERSION < CAP_VERSION ? FIT_VERSION : CAP_VERSION) : 0;
export const QR_MAX_SIDE: i32 = QR_MAX_VERSION > 0 ? QR_MAX_VERSION * 4 + 17 : 0;
/** The packed grid of the largest symbol (qr-grid.ts): whole bytes per row. */
export const QR_GRID_BYTES: i32 = QR_MAX_SIDE * ((QR_MAX_SIDE + 7) >> 3);
// Modules for data and ECC in the largest symbol (qr-tables numRawDataModules, spelled out
// here because a static buffer's size must be a compile-time constant).
const MAX_ALIGN: i32 = QR_MAX_VERSION / 7 + 2;
const MAX_RAW_MODULES: i32 = (16 * QR_MAX_VERSION + 128) * QR_MAX_VERSION + 64
  - (QR_MAX_VERSION >= 2 ? (25 * MAX_ALIGN - 10) * MAX_ALIGN - 55 : 0) - (QR_MAX_VERSION >= 7 ? 36 : 0);
/** Codewords (data + ECC) of the largest symbol. */
export const QR_CODEWORDS_MAX: i32 = MAX_RAW_MODULES >> 3;
// Longest text that could fit (every module a data bit, 10 bits per 3 digits), but no more
// than one link frame: the encoder's text arrives in one request or is built in firmware.
const TEXT_FIT: i32 = (QR_CODEWORDS_MAX * 8 * 3) / 10 + 3;
export const QR_TEXT_MAX: i32 = TEXT_FIT < MAX_FRAME ? TEXT_FIT : MAX_FRAME;
