// Store error codes (docs/store.md). Negative, below the HAL's -1..-11 so a caller can pass
// either kind up unchanged and still tell them apart.

export const E_STORE_NOT_FOUND: i32 = -20;
export const E_STORE_FULL: i32 = -21;
export const E_STORE_TOO_LARGE: i32 = -22;
export const E_STORE_TX: i32 = -23;
export const E_STORE_CORRUPT: i32 = -24;
export const E_STORE_EXHAUSTED: i32 = -25;
/** storeMount has not run (or failed): nothing is known about the flash yet. */
export const E_STORE_UNMOUNTED: i32 = -26;
/** key outside 0x0001..0xFFFE, counter id outside 0..15, negative length */
export const E_STORE_ARG: i32 = -27;
