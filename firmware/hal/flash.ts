// HAL ABI v1, NOR flash (docs/hal-abi.md, Flash). Only the store (firmware/store) may import
// this: everything else keeps its state through the store's power-safe records
// (tests/firmware/layers checks it). Results < 0 are E_* codes (./codes).

@external("hal", "flash_geometry") export declare function flash_geometry(region: i32, out: usize): i32;
@external("hal", "flash_read") export declare function flash_read(region: i32, offset: i32, ptr: usize, len: i32): i32;
@external("hal", "flash_program") export declare function flash_program(region: i32, offset: i32, ptr: usize, len: i32): i32;
@external("hal", "flash_erase") export declare function flash_erase(region: i32, page: i32): i32;
