// App-channel ops of group qr (host-tools/src/ops/catalogue.ts) that expose the QR encoder to
// the host, so tests and benches drive the real firmware: `qr.encode` runs the encoder and
// answers version, level, mask, data bits and the segment plan; `qr.grid` reads the module
// grid back in chunks (a v15 grid is 742 bytes of bits, more than fits beside the header in
// one frame on small-frame boards); `qr.show` encodes and draws on the panel.
import { encodeBool, encodeMap, encodeText, encodeUint, reserveBytes } from "../codec/cbor/cbor-writer";
import { KIND_BYTES, KIND_FALSE, KIND_TEXT, KIND_TRUE, KIND_UINT, argKind, argLen, argPtr, argUint, findArg } from "../codec/cbor/cbor-reader";
import { sendLimit } from "../link/frame-writer";
import { BAD_ARG, INTERNAL, OK, TOO_LARGE, UNSUPPORTED, fail } from "../link/status";
import { QR_MAX_VERSION } from "./qr-limits";
import { E_QR_ARG, MASK_AUTO, qrDataBits, qrEcl, qrEncode, qrMask, qrVersion } from "./qr-encoder";
import { presentSymbol } from "../display/panel";
import { E_RENDER_FIT, quietForced, renderQr, renderQuiet, renderScale, renderX, renderY } from "../display/qr-render";
import { gridSide, isDark } from "./qr-grid";
import { planSegments, plannedMode, runLength } from "./segmentation";

// Bytes of a qr.grid answer besides the chunk: header, CRC and the map around `data`.
const GRID_OVERHEAD: i32 = 48;

/** One answer entry: text key, unsigned value. */
function keyUint(key: string, v: i32): void {
  encodeText(key);
  encodeUint(<u64>v);
}

/**
 * Writes grid bits [off*8, (off+n)*8) at `out` as the host reads them: one stream of
 * side*side bits, row-major, MSB first, 1 = dark (the firmware's own rows are word-packed).
 */
function packGrid(out: usize, off: i32, n: i32, side: i32): void {
  const modules = side * side;
  let i = off * 8;
  let x = i % side, y = i / side;
  for (let b = 0; b < n; b++) {
    let v = 0;
    for (let k = 0; k < 8; k++, i++) {
      v = (v << 1) | (i < modules && isDark(x, y) ? 1 : 0);
      if (++x == side) {
        x = 0;
        y++;
      }
    }
    store<u8>(out + <usize>b, <u8>v);
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
  encodedText = text;
  encodedLen = len;
  encodedMode = mode;
  return OK;
}

// The request's text (still in the receive buffer while the op runs) and forced mode.
let encodedText: usize = 0;
let encodedLen: i32 = 0;
let encodedMode: i32 = 0;

export function qrEncodeOp(): i32 {
  const status = runEncoder();
  if (status != OK) return status;
  const len = encodedLen;
  // The encoder's plan shared its scratch with the symbol's drawing (qr-scratch.ts): plan
  // again for the version chosen, which gives the plan the symbol was written with (the plan
  // depends only on the version's count-field class, and the grid is not touched).
  planSegments(encodedText, len, qrVersion(), encodedMode);
  let segs = 0;
  for (let i = 0; i < len; i += runLength(i, len)) segs++;
  // Keys in deterministic order: shorter first, then bytewise.
  encodeMap(6);
  keyUint("m", qrMask());
  keyUint("v", qrVersion());
  keyUint("ecl", qrEcl());
  keyUint("bits", qrDataBits());
  encodeText("segs");
  // Three bytes per segment: mode indicator, then the character count big-endian.
  const plan = reserveBytes(segs * 3);
  if (plan) {
    for (let i = 0, k = 0; i < len; k += 3) {
      const n = runLength(i, len);
      store<u8>(plan + <usize>k, <u8>plannedMode(i));
      store<u8>(plan + <usize>(k + 1), <u8>(n >> 8));
      store<u8>(plan + <usize>(k + 2), <u8>n);
      i += n;
    }
  }
  keyUint("side", gridSide());
  return OK;
}

export function qrGridOp(): i32 {
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
  keyUint("off", off);
  encodeText("data");
  const at = reserveBytes(chunk);
  if (at) packGrid(at, off, chunk, side);
  keyUint("total", total);
  return OK;
}

/**
 * `qr.show`: encode (same args as qr.encode) and draw on the panel; optional `scale` and
 * `quiet` force the layout, `caption` adds a text line, `partial` asks for a partial refresh.
 */
export function qrShowOp(): i32 {
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
  if (presentSymbol(partial) < 0) return fail(INTERNAL, "display refused the frame");
  encodeShown();
  return OK;
}

/** The answer after a symbol went to the panel: symbol and layout. */
function encodeShown(): void {
  encodeMap(8);
  keyUint("m", qrMask());
  keyUint("v", qrVersion());
  keyUint("x", renderX());
  keyUint("y", renderY());
  keyUint("ecl", qrEcl());
  keyUint("quiet", renderQuiet());
  keyUint("scale", renderScale());
  encodeText("forced");
  encodeBool(quietForced());
}
