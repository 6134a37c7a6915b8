// HAL ABI v1 error codes, shared by every import (docs/hal-abi.md): results < 0 are one of
// these. The host's copy is the table in host-tools/src/abi/hal-abi.ts; a test compares them.

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
