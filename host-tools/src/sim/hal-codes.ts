// HAL ABI v1 return codes (docs/hal-abi.md) and the exception a simulated peripheral throws
// to make an import return one of them, so each peripheral can stay a plain class and only
// hal.ts turns failures into numbers.

export const E_ARG = -1;
export const E_RANGE = -2;
export const E_NOR = -3;
export const E_ALIGN = -4;
export const E_NO_KEY = -5;
export const E_ALG = -6;
export const E_POLICY = -7;
export const E_UNSUPPORTED = -8;
export const E_BUSY = -9;
export const E_IO = -10;
export const E_SPACE = -11;

export const HAL_CODE_NAMES: Record<number, string> = {
  [E_ARG]: "E_ARG",
  [E_RANGE]: "E_RANGE",
  [E_NOR]: "E_NOR",
  [E_ALIGN]: "E_ALIGN",
  [E_NO_KEY]: "E_NO_KEY",
  [E_ALG]: "E_ALG",
  [E_POLICY]: "E_POLICY",
  [E_UNSUPPORTED]: "E_UNSUPPORTED",
  [E_BUSY]: "E_BUSY",
  [E_IO]: "E_IO",
  [E_SPACE]: "E_SPACE",
};

/** A refusal a HAL import reports to the firmware as a negative return value. */
export class HalFault extends Error {
  constructor(readonly code: number, message: string) {
    super(`${HAL_CODE_NAMES[code] ?? code}: ${message}`);
    this.name = "HalFault";
  }
}
