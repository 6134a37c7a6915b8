// Store power-cut soak: 100,000 random power cuts (npm test runs 2 x 5,000) through the
// same torture as `tapkit torture store`, on the built firmware. Exits 1 on any failure.
// Usage: node --import tsx scripts/soak-store.mjs [cuts] [seed] [board]
import { loadBoard } from "../host-tools/src/boards/index.ts";
import { firmwarePath } from "../host-tools/src/paths.ts";
import { tortureFailures, tortureStore } from "../host-tools/src/torture/store-torture.ts";

const cuts = Number(process.argv[2] ?? 100000);
const seed = Number(process.argv[3] ?? 1);
const board = loadBoard(process.argv[4] ?? "sim-card");
const t0 = Date.now();
const r = await tortureStore({
  board,
  wasm: firmwarePath(board.name),
  cuts,
  seed,
  progressEvery: 10000,
  onProgress: (p) => process.stderr.write(`${p.cuts}/${cuts} cuts, ${p.committed} committed, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`),
});
const failures = tortureFailures(r);
console.log(JSON.stringify({ ...r, seconds: (Date.now() - t0) / 1000 }, null, 2));
process.exit(failures ? 1 : 0);
