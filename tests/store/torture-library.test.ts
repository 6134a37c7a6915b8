// CI torture, part 2: the torture library on sim-plaque with another seed, 5000 cuts;
// every failure count must be zero.
import { test } from "vitest";
import { tortureStore } from "../../host-tools/src/torture/store-torture.ts";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { assertClean } from "./torture-assertions.ts";
import { cpuHeavyTests } from "../support/long-tests.ts";

cpuHeavyTests();

test("torture library on sim-plaque, 5000 cuts, seed 2: all failure counts zero", async () => {
  const board = loadBoard("sim-plaque");
  const r = await tortureStore({ board, wasm: firmwarePath(board.name), cuts: 5000, seed: 2 });
  assertClean(r, 5000);
});
