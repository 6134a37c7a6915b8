// HAL ABI v1, keystore and hashes (docs/hal-abi.md, Keystore): keys stay in slots behind
// these calls; the firmware names them by slot. Results < 0 are E_* codes (./codes).

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
@external("hal", "ks_unwrap") export declare function ks_unwrap(slot: i32, alg: i32, ptr: usize, len: i32, dest: i32): i32;
