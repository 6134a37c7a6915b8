// HAL ABI v1 imports (docs/hal-abi.md): the only way the firmware reaches the board.
// Exactly the documented `hal` functions; asc emits an import only when it is used.
// Pointers are offsets into our memory, lengths are byte counts, results < 0 are E_* codes.

// System
@external("hal", "uart_write") export declare function uart_write(ptr: usize, len: i32): i32;
@external("hal", "log") export declare function log(level: i32, ptr: usize, len: i32): void;
@external("hal", "panic") export declare function panic(ptr: usize, len: i32): void;
@external("hal", "clock_ms") export declare function clock_ms(): i64;
@external("hal", "clock_unix") export declare function clock_unix(): i64;
@external("hal", "random") export declare function random(ptr: usize, len: i32): i32;
@external("hal", "reset") export declare function reset(reason: i32): void;
@external("hal", "shell_version") export declare function shell_version(ptr: usize, cap: i32): i32;

// Flash (NOR)
@external("hal", "flash_geometry") export declare function flash_geometry(region: i32, out: usize): i32;
@external("hal", "flash_read") export declare function flash_read(region: i32, offset: i32, ptr: usize, len: i32): i32;
@external("hal", "flash_program") export declare function flash_program(region: i32, offset: i32, ptr: usize, len: i32): i32;
@external("hal", "flash_erase") export declare function flash_erase(region: i32, page: i32): i32;

// Keystore
@external("hal", "ks_info") export declare function ks_info(slot: i32): i32;
@external("hal", "ks_generate") export declare function ks_generate(slot: i32, alg: i32): i32;
@external("hal", "ks_import") export declare function ks_import(slot: i32, alg: i32, ptr: usize, len: i32): i32;
@external("hal", "ks_public_key") export declare function ks_public_key(slot: i32, out: usize, cap: i32): i32;
@external("hal", "ks_sign") export declare function ks_sign(slot: i32, msg: usize, len: i32, out: usize, cap: i32): i32;
@external("hal", "ks_verify") export declare function ks_verify(alg: i32, pub: usize, pub_len: i32, msg: usize, msg_len: i32, sig: usize, sig_len: i32): i32;
@external("hal", "ks_aes") export declare function ks_aes(slot: i32, mode: i32, iv: usize, input: usize, len: i32, out: usize): i32;
@external("hal", "ks_cmac") export declare function ks_cmac(slot: i32, msg: usize, len: i32, out: usize): i32;
@external("hal", "ks_derive_cmac") export declare function ks_derive_cmac(slot: i32, msg: usize, len: i32, dest: usize): i32;
@external("hal", "sha256") export declare function sha256(ptr: usize, len: i32, out: usize): i32;
@external("hal", "hmac_sha256") export declare function hmac_sha256(slot: i32, msg: usize, len: i32, out: usize): i32;

// Display
@external("hal", "display_geometry") export declare function display_geometry(out: usize): i32;
@external("hal", "display_blit") export declare function display_blit(x: i32, y: i32, w: i32, h: i32, ptr: usize, len: i32): i32;
@external("hal", "display_refresh") export declare function display_refresh(mode: i32): i32;

// NFC
@external("hal", "nfc_configure") export declare function nfc_configure(personality: i32, ptr: usize, len: i32): i32;

// Error codes shared by all imports.
export const E_ARG: i32 = -1;
export const E_RANGE: i32 = -2;
export const E_NOR: i32 = -3;
export const E_ALIGN: i32 = -4;
export const E_NO_KEY: i32 = -5;
export const E_ALG: i32 = -6;
export const E_POLICY: i32 = -7;
export const E_UNSUPPORTED: i32 = -8;
export const E_BUSY: i32 = -9;
export const E_IO: i32 = -10;
export const E_SPACE: i32 = -11;
