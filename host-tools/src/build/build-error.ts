// The error type for `tapkit build`: a code per failure kind, the problem in words, and a
// hint for the firmware developer or hardware maker.

export type BuildErrorCode =
  | "BUILD_CONFIG"         // asconfig.json missing, malformed, or without a target for the board
  | "BUILD_COMPILE"        // asc reported errors
  | "BUILD_NOT_WASM"       // the output is not a readable Wasm binary
  | "BUILD_GATE_IMPORTS"   // an import outside HAL ABI v1, or with the wrong signature
  | "BUILD_GATE_EXPORTS"   // an ABI export missing or with the wrong signature
  | "BUILD_GATE_FEATURES"  // uses a post-MVP feature the device runtimes lack
  | "BUILD_GATE_MEMORY"    // declared maximum memory missing or over the board budget
  | "BUILD_NATIVE_TOOLS"   // wasm2c, arm-none-eabi-gcc or newlib missing for a board with a C shell
  | "BUILD_NATIVE";        // wasm2c or the C compiler/linker failed on the board shell

/** One failed gate, as reported by checkFirmwareModule. */
export interface GateFailure {
  code: BuildErrorCode;
  problems: string[];
  hint: string;
}

export class BuildError extends Error {
  readonly code: BuildErrorCode;
  readonly hint: string;
  /** every failed gate (first one decides `code`) */
  readonly failures: GateFailure[];

  constructor(code: BuildErrorCode, message: string, hint: string, failures: GateFailure[] = [{ code, problems: [message], hint }]) {
    super(message);
    this.name = "BuildError";
    this.code = code;
    this.hint = hint;
    this.failures = failures;
  }

  static fromGates(board: string, failures: GateFailure[]): BuildError {
    const lines = failures.flatMap((f) => f.problems.map((p) => `  [${f.code}] ${p}`));
    return new BuildError(
      failures[0].code,
      `firmware for board ${board} failed ${failures.length} build gate(s):\n${lines.join("\n")}`,
      failures.map((f) => f.hint).join(" "),
      failures,
    );
  }
}
