// The one error type for board files: says which file, which field (a JSON pointer) and
// which rule was broken, in words a hardware maker can act on, plus a hint.

export type BoardErrorCode = "BOARD_NOT_FOUND" | "BOARD_NOT_JSON" | "BOARD_INVALID";

/** One broken rule in one board file. */
export interface BoardProblem {
  /** JSON pointer of the field, e.g. `/flash/pageSize`; `""` for the whole document */
  pointer: string;
  /** the rule in plain words, e.g. `must be one of 256, 512 (got 3000)` */
  rule: string;
}

export class BoardError extends Error {
  readonly code: BoardErrorCode;
  readonly hint: string;
  readonly file: string;
  readonly problems: BoardProblem[];

  constructor(code: BoardErrorCode, file: string, problems: BoardProblem[], hint: string) {
    super(problems.map((p) => `${file}: ${p.pointer || "(document)"} ${p.rule}`).join("\n"));
    this.name = "BoardError";
    this.code = code;
    this.file = file;
    this.problems = problems;
    this.hint = hint;
  }
}
