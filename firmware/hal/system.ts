// HAL ABI v1, system (docs/hal-abi.md, System): native console, fatal stop, reboot, the
// shell's name, and the image confirmation a bootloader shell takes after the self-test. Results < 0 are E_* codes (./codes).

@external("hal", "log") export declare function log(level: i32, ptr: usize, len: i32): void;
@external("hal", "panic") export declare function panic(ptr: usize, len: i32): void;
@external("hal", "reset") export declare function reset(reason: i32): void;
@external("hal", "shell_version") export declare function shell_version(ptr: usize, cap: i32): i32;
@external("hal", "boot_confirm") export declare function boot_confirm(): i32;
