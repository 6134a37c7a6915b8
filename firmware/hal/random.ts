// HAL ABI v1, hardware random numbers (docs/hal-abi.md, System): challenges, IVs, PayWord seeds.

@external("hal", "random") export declare function random(ptr: usize, len: i32): i32;
