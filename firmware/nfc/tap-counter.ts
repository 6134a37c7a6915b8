// The tap counter behind dynamic URLs. Contract: store counter 0 (docs/store.md), which never
// returns a value twice even across power cuts. Kept behind these two functions so the tag
// logic does not depend on how the store is reached.
// Until firmware/store lands, a RAM counter stands in (restarts at 1 on every boot); swap the
// bodies for `counterNext(TAP_COUNTER_ID)` / `counterRead(TAP_COUNTER_ID)`.

export const TAP_COUNTER_ID: u16 = 0;
let ramCounter: i64 = 0;

/** The next tap counter value (>= 1), or a negative store error. */
export function takeTapCounter(): i64 {
  return ++ramCounter;
}

/** The last value handed out (0 before the first tap), or a negative store error. */
export function lastTapCounter(): i64 {
  return ramCounter;
}
