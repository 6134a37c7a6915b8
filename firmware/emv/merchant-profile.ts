// The merchant profile: the root data objects every payload of this plaque repeats
// (merchant account templates 02-51, MCC 52, currency 53, country 58, name 59, city 60,
// postal code 61, and 62/05 when static codes carry a reference label), validated once when set and kept in the store as that very TLV text,
// ascending by ID, so building a payload is copying. The demo set-up installs a profile
// that is clearly not payable (name "TAPKIT DEMO", country XX and currency 999, the
// user-assigned / "no currency" codes, account GUID dev.tapkit.demo).
import { BAD_ARG, OK, fail } from "../link/status";
import { tlvAscii, tlvBytes, tlvClose, tlvCount, tlvFind, tlvIdAt, tlvOpen, tlvRaw, tlvSizeAt, tlvWriterOverflow, tlvWriterPos, tlvWriterStart } from "../codec/tlv/emv-tlv";
import { loadProfileRecord, saveProfileRecord } from "./profile-store";

export const PROFILE_CAP: i32 = 512;
let profileLen: i32 = -1; // -1: not loaded yet; 0: none stored

// Buffers are laid out inside functions, so only a board whose code reaches them carries them
// (docs/hal-abi.md, "Per-board static data").
export function profilePtr(): usize { return memory.data(PROFILE_CAP); }

/** Length of the stored profile TLV (0 when none), loading it from the store once. */
export function profileLength(): i32 {
  if (profileLen < 0) {
    const n = loadProfileRecord(profilePtr(), PROFILE_CAP);
    profileLen = n > 0 ? n : 0;
  }
  return profileLen;
}

// Character classes of field values, as the range lo << 8 | hi.
export const PRINTABLE: i32 = 0x207e; // printable ASCII ("ans")
export const DIGITS: i32 = 0x3039;
export const CAPITALS: i32 = 0x415a;

/** True when each of the `len` bytes at ptr is in the class (PRINTABLE, DIGITS, CAPITALS). */
export function allIn(ptr: usize, len: i32, cls: i32): bool {
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(ptr + <usize>i);
    if (c < cls >> 8 || c > (cls & 0xff)) return false;
  }
  return true;
}

/**
 * Checks merchant account objects: IDs 02-51 ascending without repeats; templates 26-51
 * hold well-formed sub-objects starting with 00, the globally unique identifier (1-32).
 */
export function checkAccounts(ptr: usize, len: i32): i32 {
  if (len == 0) return fail(BAD_ARG, "accounts (02-51): at least one merchant account object required");
  if (!allIn(ptr, len, PRINTABLE)) return fail(BAD_ARG, "accounts (02-51): printable ASCII only");
  if (tlvCount(ptr, len) < 0) return fail(BAD_ARG, "accounts (02-51): malformed ID-length-value sequence");
  let prev = 1;
  for (let at = 0; at < len; ) {
    const id = tlvIdAt(ptr, at);
    const size = tlvSizeAt(ptr, at);
    if (id < 2 || id > 51) return fail(BAD_ARG, "accounts: IDs must be 02-51");
    if (id <= prev) return fail(BAD_ARG, "accounts: IDs must ascend without repeats");
    if (id >= 26) {
      const v = ptr + <usize>(at + 4);
      const vl = size - 4;
      if (tlvCount(v, vl) < 0) return fail(BAD_ARG, "account template (26-51): malformed sub-objects");
      if (vl < 4 || tlvIdAt(v, 0) != 0) return fail(BAD_ARG, "account template (26-51): must start with 00 GUID");
      const gl = tlvSizeAt(v, 0) - 4;
      if (gl < 1 || gl > 32) return fail(BAD_ARG, "account template (26-51): GUID (00) 1-32 characters");
    }
    prev = id;
    at += size;
  }
  return OK;
}

// The fields of the profile being set, checked by checkField but not yet stored, in ID order
// (52 mcc, 53 currency, 58 country, 59 name, 60 city, 61 postal, 62 the reference label
// static codes carry in 62/05, e.g. Pix's "***"): value pointer and length.
const FIELD_COUNT = 7;
function fieldSlots(): usize {
  return memory.data(FIELD_COUNT * 8);
}

/**
 * Checks one field (length min-max, characters of class `cls`; len < 0 = not text) and keeps
 * it for setProfile; false after fail(BAD_ARG, rule).
 */
export function checkField(id: i32, ptr: usize, len: i32, min: i32, max: i32, cls: i32, rule: string): bool {
  if (len < min || len > max || !allIn(ptr, len, cls)) {
    fail(BAD_ARG, rule);
    return false;
  }
  const slot = fieldSlots() + <usize>((id < 58 ? id - 52 : id - 56) << 3);
  store<usize>(slot, ptr);
  store<i32>(slot + 4, len);
  return true;
}

/**
 * Checks the account objects and stores the profile: them, then the fields checkField kept
 * (an empty postal code or reference is left out; the reference as template 62, sub-object 05). OK or a failure naming the field and rule.
 */
export function setProfile(accounts: usize, accountsLen: i32): i32 {
  const ok = checkAccounts(accounts, accountsLen);
  if (ok != OK) return ok;
  tlvWriterStart(profilePtr(), PROFILE_CAP);
  tlvRaw(accounts, accountsLen);
  for (let i = 0; i < FIELD_COUNT; i++) {
    const slot = fieldSlots() + <usize>(i << 3);
    const len = load<i32>(slot + 4);
    if (len <= 0) continue;
    if (i == FIELD_COUNT - 1) {
      const t = tlvOpen(62);
      tlvBytes(5, load<usize>(slot), len);
      tlvClose(t);
    } else tlvBytes(i < 2 ? 52 + i : 56 + i, load<usize>(slot), len);
  }
  if (tlvWriterOverflow()) {
    profileLen = -1;
    return fail(BAD_ARG, "profile: longer than 512 characters");
  }
  const len = <i32>(tlvWriterPos() - profilePtr());
  if (saveProfileRecord(profilePtr(), len) < 0) {
    profileLen = -1;
    return fail(BAD_ARG, "profile: the store refused the record (full or failing)");
  }
  profileLen = len;
  return OK;
}

/** Installs the non-payable demo profile when none is stored; true if one exists after. */
export function ensureDemoProfile(): bool {
  if (profileLength() > 0) return true;
  tlvWriterStart(profilePtr(), PROFILE_CAP);
  const t = tlvOpen(26);
  tlvAscii(0, "DEV.TAPKIT.DEMO");
  tlvAscii(1, "DEMO-NOT-PAYABLE");
  tlvClose(t);
  tlvAscii(52, "0000");
  tlvAscii(53, "999");
  tlvAscii(58, "XX");
  tlvAscii(59, "TAPKIT DEMO");
  tlvAscii(60, "DEMO CITY");
  const len = <i32>(tlvWriterPos() - profilePtr());
  if (saveProfileRecord(profilePtr(), len) < 0) {
    profileLen = -1;
    return false;
  }
  profileLen = len;
  return true;
}

/** Finds root object `id` of the profile (tlvFoundPtr/Len). */
export function profileField(id: i32): bool {
  return profileLength() > 0 && tlvFind(profilePtr(), profileLen, id);
}
