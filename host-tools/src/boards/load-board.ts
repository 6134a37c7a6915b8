// Finds, parses and checks board files: boards/<name>.json by name, or any path.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, isAbsolute, relative, resolve } from "node:path";
import { BOARDS_DIR, ROOT } from "../paths.ts";
import { boardError } from "./board-error.ts";
import type { Board } from "./board.ts";
import { checkBoardSchema } from "./schema-check.ts";
import { checkBoardSemantics } from "./semantic-rules.ts";

const HINT_FIX =
  "Fix the field named above; the rules are in boards/board.schema.json and docs/hal-abi.md. Compare with boards/sim-plaque.json or boards/sim-card.json.";

/** Names of the boards shipped in boards/ (the simulated boards are the defaults). */
export function listBoards(dir: string = BOARDS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes("/") || nameOrPath.includes("\\") || nameOrPath.endsWith(".json");
}

/** Path shown to users: relative to the repo when inside it, as given otherwise. */
function displayPath(file: string): string {
  const rel = relative(ROOT, file);
  return rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/**
 * Loads and checks one board. `nameOrPath` is a board name (`sim-plaque`, looked up in
 * boards/) or a path to a .json file. Throws a BOARD_... TapkitError naming file, field and rule.
 */
export function loadBoard(nameOrPath: string): Board {
  const file = looksLikePath(nameOrPath) ? resolve(nameOrPath) : resolve(BOARDS_DIR, `${nameOrPath}.json`);
  const shown = displayPath(file);
  if (!existsSync(file)) {
    throw boardError(
      "BOARD_NOT_FOUND",
      shown,
      [{ pointer: "", rule: "does not exist" }],
      `Known boards: ${listBoards().join(", ")}. Give a board name or a path to a board .json file.`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw boardError(
      "BOARD_NOT_JSON",
      shown,
      [{ pointer: "", rule: `is not valid JSON (${(e as Error).message})` }],
      "Check for trailing commas, comments or unquoted keys; board files are plain JSON.",
    );
  }
  const schemaProblems = checkBoardSchema(doc);
  if (schemaProblems.length) throw boardError("BOARD_INVALID", shown, schemaProblems, HINT_FIX);
  const board = doc as Board;
  const semanticProblems = checkBoardSemantics(board, basename(file, ".json"));
  if (semanticProblems.length) throw boardError("BOARD_INVALID", shown, semanticProblems, HINT_FIX);
  return board;
}
