// What the plaque shows: the static merchant code (payload with initiation 11, merchant name
// as caption) whenever a profile exists, and for a POS request a dynamic code (amount,
// reference from the store's counter, amount as caption) drawn with a partial refresh, which
// gives way to the static code after its timeout (checked from tk_tick) or on request.
// Payment codes use ECC M, raised for free when the version allows (boost).
import { clock_ms } from "../hal/clock";
import { OK } from "../link/status";
import { ECC_M } from "../qr/qr-tables";
import { MASK_AUTO, qrEncode } from "../qr/qr-encoder";
import { QR_MAX_VERSION } from "../qr/qr-limits";
import { buildPayload, payloadLength, payloadPtr } from "../emv/mpm-payload";
import { ensureDemoProfile, profileField, profileLength } from "../emv/merchant-profile";
import { tlvFoundLen, tlvFoundPtr } from "../codec/tlv/emv-tlv";
import { nextDynamicReference } from "../emv/profile-store";
import { presentSymbol } from "./panel";
import { renderQr } from "./qr-render";

export const SCREEN_SPLASH: i32 = 0;
export const SCREEN_STATIC: i32 = 1;
export const SCREEN_DYNAMIC: i32 = 2;

export const E_SCREEN_ENCODE: i32 = -40;
export const E_SCREEN_RENDER: i32 = -41;
export const E_SCREEN_COUNTER: i32 = -42;

let screen: i32 = SCREEN_SPLASH;
let dynamicUntil: i64 = 0;
let lastReference: i64 = 0;
// A full refresh every few partial ones bounds e-paper ghosting.
const PARTIALS_PER_FULL: i32 = 8;
let partialsSinceFull: i32 = 0;

export function currentScreen(): i32 { return screen; }
export function lastDynamicReference(): i64 { return lastReference; }

function encodeAndShow(caption: usize, captionLen: i32, partial: bool): i32 {
  if (qrEncode(payloadPtr(), payloadLength(), ECC_M, 1, QR_MAX_VERSION, MASK_AUTO, true, 0) < 0) return E_SCREEN_ENCODE;
  if (renderQr(caption, captionLen, 0, 0) < 0) return E_SCREEN_RENDER;
  if (partial && partialsSinceFull < PARTIALS_PER_FULL) {
    partialsSinceFull++;
  } else {
    partial = false;
    partialsSinceFull = 0;
  }
  return presentSymbol(partial);
}

/** Shows the static merchant code; a negative code when there is no profile or it fails. */
export function showStaticCode(): i32 {
  if (buildPayload(0, 0, 0, 0, 0) != OK) return E_SCREEN_ENCODE;
  profileField(59);
  const r = encodeAndShow(tlvFoundPtr(), tlvFoundLen(), screen == SCREEN_DYNAMIC);
  if (r >= 0) screen = SCREEN_STATIC;
  return r;
}

/**
 * Builds and shows a dynamic code for `amount` (checked by buildPayload, whose failure
 * message the caller reports) for timeoutMs. Returns OK, a failure status from the builder,
 * or a negative screen error.
 */
export function showDynamicCode(amount: usize, amountLen: i32, bill: usize, billLen: i32, timeoutMs: i64): i32 {
  const ref = nextDynamicReference();
  if (ref <= 0) return E_SCREEN_COUNTER;
  const built = buildPayload(amount, amountLen, bill, billLen, ref);
  if (built != OK) return built;
  const r = encodeAndShow(amount, amountLen, true);
  if (r < 0) return r;
  screen = SCREEN_DYNAMIC;
  lastReference = ref;
  dynamicUntil = clock_ms() + timeoutMs;
  return OK;
}

/** Called from tk_tick: the static code comes back when the dynamic one times out. */
export function paymentScreenTick(nowMs: i64): void {
  if (screen == SCREEN_DYNAMIC && nowMs >= dynamicUntil) showStaticCode();
}

/** At boot: install the demo profile in demo mode, then show the static code if any. */
export function bootPaymentScreen(demo: bool): void {
  if (QR_MAX_VERSION == 0) return;
  if (demo) ensureDemoProfile();
  if (profileLength() > 0) showStaticCode();
}
