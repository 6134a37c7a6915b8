// The board file's `shell` (how a board runs) and `runtime: "wasm2c"`: qemu-m4 loads with its
// QEMU shell, the existing boards keep the Node simulator, and the rules that tie the two
// fields together and to the memory budget refuse broken combinations naming the field.
import { afterAll, test } from "vitest";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard, qemuShell, type BoardProblem } from "../../host-tools/src/boards/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { BOARDS_DIR } from "../../host-tools/src/paths.ts";

const tmp = mkdtempSync(join(tmpdir(), "tapkit-board-shell-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function variant(stem: string, from: string, edit: (b: any) => void): string {
  const b = JSON.parse(readFileSync(join(BOARDS_DIR, `${from}.json`), "utf8"));
  b.name = stem;
  edit(b);
  const file = join(tmp, `${stem}.json`);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

function problem(file: string): BoardProblem {
  try {
    loadBoard(file);
  } catch (e) {
    assert.ok(e instanceof TapkitError && e.exitCode === 9, String(e));
    return (e.details.problems as BoardProblem[])[0];
  }
  assert.fail(`${file} loaded`);
}

test("qemu-m4 runs in QEMU with its C shell; the simulated boards run in Node", () => {
  const q = loadBoard("qemu-m4");
  assert.equal(q.runtime, "wasm2c");
  assert.deepEqual(qemuShell(q), {
    kind: "qemu",
    source: "shells/cortex-m",
    machine: "mps2-an386",
    cpu: "cortex-m4",
    stackBytes: 16384,
    callDepth: 200,
  });
  assert.equal(q.mode, "plaque", "a plaque: display, both NFC personalities, the QR and acceptor cases apply");
  for (const name of ["sim-plaque", "sim-card"]) assert.equal(qemuShell(loadBoard(name)), null);
  assert.equal(qemuShell(loadBoard(variant("explicit-node", "sim-plaque", (b) => (b.shell = { kind: "node" })))), null);
});

test("broken shell settings are refused naming the field", () => {
  const cases: [string, string, (b: any) => void, string, RegExp][] = [
    ["wasm2c-in-node", "sim-plaque", (b) => (b.runtime = "wasm2c"), "/runtime", /needs a C board shell/],
    ["wamr-in-qemu", "qemu-m4", (b) => (b.runtime = "wamr"), "/runtime", /must be "wasm2c"/],
    ["too-much-linear", "qemu-m4", (b) => (b.shell.linearBytes = 131072), "/shell/linearBytes", /65536 bytes of \/memory\/maxPages/],
    ["tiny-stack", "qemu-m4", (b) => (b.shell.stackBytes = 100), "/shell/stackBytes", /must be >= 1024/],
    ["no-machine", "qemu-m4", (b) => delete b.shell.machine, "/shell/machine", /is required/],
  ];
  for (const [stem, from, edit, pointer, rule] of cases) {
    const p = problem(variant(stem, from, edit));
    assert.equal(p.pointer, pointer, `${stem}: ${JSON.stringify(p)}`);
    assert.match(p.rule, rule, stem);
  }
});
