// Board-file failures: which file, which field (a JSON pointer) and which rule was broken,
// in words a hardware maker can act on. They are TapkitErrors (BOARD_... codes, exit 9)
// with the file and every problem in `details`.
import { TapkitError } from "../errors/index.ts";

export const BOARD_ERROR_CODES = ["BOARD_NOT_FOUND", "BOARD_NOT_JSON", "BOARD_INVALID"] as const;
export type BoardErrorCode = (typeof BOARD_ERROR_CODES)[number];

/** One broken rule in one board file. */
export interface BoardProblem {
  /** JSON pointer of the field, e.g. `/flash/pageSize`; `""` for the whole document */
  pointer: string;
  /** the rule in plain words, e.g. `must be one of 256, 512 (got 3000)` */
  rule: string;
}

/** The error for a board file; `details.file` and `details.problems` list what is wrong. */
export function boardError(code: BoardErrorCode, file: string, problems: BoardProblem[], hint: string): TapkitError {
  const message = problems.map((p) => `${file}: ${p.pointer || "(document)"} ${p.rule}`).join("\n");
  return new TapkitError(code, message, hint, { file, problems });
}

/** A board-file failure (as opposed to any other TapkitError). */
export function isBoardError(e: unknown): e is TapkitError & { code: BoardErrorCode } {
  return e instanceof TapkitError && (BOARD_ERROR_CODES as readonly string[]).includes(e.code);
}
