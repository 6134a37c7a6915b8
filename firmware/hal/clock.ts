// HAL ABI v1, clocks (docs/hal-abi.md, System): uptime, and Unix time when the board has it.

@external("hal", "clock_ms") export declare function clock_ms(): i64;
@external("hal", "clock_unix") export declare function clock_unix(): i64;
