// App-channel ops of group payment (host-tools/src/ops/catalogue.ts): `merchant.set` /
// `merchant.get` (the profile in the store), `emv.build` (payload only, for cross-checks with
// the host builder), `qr.amount` (a POS asks for a dynamic code) and `qr.static` (back to the
// static code now).
import { encodeMap, encodeText, encodeTextBytes, encodeUint } from "../codec/cbor/cbor-writer";
import { KIND_TEXT, KIND_UINT, argKind, argLen, argPtr, argUint, findArg } from "../codec/cbor/cbor-reader";
import { BAD_ARG, INTERNAL, OK, UNSUPPORTED, fail } from "../link/status";
import { QR_MAX_VERSION } from "../qr/qr-limits";
import { qrVersion } from "../qr/qr-encoder";
import { renderScale } from "../display/qr-render";
import { lastDynamicReference, showDynamicCode, showStaticCode, currentScreen, SCREEN_DYNAMIC } from "../display/payment-screen";
import { CAPITALS, DIGITS, PRINTABLE, checkField, profileField, profileLength, profilePtr, setProfile } from "./merchant-profile";
import { tlvFind, tlvFoundLen, tlvFoundPtr, tlvIdAt, tlvSizeAt } from "../codec/tlv/emv-tlv";
import { numericCurrency } from "./currency-codes";
import { buildPayload, checkAmount, payloadLength, payloadPtr } from "./mpm-payload";

const DEFAULT_TIMEOUT_S: i64 = 120;
const MAX_TIMEOUT_S: u64 = 3600;

// Text args are read into these pairs by textArg.
let tp: usize = 0;
let tl: i32 = 0;

/** 1: present text, 0: absent, -1: present but not text. */
function textArg(key: string): i32 {
  tp = 0;
  tl = 0;
  if (!findArg(key)) return 0;
  if (argKind() != KIND_TEXT) return -1;
  tp = argPtr();
  tl = argLen();
  return 1;
}

/** A profile field from text arg `key` (absent = empty), checked and kept by checkField. */
function profileArg(key: string, id: i32, min: i32, max: i32, cls: i32, rule: string): bool {
  const kind = textArg(key);
  return checkField(id, tp, kind < 0 ? -1 : tl, min, max, cls, rule);
}

/** Currency (53): three digits, or an alphabetic code numericCurrency knows ("BRL" -> "986"). */
function currencyArg(): bool {
  const kind = textArg("currency");
  if (kind > 0 && tl == 3) {
    const numeric = numericCurrency(tp);
    if (numeric != 0) tp = numeric;
  }
  return checkField(53, tp, kind < 0 ? -1 : tl, 3, 3, DIGITS, "currency (53): ISO 4217, three digits or a code such as BRL");
}

export function merchantSetOp(): i32 {
  if (!profileArg("name", 59, 1, 25, PRINTABLE, "name (59): 1-25 printable ASCII characters")
    || !profileArg("city", 60, 1, 15, PRINTABLE, "city (60): 1-15 printable ASCII characters")
    || !profileArg("country", 58, 2, 2, CAPITALS, "country (58): ISO 3166-1 alpha-2, two capital letters")
    || !currencyArg()
    || !profileArg("mcc", 52, 4, 4, DIGITS, "mcc (52): ISO 18245, four digits")
    || !profileArg("postal", 61, 0, 10, PRINTABLE, "postal (61): up to 10 printable ASCII characters")
    || !profileArg("ref", 62, 0, 25, PRINTABLE, "ref (62/05): up to 25 printable ASCII characters")) return BAD_ARG;
  if (textArg("accounts") < 1) return fail(BAD_ARG, "accounts (02-51): text required");
  const r = setProfile(tp, tl);
  if (r != OK) return r;
  if (QR_MAX_VERSION > 0 && currentScreen() != SCREEN_DYNAMIC) showStaticCode();
  encodeMap(1);
  encodeText("len");
  encodeUint(<u64>profileLength());
  return OK;
}

function encodeField(key: string, id: i32): void {
  encodeText(key);
  if (profileField(id)) encodeTextBytes(tlvFoundPtr(), tlvFoundLen());
  else encodeText("");
}

