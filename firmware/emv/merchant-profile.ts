// The merchant profile: the root data objects every payload of this plaque repeats
// (merchant account templates 02-51, MCC 52, currency 53, country 58, name 59, city 60,
// postal code 61), validated once when set and kept in the store as that very TLV text,
// ascending by ID, so building a payload is copying. The demo set-up installs a profile
// that is clearly not payable (name "TAPKIT DEMO", country XX and currency 999, the
// user-assigned / "no currency" codes, account GUID dev.tapkit.demo).
import { BAD_ARG, OK, fail } from "../link/status";
import { tlvAscii, tlvBytes, tlvClose, tlvCount, tlvFind, tlvIdAt, tlvOpen, tlvRaw, tlvSizeAt, tlvWriterOverflow, tlvWriterPos, tlvWriterStart } from "./mpm-tlv";
import { loadProfileRecord, saveProfileRecord } from "./profile-store";

export const PROFILE_CAP: i32 = 512;
const PROFILE = memory.data(PROFILE_CAP);
let profileLen: i32 = -1; // -1: not loaded yet; 0: none stored

export function profilePtr(): usize { return PROFILE; }

/** Length of the stored profile TLV (0 when none), loading it from the store once. */
export function profileLength(): i32 {
  if (profileLen < 0) {
    const n = loadProfileRecord(PROFILE, PROFILE_CAP);
    profileLen = n > 0 ? n : 0;
  }
  return profileLen;
}

function printable(ptr: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(ptr + <usize>i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function digits(ptr: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(ptr + <usize>i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function upperLetters(ptr: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(ptr + <usize>i);
    if (c < 0x41 || c > 0x5a) return false;
  }
  return true;
}

/**
 * Checks merchant account objects: IDs 02-51 ascending without repeats; templates 26-51
 * hold well-formed sub-objects starting with 00, the globally unique identifier (1-32).
 */
export function checkAccounts(ptr: usize, len: i32): i32 {
  if (len == 0) return fail(BAD_ARG, "accounts (02-51): at least one merchant account object required");
  if (!printable(ptr, len)) return fail(BAD_ARG, "accounts (02-51): printable ASCII only");
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

/**
 * Validates the fields and stores the profile; OK or a failure naming the field and rule.
 * All pointers are ASCII byte ranges; postalLen may be 0 (absent).
 */
export function setProfile(
  name: usize, nameLen: i32, city: usize, cityLen: i32, country: usize, countryLen: i32,
  currency: usize, currencyLen: i32, mcc: usize, mccLen: i32, accounts: usize, accountsLen: i32,
  postal: usize, postalLen: i32,
): i32 {
  if (nameLen < 1 || nameLen > 25 || !printable(name, nameLen)) return fail(BAD_ARG, "name (59): 1-25 printable ASCII characters");
  if (cityLen < 1 || cityLen > 15 || !printable(city, cityLen)) return fail(BAD_ARG, "city (60): 1-15 printable ASCII characters");
  if (countryLen != 2 || !upperLetters(country, 2)) return fail(BAD_ARG, "country (58): ISO 3166-1 alpha-2, two capital letters");
  if (currencyLen != 3 || !digits(currency, 3)) return fail(BAD_ARG, "currency (53): ISO 4217 numeric, three digits");
  if (mccLen != 4 || !digits(mcc, 4)) return fail(BAD_ARG, "mcc (52): ISO 18245, four digits");
  if (postalLen > 10 || !printable(postal, postalLen)) return fail(BAD_ARG, "postal (61): up to 10 printable ASCII characters");
  const ok = checkAccounts(accounts, accountsLen);
  if (ok != OK) return ok;
  tlvWriterStart(PROFILE, PROFILE_CAP);
  tlvRaw(accounts, accountsLen);
  tlvBytes(52, mcc, 4);
  tlvBytes(53, currency, 3);
  tlvBytes(58, country, 2);
  tlvBytes(59, name, nameLen);
  tlvBytes(60, city, cityLen);
  if (postalLen > 0) tlvBytes(61, postal, postalLen);
  if (tlvWriterOverflow()) {
    profileLen = -1;
    return fail(BAD_ARG, "profile: longer than 512 characters");
  }
  const len = <i32>(tlvWriterPos() - PROFILE);
  if (saveProfileRecord(PROFILE, len) < 0) {
    profileLen = -1;
    return fail(BAD_ARG, "profile: the store refused the record (full or failing)");
  }
  profileLen = len;
  return OK;
}

/** Installs the non-payable demo profile when none is stored; true if one exists after. */
export function ensureDemoProfile(): bool {
  if (profileLength() > 0) return true;
  tlvWriterStart(PROFILE, PROFILE_CAP);
  const t = tlvOpen(26);
  tlvAscii(0, "DEV.TAPKIT.DEMO");
  tlvAscii(1, "DEMO-NOT-PAYABLE");
  tlvClose(t);
  tlvAscii(52, "0000");
  tlvAscii(53, "999");
  tlvAscii(58, "XX");
  tlvAscii(59, "TAPKIT DEMO");
  tlvAscii(60, "DEMO CITY");
  const len = <i32>(tlvWriterPos() - PROFILE);
  if (saveProfileRecord(PROFILE, len) < 0) {
    profileLen = -1;
    return false;
  }
  profileLen = len;
  return true;
}

/** Finds root object `id` of the profile (tlvFoundPtr/Len). */
export function profileField(id: i32): bool {
  return profileLength() > 0 && tlvFind(PROFILE, profileLen, id);
}
