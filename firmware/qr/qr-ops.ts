// App-channel ops that expose the QR encoder to the host, so tests and benches drive the real
// firmware: `qr.encode` runs the encoder and answers version, level, mask, data bits and the
// segment plan; `qr.grid` reads the module grid back in chunks (a v15 grid is 742 bytes of
// bits, more than fits beside the header in one frame on small-frame boards).
import { bytesIsAscii } from "../lib/bytes";
import { encodeBool, encodeBytes, encodeMap, encodeText, encodeUint } from "../link/cbor-encoder";
import { KIND_BYTES, KIND_FALSE, KIND_TEXT, KIND_TRUE, KIND_UINT, argKind, argLen, argPtr, argUint, findArg } from "../link/cbor-decoder";
import { sendLimit } from "../link/frame-writer";
import { BAD_ARG, INTERNAL, OK, TOO_LARGE, UNSUPPORTED, fail } from "../link/status";
import { QR_GRID_BYTES, QR_MAX_VERSION } from "./qr-limits";
import { E_QR_ARG, MASK_AUTO, qrDataBits, qrEcl, qrEncode, qrMask, qrVersion } from "./qr-encoder";
import { presentFramebuffer } from "../display/framebuffer";
import { E_RENDER_FIT, quietForced, renderQr, renderQuiet, renderScale, renderX, renderY } from "../display/qr-render";
import { gridPtr, gridSide, DARK } from "./qr-grid";
import { plannedMode, runLength } from "./segmentation";

/** Returned by qrOp for op names it does not own. */
export const NOT_QR_OP: i32 = -1;
// Bytes of a qr.grid answer besides the chunk: header, CRC and the map around `data`.
const GRID_OVERHEAD: i32 = 48;

// Grid bits (row-major, MSB first, 1 = dark) or the segment plan, built per answer.
const SCRATCH_BYTES: i32 = QR_GRID_BYTES / 8 + 1;
const SCRATCH = memory.data(SCRATCH_BYTES);

function packGrid(side: i32): void {
  const grid = gridPtr();
  const n = side * side;
  memory.fill(SCRATCH, 0, <usize>((n + 7) >> 3));
  for (let i = 0; i < n; i++) {
    if ((load<u8>(grid + <usize>i) & DARK) != 0) {
      const at = SCRATCH + <usize>(i >> 3);
      store<u8>(at, load<u8>(at) | (<u8>0x80 >> <u8>(i & 7)));
    }
  }
}

function optionalUint(key: string, fallback: i32, max: i32): i32 {
  if (!findArg(key)) return fallback;
  if (argKind() != KIND_UINT || argUint() > <u64>max) return -2;
  return <i32>argUint();
}

/** Reads the encoder args and runs the encoder; OK or a failure status. */
function runEncoder(): i32 {
  if (QR_MAX_VERSION == 0) return fail(UNSUPPORTED, "this board has no panel, so no QR encoder");
  if (!findArg("text") || (argKind() != KIND_BYTES && argKind() != KIND_TEXT)) return fail(BAD_ARG, "text: bytes or text required");
  const text = argPtr();
  const len = argLen();
  const ecl = optionalUint("ecl", 1, 3);
  if (ecl < 0) return fail(BAD_ARG, "ecl: 0 (L), 1 (M), 2 (Q) or 3 (H)");
  const minV = optionalUint("min", 1, 40);
  const maxV = optionalUint("max", QR_MAX_VERSION, 40);
  if (minV < 1 || maxV < minV) return fail(BAD_ARG, "min/max: versions 1-40 with min <= max");
  const mask = optionalUint("mask", MASK_AUTO, 7);
  if (mask == -2) return fail(BAD_ARG, "mask: 0-7 (absent = automatic)");
  const mode = optionalUint("mode", 0, 4);
  if (mode < 0 || mode == 3) return fail(BAD_ARG, "mode: 0 optimal, 1 numeric, 2 alphanumeric, 4 byte");
  let boost = false;
  if (findArg("boost")) {
    if (argKind() != KIND_TRUE && argKind() != KIND_FALSE) return fail(BAD_ARG, "boost: bool");
    boost = argKind() == KIND_TRUE;
  }
  const v = qrEncode(text, len, ecl, minV, maxV, mask, boost, mode);
  if (v == E_QR_ARG) return fail(BAD_ARG, "mode: the text has characters that mode cannot hold");
  if (v < 0) return fail(TOO_LARGE, "text does not fit the allowed versions at this ECC level");
  encodedLen = len;
  return OK;
}

