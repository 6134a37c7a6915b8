// One static region for everything the QR encoder and the panel drawing need only for the
// length of one request, laid out by phase so that buffers which are never live together
// share bytes. Offsets (G = one packed grid with its spare bytes, C = the largest symbol's
// codewords, T = the text limit); sim-plaque (v15): G = 778, C = 655, T = 1,024, 2,231 B in all.
//
//   phase                      [0, G)              [G, 2G)            further on
//   A plan + data bits         data codewords      segment plan [G, G + T)
//   B Reed-Solomon             data codewords [0, C), GF(256) exp/log + one block [C, C + 921)
//                                                                     interleaved codewords [CW_AT, + C)
//   C draw, mask, penalty      grid                function map       interleaved codewords (read)
//   D after the encode         grid (kept: qr.grid and qr.show read it)
//   E panel drawing            grid (kept)         one band of panel rows [G, end)
//
// Only the grid outlives a request: qr.encode answers its segment plan by planning again
// (qr-ops.ts), and the GF(256) tables are rebuilt at the start of each phase B (some 7,000
// instructions, against the 768 B they would hold for good). The panel keeps its own copy of
// the symbol it shows (display/qr-render.ts), so an encode that is not shown changes nothing
// on the panel or in its readback.
import { QR_CODEWORDS_MAX, QR_GRID_BYTES, QR_TEXT_MAX } from "./qr-limits";
import { DISPLAY_W, HAS_DISPLAY } from "../board";

/** One packed bitmap (grid or function map) of the largest symbol, with its spare bytes. */
export const GRID_SLOT: i32 = QR_GRID_BYTES > 0 ? QR_GRID_BYTES + 8 : 0;
export const GRID_AT: i32 = 0;
export const FUNC_AT: i32 = GRID_SLOT;
/** Phase A: the segment plan, one byte per character of text. */
export const PLAN_AT: i32 = GRID_SLOT;
/**
 * Phase B: after the data codewords (never more than the symbol's codewords), EXP (512 B,
 * doubled so no modulo) then LOG (256 B), then the block being divided.
 */
export const GF_EXP_AT: i32 = QR_CODEWORDS_MAX;
export const GF_LOG_AT: i32 = QR_CODEWORDS_MAX + 512;
export const RS_BLOCK_AT: i32 = QR_CODEWORDS_MAX + 768;
// The longest Reed-Solomon block (data + ECC) of any version and level: 153 codewords (v27-L).
const RS_BLOCK_MAX: i32 = 153;
const CW_AFTER_FUNC: i32 = 2 * GRID_SLOT;
const CW_AFTER_RS: i32 = RS_BLOCK_AT + RS_BLOCK_MAX;
/** Phases B-C: the interleaved codewords, clear of the grid, the function map and phase B's tables. */
export const CW_AT: i32 = QR_GRID_BYTES == 0 ? 0 : CW_AFTER_FUNC > CW_AFTER_RS ? CW_AFTER_FUNC : CW_AFTER_RS;
const QR_END_CW: i32 = CW_AT + QR_CODEWORDS_MAX;
const QR_END_PLAN: i32 = PLAN_AT + QR_TEXT_MAX;
const QR_END: i32 = QR_GRID_BYTES == 0 ? 0 : QR_END_CW > QR_END_PLAN ? QR_END_CW : QR_END_PLAN;
/** Phase E: the panel band starts after the grid, which must survive drawing. */
export const BAND_AT: i32 = GRID_SLOT;
// A panel needs room for at least 8 rows even where its QR buffers are smaller.
const PANEL_ROW_BYTES: i32 = HAS_DISPLAY ? (DISPLAY_W + 7) >> 3 : 0;
const BAND_MIN_END: i32 = BAND_AT + 8 * PANEL_ROW_BYTES;
export const QR_SCRATCH_BYTES: i32 = QR_END > BAND_MIN_END ? QR_END : BAND_MIN_END;
/** Bytes of the panel band (phase E). */
export const BAND_BYTES: i32 = QR_SCRATCH_BYTES - BAND_AT;

/** Address of the region; add one of the *_AT offsets for the phase at hand. */
export const QR_SCRATCH = memory.data(QR_SCRATCH_BYTES > 0 ? QR_SCRATCH_BYTES : 1);
