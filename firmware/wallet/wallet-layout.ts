// Where the wallet keeps its state in the power-safe store (docs/store.md: wallet keys
// 0x0300-0x07FF, counter id 1) and the byte layout of each record. Little-endian u32s.

export const VOUCHER_COUNTER_ID: u16 = 1;

export const KEY_CONFIG: u16 = 0x0300;
export const KEY_CERT_BATCH: u16 = 0x0301;
export const KEY_CERT_DEVICE: u16 = 0x0302;
/** PIN record: retries left and the verifier's salt (the verifier itself is in the keystore, wallet-pin.ts). */
export const KEY_PIN: u16 = 0x0303;
export const KEY_SUB_FIRST: u16 = 0x0310;
export const KEY_LOG_HEAD: u16 = 0x0320;
export const KEY_LOG_FIRST: u16 = 0x0400;

/** Log ring: the newest LOG_SLOTS entries are kept. */
export const LOG_SLOTS: u32 = 64;
export const SUB_WALLETS: i32 = 4;
export const PIN_TRIES: u8 = 3;
export const MAX_CERT: i32 = 255;

// Config record: card-wide state and the issuer's envelope (per sync epoch).
export const CFG_STATE = 0; // u8: 0 blank, 1 active
export const CFG_SLOT = 1; // u8: keystore slot of the device key
export const CFG_CURRENCY = 4; // 3 ASCII bytes
export const CFG_EPOCH = 8; // u32
export const CFG_MAX_BALANCE = 12;
export const CFG_PER_PAYMENT = 16;
export const CFG_CUMULATIVE = 20;
export const CFG_MAX_COUNT = 24;
export const CFG_SPENT = 28; // spent since the last sync, all sub-wallets
export const CFG_COUNT = 32; // payments since the last sync
export const CFG_SIZE = 36;

// PIN record.
export const PIN_RECORD_TRIES = 0; // u8: retries left, 0 = blocked
export const PIN_SALT = 4; // 16 random bytes, drawn at provisioning
export const PIN_SALT_SIZE = 16;
export const PIN_RECORD_SIZE = 20;

// Sub-wallet record.
export const SUB_OPEN = 0; // u32: 1 open
export const SUB_BALANCE = 4;
export const SUB_PER_PAYMENT = 8;
export const SUB_CUMULATIVE = 12;
export const SUB_MAX_COUNT = 16;
export const SUB_SPENT = 20;
export const SUB_COUNT = 24;
export const SUB_SIZE = 28;

// Log entry.
export const LOG_SEQ = 0;
export const LOG_COUNTER = 4;
export const LOG_AMOUNT = 8;
export const LOG_BALANCE = 12;
export const LOG_SUB = 16; // u8
export const LOG_KIND = 17; // u8: 1 payment, 2 fund sub-wallet, 3 close sub-wallet, 4 provision, 5 chain refund, 6 sync
export const LOG_PAYEE = 20; // first 8 bytes of the payee id, zero padded
export const LOG_SIZE = 28;

export const KIND_PAYMENT: u8 = 1;
export const KIND_FUND: u8 = 2;
export const KIND_CLOSE: u8 = 3;
export const KIND_PROVISION: u8 = 4;
export const KIND_REFUND: u8 = 5; // PayWord chain closed: unreleased units back
export const KIND_SYNC: u8 = 6; // issuer sync: amount = top-up, counter = settled counter
