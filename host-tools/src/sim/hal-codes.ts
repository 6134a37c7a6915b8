// The exception a simulated peripheral throws to make an HAL import return one of the ABI's
// E_* codes (host-tools/src/abi/hal-abi.ts, the one table), so each peripheral can stay a
// plain class and only hal.ts turns failures into numbers.
import { HAL_ERRORS } from "../abi/hal-abi.ts";

export const { E_ARG, E_RANGE, E_NOR, E_ALIGN, E_NO_KEY, E_ALG, E_POLICY, E_UNSUPPORTED, E_BUSY, E_IO, E_SPACE } = HAL_ERRORS;

export const HAL_CODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(HAL_ERRORS).map(([name, code]) => [code, name]));

/** A refusal a HAL import reports to the firmware as a negative return value. */
export class HalFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`${HAL_CODE_NAMES[code] ?? code}: ${message}`);
    this.name = "HalFault";
  }
}
