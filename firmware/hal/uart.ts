// HAL ABI v1, UART (docs/hal-abi.md, System): the link's only way out of the device.
// Results < 0 are E_* codes (./codes).

@external("hal", "uart_write") export declare function uart_write(ptr: usize, len: i32): i32;