let encodedLen: i32 = 0;

function encodeOp(): i32 {
  const status = runEncoder();
  if (status != OK) return status;
  const len = encodedLen;
  // Three bytes per segment: mode indicator, then the character count big-endian.
  let segs = 0;
  for (let i = 0; i < len; ) {
    const n = runLength(i, len);
    if ((segs + 1) * 3 > SCRATCH_BYTES) return fail(TOO_LARGE, "segment plan too long to report");
    const at = SCRATCH + <usize>(segs * 3);
    store<u8>(at, <u8>plannedMode(i));
    store<u8>(at + 1, <u8>(n >> 8));
    store<u8>(at + 2, <u8>n);
    segs++;
    i += n;
  }
  // Keys in deterministic order: shorter first, then bytewise.
  encodeMap(6);
  encodeText("m");
  encodeUint(<u64>qrMask());
  encodeText("v");
  encodeUint(<u64>qrVersion());
  encodeText("ecl");
  encodeUint(<u64>qrEcl());
  encodeText("bits");
  encodeUint(<u64>qrDataBits());
  encodeText("segs");
  encodeBytes(SCRATCH, segs * 3);
  encodeText("side");
  encodeUint(<u64>gridSide());
  return OK;
}

function gridOp(): i32 {
  if (QR_MAX_VERSION == 0 || gridSide() == 0) return fail(UNSUPPORTED, "no QR symbol encoded yet");
  const side = gridSide();
  const total = (side * side + 7) >> 3;
  let off = 0;
  if (findArg("off")) {
    if (argKind() != KIND_UINT || argUint() > <u64>total) return fail(BAD_ARG, "off: uint <= total required");
    off = <i32>argUint();
  }
  let chunk = sendLimit() - GRID_OVERHEAD;
  if (chunk > total - off) chunk = total - off;
  encodeMap(3);
  encodeText("off");
  encodeUint(<u64>off);
  encodeText("data");
  packGrid(side);
  encodeBytes(SCRATCH + <usize>off, chunk);
  encodeText("total");
  encodeUint(<u64>total);
  return OK;
}

/**
 * `qr.show`: encode (same args as qr.encode) and draw on the panel; optional `scale` and
 * `quiet` force the layout, `caption` adds a text line, `partial` asks for a partial refresh.
 */
function showOp(): i32 {
  const status = runEncoder();
  if (status != OK) return status;
  const scale = optionalUint("scale", 0, 16);
  const quiet = optionalUint("quiet", 0, 16);
  if (scale < 0 || quiet < 0) return fail(BAD_ARG, "scale/quiet: uint 1-16 (absent = choose)");
  let caption: usize = 0;
  let captionLen = 0;
  if (findArg("caption")) {
    if (argKind() != KIND_TEXT) return fail(BAD_ARG, "caption: text");
    caption = argPtr();
    captionLen = argLen();
  }
  let partial = false;
  if (findArg("partial")) partial = argKind() == KIND_TRUE;
  if (renderQr(caption, captionLen, scale, quiet) == E_RENDER_FIT) return fail(TOO_LARGE, "symbol does not fit the panel at that scale and quiet zone");
  if (presentFramebuffer(partial) < 0) return fail(INTERNAL, "display refused the frame");
  encodeShown();
  return OK;
}

/** The answer after a symbol went to the panel: symbol and layout. */
export function encodeShown(): void {
  encodeMap(8);
  encodeText("m");
  encodeUint(<u64>qrMask());
  encodeText("v");
  encodeUint(<u64>qrVersion());
  encodeText("x");
  encodeUint(<u64>renderX());
  encodeText("y");
  encodeUint(<u64>renderY());
  encodeText("ecl");
  encodeUint(<u64>qrEcl());
  encodeText("quiet");
  encodeUint(<u64>renderQuiet());
  encodeText("scale");
  encodeUint(<u64>renderScale());
  encodeText("forced");
  encodeBool(quietForced());
}

export function qrOp(opPtr: usize, opLen: i32): i32 {
  if (bytesIsAscii(opPtr, opLen, "qr.encode")) return encodeOp();
  if (bytesIsAscii(opPtr, opLen, "qr.grid")) return gridOp();
  if (bytesIsAscii(opPtr, opLen, "qr.show")) return showOp();
  return NOT_QR_OP;
}
