// App-channel ops for payments: `merchant.set` / `merchant.get` (the profile in the store),
// `emv.build` (payload only, for cross-checks with the host builder), `qr.amount` (a POS
// asks for a dynamic code) and `qr.static` (back to the static code now).
import { bytesIsAscii } from "../lib/bytes";
import { encodeMap, encodeText, encodeTextBytes, encodeUint } from "../link/cbor-encoder";
import { KIND_TEXT, KIND_UINT, argKind, argLen, argPtr, argUint, findArg } from "../link/cbor-decoder";
import { BAD_ARG, INTERNAL, OK, UNSUPPORTED, fail } from "../link/status";
import { QR_MAX_VERSION } from "../qr/qr-limits";
import { qrVersion } from "../qr/qr-encoder";
import { renderScale } from "../display/qr-render";
import { lastDynamicReference, showDynamicCode, showStaticCode, currentScreen, SCREEN_DYNAMIC } from "../display/payment-screen";
import { profileField, profileLength, profilePtr, setProfile } from "./merchant-profile";
import { tlvFoundLen, tlvFoundPtr, tlvIdAt, tlvSizeAt } from "./mpm-tlv";
import { buildPayload, checkAmount, payloadLength, payloadPtr } from "./mpm-payload";

export const NOT_PAYMENT_OP: i32 = -1;
const DEFAULT_TIMEOUT_S: u64 = 120;
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

function merchantSet(): i32 {
  if (textArg("name") < 1) return fail(BAD_ARG, "name (59): text required");
  const name = tp, nameLen = tl;
  if (textArg("city") < 1) return fail(BAD_ARG, "city (60): text required");
  const city = tp, cityLen = tl;
  if (textArg("country") < 1) return fail(BAD_ARG, "country (58): text required");
  const country = tp, countryLen = tl;
  if (textArg("currency") < 1) return fail(BAD_ARG, "currency (53): text required");
  const currency = tp, currencyLen = tl;
  if (textArg("mcc") < 1) return fail(BAD_ARG, "mcc (52): text required");
  const mcc = tp, mccLen = tl;
  if (textArg("accounts") < 1) return fail(BAD_ARG, "accounts (02-51): text required");
  const accounts = tp, accountsLen = tl;
  if (textArg("postal") < 0) return fail(BAD_ARG, "postal (61): text");
  const r = setProfile(name, nameLen, city, cityLen, country, countryLen, currency, currencyLen, mcc, mccLen, accounts, accountsLen, tp, tl);
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

function merchantGet(): i32 {
  const plen = profileLength();
  if (plen <= 0) return fail(BAD_ARG, "merchant profile: none set (tapkit merchant set)");
  // The account objects are the profile's leading objects with IDs 02-51.
  const p = profilePtr();
  let accountsLen = 0;
  while (accountsLen < plen && tlvIdAt(p, accountsLen) <= 51) accountsLen += tlvSizeAt(p, accountsLen);
  encodeMap(6);
  encodeField("mcc", 52);
  encodeField("city", 60);
  encodeField("name", 59);
  encodeField("country", 58);
  encodeText("accounts");
  encodeTextBytes(p, accountsLen);
  encodeField("currency", 53);
  return OK;
}

function emvBuild(): i32 {
  const hasAmount = textArg("amount");
  if (hasAmount < 0) return fail(BAD_ARG, "amount (54): text");
  const amount = tp, amountLen = tl;
  // An empty amount is a malformed amount, not a static request.
  if (hasAmount > 0 && checkAmount(amount, amountLen) != OK) return BAD_ARG;
  if (textArg("bill") < 0) return fail(BAD_ARG, "bill (62/01): text");
  const bill = tp, billLen = tl;
  let ref: i64 = 0;
  if (findArg("ref")) {
    if (argKind() != KIND_UINT || argUint() == 0 || argUint() > 0xffffffff) return fail(BAD_ARG, "ref: uint 1-4294967295");
    ref = <i64>argUint();
  }
  const r = buildPayload(amount, amountLen, bill, billLen, ref);
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

function qrAmount(): i32 {
  if (QR_MAX_VERSION == 0) return fail(UNSUPPORTED, "this board has no panel");
  if (textArg("amount") < 1) return fail(BAD_ARG, "amount (54): text required, e.g. \"12.34\"");
  const amount = tp, amountLen = tl;
  if (checkAmount(amount, amountLen) != OK) return BAD_ARG;
  if (textArg("bill") < 0) return fail(BAD_ARG, "bill (62/01): text");
  const bill = tp, billLen = tl;
  let timeoutS = DEFAULT_TIMEOUT_S;
  if (findArg("timeout")) {
    if (argKind() != KIND_UINT || argUint() == 0 || argUint() > MAX_TIMEOUT_S) return fail(BAD_ARG, "timeout: 1-3600 seconds");
    timeoutS = argUint();
  }
  const r = showDynamicCode(amount, amountLen, bill, billLen, <i64>timeoutS * 1000);
  if (r > 0) return r; // a builder failure status, message already set
  if (r < 0) return fail(INTERNAL, "could not encode or show the dynamic code");
  encodeShownPayload(lastDynamicReference());
  return OK;
}

function qrStatic(): i32 {
  if (QR_MAX_VERSION == 0) return fail(UNSUPPORTED, "this board has no panel");
  if (profileLength() <= 0) return fail(BAD_ARG, "merchant profile: none set (tapkit merchant set)");
  if (showStaticCode() < 0) return fail(INTERNAL, "could not encode or show the static code");
  encodeShownPayload(0);
  return OK;
}

export function paymentOp(opPtr: usize, opLen: i32): i32 {
  if (bytesIsAscii(opPtr, opLen, "merchant.set")) return merchantSet();
  if (bytesIsAscii(opPtr, opLen, "merchant.get")) return merchantGet();
  if (bytesIsAscii(opPtr, opLen, "emv.build")) return emvBuild();
  if (bytesIsAscii(opPtr, opLen, "qr.amount")) return qrAmount();
  if (bytesIsAscii(opPtr, opLen, "qr.static")) return qrStatic();
  return NOT_PAYMENT_OP;
}
