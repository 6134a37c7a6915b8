// `tapkit build` failures: a code per failure kind, the problem in words, and a hint for the
// firmware developer or hardware maker. They are TapkitErrors (BUILD_... codes, exit 8) with
// every failed gate in `details.failures`.
import { TapkitError } from "../errors/index.ts";

export const BUILD_ERROR_CODES = [
  "BUILD_CONFIG", // asconfig.json missing, malformed, or without a target for the board
  "BUILD_COMPILE", // asc reported errors
  "BUILD_NOT_WASM", // the output is not a readable Wasm binary
  "BUILD_GATE_IMPORTS", // an import outside HAL ABI v1, or with the wrong signature
  "BUILD_GATE_EXPORTS", // an ABI export missing or with the wrong signature
  "BUILD_GATE_FEATURES", // uses a post-MVP feature the device runtimes lack
  "BUILD_GATE_MEMORY", // declared maximum memory missing or over the board budget
  "BUILD_GATE_SLOT", // the signed image would not fit the board's image slots
  "BUILD_NATIVE_TOOLS", // wasm2c, arm-none-eabi-gcc or newlib missing for a board with a C shell
  "BUILD_NATIVE", // wasm2c or the C compiler/linker failed on the board shell
] as const;
export type BuildErrorCode = (typeof BUILD_ERROR_CODES)[number];

/** One failed gate, as reported by checkFirmwareModule. */
export interface GateFailure {
  code: BuildErrorCode;
  problems: string[];
  hint: string;
}

/** A build failure of one kind (compile, not Wasm). */
export function buildError(code: BuildErrorCode, message: string, hint: string): TapkitError {
  return new TapkitError(code, message, hint, { failures: [{ code, problems: [message], hint }] satisfies GateFailure[] });
}

/** Every failed gate of one module in one error; the first gate decides the code. */
export function gateFailuresError(board: string, failures: GateFailure[]): TapkitError {
  const lines = failures.flatMap((f) => f.problems.map((p) => `  [${f.code}] ${p}`));
  return new TapkitError(
    failures[0].code,
    `firmware for board ${board} failed ${failures.length} build gate(s):\n${lines.join("\n")}`,
    failures.map((f) => f.hint).join(" "),
    { failures },
  );
}

/** A build failure (as opposed to any other TapkitError). */
export function isBuildError(e: unknown): e is TapkitError & { code: BuildErrorCode } {
  return e instanceof TapkitError && (BUILD_ERROR_CODES as readonly string[]).includes(e.code);
}
