// HAL ABI v1, display (docs/hal-abi.md, Display): 1-bit frames into the panel, then a refresh.
// Results < 0 are E_* codes (./codes).

@external("hal", "display_geometry") export declare function display_geometry(out: usize): i32;
@external("hal", "display_blit") export declare function display_blit(x: i32, y: i32, w: i32, h: i32, ptr: usize, len: i32): i32;
@external("hal", "display_refresh") export declare function display_refresh(mode: i32): i32;
