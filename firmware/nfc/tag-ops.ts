// App-channel ops of groups tag and ndef (host-tools/src/ops/catalogue.ts; docs/nfc.md "Link
// ops"): tag.get / tag.set (NDEF message, writability, dynamic-URL mirrors) and the firmware's
// NDEF toolkit: ndef.build, ndef.parse, ndef.lint.
import { encodeArray, encodeBool, encodeBytes, encodeMap, encodeText, encodeUint } from "../codec/cbor/cbor-writer";
import { KIND_BYTES, KIND_FALSE, KIND_TEXT, KIND_TRUE, KIND_UINT, argKind, argLen, argPtr, argUint, findArg } from "../codec/cbor/cbor-reader";
import { BAD_ARG, BUSY, INTERNAL, OK, TOO_LARGE, fail } from "../link/status";
import { OWNER_HOST, claimStaging, releaseStaging, stagingBuffer } from "./write-staging";
import { NDEF_MESSAGE_CAP, ndefMessage, ndefMessageLen, setNdefMessage, setWritable, tagWritable } from "./ndef-file";
import {
  counterLimit, ctrOffset, encLength, encOffset, fileSlot, macInputOffset, macOffset, metaSlot, mirrorMode, mirrorProblem,
  piccOffset, restoreMirror, setMirror, signSlot, snapshotMirror, timeOffset, uidOffset,
} from "./mirror-config";
import { lastMirrorValue, storedTapCounter } from "./dynamic-url";
import { restoreTagUid, setTagUid, tagUid } from "./personality";
import { saveTag } from "./tag-persist";
import { messageBegin, messageEnd } from "../codec/ndef/ndef-record";
import { addAndroidAppRecord, addExternalRecord, addSmartPoster, addTextRecord, addUriRecord } from "../codec/ndef/ndef-build";
import { PARSE_OK, recFlags, recIdLen, recIdPtr, recNext, recPayloadLen, recPayloadPtr, recTnf, recTypeLen, recTypePtr, recordAt } from "../codec/ndef/ndef-parse";
import { LINT_ERRORS, LINT_RULES, lintMessage, lintName } from "../codec/ndef/ndef-lint";

const DEFAULT_LANG = memory.data<u8>([0x65, 0x6e]); // "en"
const UID_BEFORE = memory.data(7);

function uintArg(key: string, fallback: i32): i32 {
  if (!findArg(key) || argKind() != KIND_UINT) return fallback;
  const v = argUint();
  return v > 0x7fffffff ? 0x7fffffff : <i32>v;
}

function encodeLint(bits: u32): void {
  let errors = 0;
  let warnings = 0;
  for (let i = 0; i < LINT_RULES; i++) {
    if ((bits & (1 << i)) == 0) continue;
    if (((1 << i) & LINT_ERRORS) != 0) errors++;
    else warnings++;
  }
  encodeText("errors");
  encodeArray(errors);
  for (let i = 0; i < LINT_RULES; i++) if ((bits & (1 << i)) != 0 && ((1 << i) & LINT_ERRORS) != 0) encodeText(lintName(i));
  encodeText("warnings");
  encodeArray(warnings);
  for (let i = 0; i < LINT_RULES; i++) if ((bits & (1 << i)) != 0 && ((1 << i) & LINT_ERRORS) == 0) encodeText(lintName(i));
}

export function tagGetOp(): i32 {
  // Keys in deterministic order (shorter first, then bytewise; docs/link-protocol.md).
  encodeMap(18);
  encodeText("m");
  encodeBytes(ndefMessage(), ndefMessageLen());
  encodeText("ctr");
  encodeUint(<u64>ctrOffset);
  encodeText("enc");
  encodeUint(<u64>encOffset);
  encodeText("mac");
  encodeUint(<u64>macOffset);
  encodeText("uid");
  encodeUint(<u64>uidOffset);
  encodeText("file");
  encodeUint(<u64>fileSlot);
  encodeText("last");
  encodeUint(<u64>lastMirrorValue());
  encodeText("meta");
  encodeUint(<u64>metaSlot);
  encodeText("mode");
  encodeUint(<u64>mirrorMode);
  encodeText("picc");
  encodeUint(<u64>piccOffset);
  encodeText("sign");
  encodeUint(<u64>signSlot);
  encodeText("time");
  encodeUint(<u64>timeOffset);
  encodeText("limit");
  encodeUint(<u64>counterLimit);
  encodeText("mac_in");
  encodeUint(<u64>macInputOffset);
  encodeText("counter");
  const stored = storedTapCounter();
  encodeUint(stored > 0 ? <u64>stored : 0);
  encodeText("enc_len");
  encodeUint(<u64>encLength);
  encodeText("tag_uid");
  encodeBytes(tagUid(), 7);
  encodeText("writable");
  encodeBool(tagWritable());
  return OK;
}