export function merchantGetOp(): i32 {
  const plen = profileLength();
  if (plen <= 0) return fail(BAD_ARG, "merchant profile: none set (tapkit merchant set)");
  // The account objects are the profile's leading objects with IDs 02-51.
  const p = profilePtr();
  let accountsLen = 0;
  while (accountsLen < plen && tlvIdAt(p, accountsLen) <= 51) accountsLen += tlvSizeAt(p, accountsLen);
  // Keys in deterministic CBOR order (shorter first); postal and ref are "" when none is
  // kept, so `merchant get --json` feeds `merchant set --profile` back with nothing lost.
  encodeMap(8);
  encodeField("mcc", 52);
  encodeText("ref");
  if (profileField(62) && tlvFind(tlvFoundPtr(), tlvFoundLen(), 5)) encodeTextBytes(tlvFoundPtr(), tlvFoundLen());
  else encodeText("");
  encodeField("city", 60);
  encodeField("name", 59);
  encodeField("postal", 61);
  encodeField("country", 58);
  encodeText("accounts");
  encodeTextBytes(p, accountsLen);
  encodeField("currency", 53);
  return OK;
}

// The amount and bill of emv.build and qr.amount, read by amountArgs.
let amountPtr: usize = 0, amountLen: i32 = 0, billPtr: usize = 0, billLen: i32 = 0;

/** Reads `amount` (optional unless `required`; checked when present) and `bill`; OK or a failure. */
function amountArgs(required: bool): i32 {
  const has = textArg("amount");
  if (has < 0 || (required && has == 0)) return fail(BAD_ARG, "amount (54): text required, e.g. \"12.34\"");
  amountPtr = tp;
  amountLen = tl;
  // An empty amount is a malformed amount, not a static request.
  if (has > 0 && checkAmount(tp, tl) != OK) return BAD_ARG;
  if (textArg("bill") < 0) return fail(BAD_ARG, "bill (62/01): text");
  billPtr = tp;
  billLen = tl;
  return OK;
}

/** Optional uint arg `key` in 1..max: its value, 0 when absent, -1 when malformed. */
function positiveArg(key: string, max: u64): i64 {
  if (!findArg(key)) return 0;
  return argKind() != KIND_UINT || argUint() == 0 || argUint() > max ? -1 : <i64>argUint();
}

export function emvBuildOp(): i32 {
  const a = amountArgs(false);
  if (a != OK) return a;
  const ref = positiveArg("ref", 0xffffffff);
  if (ref < 0) return fail(BAD_ARG, "ref: uint 1-4294967295");
  const r = buildPayload(amountPtr, amountLen, billPtr, billLen, ref);
  if (r != OK) return r;
  encodeMap(1);
  encodeText("payload");
  encodeTextBytes(payloadPtr(), payloadLength());
  return OK;
}

function encodeShownPayload(ref: i64): void {
  encodeMap(4);
  encodeText("v");
  encodeUint(<u64>qrVersion());
  encodeText("ref");
  encodeUint(<u64>ref);
  encodeText("scale");
  encodeUint(<u64>renderScale());
  encodeText("payload");
  encodeTextBytes(payloadPtr(), payloadLength());
}

export function qrAmountOp(): i32 {
  if (QR_MAX_VERSION == 0) return fail(UNSUPPORTED, "this board has no panel");
  // Checked before a reference number is taken from the store.
  const a = amountArgs(true);
  if (a != OK) return a;
  let timeoutS = positiveArg("timeout", MAX_TIMEOUT_S);
  if (timeoutS < 0) return fail(BAD_ARG, "timeout: 1-3600 seconds");
  if (timeoutS == 0) timeoutS = DEFAULT_TIMEOUT_S;
  const r = showDynamicCode(amountPtr, amountLen, billPtr, billLen, timeoutS * 1000);
  if (r > 0) return r; // a builder failure status, message already set
  if (r < 0) return fail(INTERNAL, "could not encode or show the dynamic code");
  encodeShownPayload(lastDynamicReference());
  return OK;
}

export function qrStaticOp(): i32 {
  if (QR_MAX_VERSION == 0) return fail(UNSUPPORTED, "this board has no panel");
  if (profileLength() <= 0) return fail(BAD_ARG, "merchant profile: none set (tapkit merchant set)");
  if (showStaticCode() < 0) return fail(INTERNAL, "could not encode or show the static code");
  encodeShownPayload(0);
  return OK;
}
