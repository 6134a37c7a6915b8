// The one place the payment code touches the power-safe store (docs/store.md): the merchant
// profile record (key 0x0200, QR/EMV range) and the dynamic-QR reference counter (id 2).
import { counterNext, storeGet, storePut } from "../store/store";

const KEY_MERCHANT_PROFILE: u16 = 0x0200;
const COUNTER_DYNAMIC_REF: u16 = 2;

/** Profile length, or a negative store error (E_STORE_NOT_FOUND when none is set). */
export function loadProfileRecord(out: usize, cap: i32): i32 {
  return storeGet(KEY_MERCHANT_PROFILE, out, cap);
}

export function saveProfileRecord(ptr: usize, len: i32): i32 {
  return storePut(KEY_MERCHANT_PROFILE, ptr, len);
}

/** The next reference number (>= 1, never reused across power cuts), or a negative error. */
export function nextDynamicReference(): i64 {
  return counterNext(COUNTER_DYNAMIC_REF);
}
