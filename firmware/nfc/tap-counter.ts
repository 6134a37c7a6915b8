// The tap counter behind dynamic URLs: store counter 0 (docs/store.md), which never returns
// a value twice even across power cuts (a cut may skip one). Kept behind these two functions
// so the tag logic does not depend on how the store is reached.
import { counterNext, counterRead } from "../store/store";

export const TAP_COUNTER_ID: u16 = 0;

/** The next tap counter value (>= 1), or a negative store error. */
export function takeTapCounter(): i64 {
  return counterNext(TAP_COUNTER_ID);
}

/** The last value handed out (0 before the first tap), or a negative store error. */
export function lastTapCounter(): i64 {
  return counterRead(TAP_COUNTER_ID);
}