export function tagSetOp(): i32 {
  let msgPtr: usize = ndefMessage();
  let msgLen = ndefMessageLen();
  const newMessage = findArg("m");
  if (newMessage) {
    if (argKind() != KIND_BYTES) return fail(BAD_ARG, "m: bytes (an NDEF message) required");
    if (argLen() > NDEF_MESSAGE_CAP) return fail(TOO_LARGE, "m: at most 1022 bytes");
    msgPtr = argPtr();
    msgLen = argLen();
  }
  // Check the mirror layout against the new message before anything changes.
  snapshotMirror();
  const limitArg = uintArg("limit", <i32>(counterLimit > 0x7fffffff ? 0x7fffffff : counterLimit));
  setMirror(uintArg("mode", mirrorMode), uintArg("meta", metaSlot), uintArg("file", fileSlot), uintArg("sign", signSlot),
    uintArg("picc", piccOffset), uintArg("uid", uidOffset), uintArg("ctr", ctrOffset), uintArg("time", timeOffset),
    uintArg("enc", encOffset), uintArg("enc_len", encLength), uintArg("mac_in", macInputOffset), uintArg("mac", macOffset),
    findArg("limit") ? <u32>limitArg : counterLimit);
  const problem = mirrorProblem(msgLen + 2);
  if (problem.length > 0) {
    restoreMirror();
    return fail(BAD_ARG, problem);
  }
  let uidPtr: usize = 0;
  if (findArg("tag_uid")) {
    if (argKind() != KIND_BYTES || argLen() != 7) {
      restoreMirror();
      return fail(BAD_ARG, "tag_uid: 7 bytes required");
    }
    uidPtr = argPtr();
  }
  const oldWritable = tagWritable();
  if (findArg("writable")) {
    if (argKind() != KIND_TRUE && argKind() != KIND_FALSE) {
      restoreMirror();
      return fail(BAD_ARG, "writable: bool required");
    }
    setWritable(argKind() == KIND_TRUE);
  }
  // Kept in the store before the tag serves it: a refusal leaves the old content everywhere.
  memory.copy(UID_BEFORE, tagUid(), 7);
  if (uidPtr != 0) restoreTagUid(uidPtr);
  if (saveTag(msgPtr, msgLen) < 0) {
    restoreMirror();
    setWritable(oldWritable);
    restoreTagUid(UID_BEFORE);
    return fail(INTERNAL, "the store refused the tag configuration; nothing changed (see tapkit info: store)");
  }
  if (uidPtr != 0) setTagUid(uidPtr);
  setNdefMessage(msgPtr, msgLen);
  encodeMap(2);
  encodeLint(lintMessage(ndefMessage(), ndefMessageLen(), NDEF_MESSAGE_CAP));
  return OK;
}

function textArg(key: string): bool {
  return findArg(key) && argKind() == KIND_TEXT;
}

export function ndefBuildOp(): i32 {
  // Built in the shared staging buffer, claimed and released within this call.
  if (!claimStaging(OWNER_HOST)) return fail(BUSY, "a reader is writing the tag; retry after the tap");
  const r = ndefBuildInto(stagingBuffer());
  releaseStaging(OWNER_HOST);
  return r;
}

function ndefBuildInto(out: usize): i32 {
  messageBegin(out, NDEF_MESSAGE_CAP);
  let langPtr: usize = DEFAULT_LANG;
  let langLen = 2;
  if (textArg("lang")) {
    langPtr = argPtr();
    langLen = argLen();
  }
  if (textArg("uri")) {
    const uriPtr = argPtr();
    const uriLen = argLen();
    if (textArg("title")) {
      if (!addSmartPoster(uriPtr, uriLen, langPtr, langLen, argPtr(), argLen())) return fail(BAD_ARG, "smart poster: uri and title under 255 bytes, lang 1..63 bytes");
    } else {
      addUriRecord(uriPtr, uriLen);
    }
  }
  if (textArg("text")) {
    if (!addTextRecord(langPtr, langLen, argPtr(), argLen())) return fail(BAD_ARG, "lang: 1..63 bytes");
  }
  if (textArg("ext_type")) {
    const typePtr = argPtr();
    const typeLen = argLen();
    if (!findArg("ext_data") || argKind() != KIND_BYTES) return fail(BAD_ARG, "ext_data: bytes required with ext_type");
    addExternalRecord(typePtr, typeLen, argPtr(), argLen());
  }
  if (textArg("aar")) addAndroidAppRecord(argPtr(), argLen());
  const len = messageEnd();
  if (len < 0) return fail(BAD_ARG, "no records requested, or the message exceeds 1022 bytes");
  encodeMap(1);
  encodeText("m");
  encodeBytes(out, len);
  return OK;
}

function messageArg(): bool {
  return findArg("m") && argKind() == KIND_BYTES;
}

export function ndefParseOp(): i32 {
  if (!messageArg()) return fail(BAD_ARG, "m: bytes required");
  const msg = argPtr();
  const len = argLen();
  let count = 0;
  let at = 0;
  while (at < len) {
    if (recordAt(msg, len, at) != PARSE_OK) return fail(BAD_ARG, "malformed NDEF message: a length runs past the end");
    count++;
    at = recNext;
    if ((recFlags & 0x40) != 0) break;
  }
  // Keys in deterministic order: `rest` (what follows the last record) before `records`.
  encodeMap(2);
  encodeText("rest");
  encodeUint(<u64>(len - at));
  encodeText("records");
  encodeArray(count);
  at = 0;
  for (let i = 0; i < count; i++) {
    recordAt(msg, len, at);
    encodeMap(5);
    encodeText("id");
    encodeBytes(recIdPtr, recIdLen);
    encodeText("tnf");
    encodeUint(<u64>recTnf);
    encodeText("type");
    encodeBytes(recTypePtr, recTypeLen);
    encodeText("flags");
    encodeUint(<u64>(recFlags & 0xf8));
    encodeText("payload");
    encodeBytes(recPayloadPtr, recPayloadLen);
    at = recNext;
  }
  return OK;
}

export function ndefLintOp(): i32 {
  if (!messageArg()) return fail(BAD_ARG, "m: bytes required");
  encodeMap(2);
  encodeLint(lintMessage(argPtr(), argLen(), NDEF_MESSAGE_CAP));
  return OK;
}
