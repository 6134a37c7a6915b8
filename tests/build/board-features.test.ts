// Each board's image carries only the static data its code can reach (issue 12 item 4): an op
// group none of whose ops a board mode serves (host-tools/src/ops/catalogue.ts: `boards`)
// lays out no buffer, table or literal on that board, and neither does the panel code on a
// board without a display. asc lays out every top-level memory.data of every module the build
// imports, reached or not, so a board-specific buffer must sit inside a function
// (docs/hal-abi.md, "Per-board static data"). The regions are build/<board>/memory-map.json,
// the same list `tapkit build --map` prints, recorded while asc lays the data out.
import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { listBoards, loadBoard } from "../../host-tools/src/boards/index.ts";
import { GROUPS, OPS } from "../../host-tools/src/ops/catalogue.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import type { MemoryMap } from "../../host-tools/src/build/memory-map.ts";

/**
 * The one region a board without a panel keeps from the QR code: the encoder's scratch
 * (firmware/qr/qr-scratch.ts) is sized from the board and shrinks to a 1-byte placeholder,
 * because modules derive constant addresses from it at top level.
 */
const PLACEHOLDERS = new Set(["firmware/qr/qr-scratch buffer 1 B"]);

/** Source folders a board must carry nothing from: owners of groups it serves no op of, and the panel without a display. */
function unreachableFolders(mode: "plaque" | "card", hasDisplay: boolean): string[] {
  const folders: string[] = Object.entries(GROUPS)
    .filter(([name]) => OPS.filter((o) => o.group === name).every((o) => !(o.boards as readonly string[]).includes(mode)))
    .map(([, g]) => g.owner);
  if (!hasDisplay) folders.push("firmware/display");
  return folders;
}

test("the catalogue leaves each simulated board something to drop (the check below is not vacuous)", () => {
  assert.deepEqual(unreachableFolders("card", false).sort(), ["firmware/acceptor", "firmware/display", "firmware/emv", "firmware/qr"]);
  assert.deepEqual(unreachableFolders("plaque", true), ["firmware/wallet"]);
});

test.each(listBoards())("%s: no static data from a feature the board cannot use", (name) => {
  const board = loadBoard(name);
  const map = JSON.parse(readFileSync(join(dirname(firmwarePath(name)), "memory-map.json"), "utf8")) as MemoryMap;
  assert.ok(map.regions.length > 50, `${name}: the map lists the image's regions`);
  const folders = unreachableFolders(board.mode, board.display != null);
  const describe = (r: MemoryMap["regions"][number]) => `${r.owner} ${r.kind} ${r.bytes} B`;
  const stray = map.regions.filter((r) => folders.some((f) => r.owner === f || r.owner.startsWith(`${f}/`)) && !PLACEHOLDERS.has(describe(r)));
  const bytes = stray.reduce((n, r) => n + r.bytes, 0);
  assert.deepEqual(stray.map(describe), [], `${name} (${board.mode}) lays out ${bytes} B for ${folders.join(", ")}`);
});
