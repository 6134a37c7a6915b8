// `tapkit info` shows linear memory as a maker reads it: the bytes the module uses (its
// __heap_base, from the board's build record) before the declared 64 KiB page, which is
// not RAM; for a C shell also what the shell backs (tests/qemu/qemu-board.test.ts).
import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { startSim, tapkit } from "./cli-helpers.ts";

test("tapkit info on sim-plaque: linear memory used from the build record, beside the declared page", async (t) => {
  const sim = await startSim(["--no-pty"]);
  t.onTestFinished(() => void sim.stop());
  const build = JSON.parse(readFileSync(join(firmwarePath("sim-plaque"), "..", "build.json"), "utf8"));
  const heapBase: number = build.staticData.heapBase;
  assert.ok(heapBase > 1000 && heapBase < 65536);
  const human = await tapkit(["info", "--port", sim.port]);
  assert.equal(human.code, 0, human.stderr);
  const line = human.stdout.split("\n").find((l) => l.startsWith("memory"));
  assert.equal(
    line?.replace(/^memory\s+/, ""),
    `linear memory ${heapBase.toLocaleString("en-US")} B used (1 declared 64 KiB page), mailbox 512 B`,
    human.stdout,
  );
  const json = await tapkit(["info", "--port", sim.port, "--json"]);
  assert.equal(json.json.mem.pages, 1, "the device's own answer is unchanged");
  assert.deepEqual(
    { used: json.json.linearMemory.used, backed: json.json.linearMemory.backed },
    { used: heapBase, backed: null },
    "the Node simulator has no C shell backing",
  );
});
