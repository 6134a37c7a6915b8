// HAL ABI v1, NFC (docs/hal-abi.md, NFC): which tag personality the shell presents, and its UID.
// Results < 0 are E_* codes (./codes).

@external("hal", "nfc_configure") export declare function nfc_configure(personality: i32, ptr: usize, len: i32): i32;
