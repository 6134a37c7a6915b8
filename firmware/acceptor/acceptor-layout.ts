// Where the plaque's offline acceptor keeps its state in the power-safe store (docs/store.md:
// plaque keys 0x0800-0x0FFF) and the byte layout of each record. Integers little-endian.

export const KEY_CONFIG: u16 = 0x0800; // issuer root, payee id, currency
export const KEY_CARDS: u16 = 0x0801; // per-card freshness: kid and highest counter accepted
export const KEY_HEAD: u16 = 0x0802; // vouchers held and which card each came from
export const KEY_VOUCHER_FIRST: u16 = 0x0900; // + slot: the voucher bytes as the card sent them
export const KEY_BATCH_FIRST: u16 = 0x0c00; // + card: that card's batch certificate
export const KEY_DEVICE_FIRST: u16 = 0x0d00; // + card: that card's device certificate
export const KEY_PAYWORD_FIRST: u16 = 0x0f00; // + slot: best payword of a chain commitment

/** Vouchers held until export and clear. */
export const SLOTS: i32 = 64;
/** Cards remembered for counter freshness (and whose chains are kept for export). */
export const CARDS: i32 = 16;
export const MAX_COSE: i32 = 255;

// Config record.
export const CFG_ALG = 0; // u8: 8 EdDSA, 7 ES256 (minus the COSE alg)
export const CFG_ROOT_LEN = 1; // u8
export const CFG_PAYEE_LEN = 2; // u8
export const CFG_CURRENCY = 4; // 3 ASCII
export const CFG_ROOT = 8; // 65 bytes
export const CFG_PAYEE = 73; // 32 bytes
export const CFG_SIZE = 105;

// Card table: count u8, next to evict u8, 2 pad, then CARDS x (kid 8, counter u64).
export const CARD_ENTRY = 16;
export const CARDS_SIZE = 4 + CARDS * CARD_ENTRY;
// The table as firmware before the one voucher layout wrote it: counters u32. Read once,
// widened in RAM, and written back in the new form by the next acceptance.
export const CARD_ENTRY_V0 = 12;
export const CARDS_SIZE_V0 = 4 + CARDS * CARD_ENTRY_V0;

// Head: vouchers held u32, then SLOTS x card index u8.
export const HEAD_SIZE = 4 + SLOTS;

// Payword record.
export const PAYWORD_SIZE = 44; // index u32, chain length u32, unit u32, word 32
