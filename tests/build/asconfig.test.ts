// asconfig.json drives `tapkit build`: one target per board, the shared options the firmware
// relies on, build/<board>/asconfig.json as the exact record of a compile (re-running asc on
// it by hand gives the same code, before tapkit's data layout), and clear BUILD_CONFIG errors for a broken config.
import { afterAll, test } from "vitest";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listBoards, loadBoard } from "../../host-tools/src/boards/index.ts";
import { buildFirmware, readWasmInterface } from "../../host-tools/src/build/index.ts";
import { abortFunction, ASCONFIG_PATH, boardOptions, readAsconfig } from "../../host-tools/src/build/compile-flags.ts";
import { ROOT } from "../../host-tools/src/paths.ts";
import { longTests } from "../support/long-tests.ts";

const FIXTURE = join(ROOT, "tests/build/fixtures/firmware");
const tmp = mkdtempSync(join(tmpdir(), "tapkit-asconfig-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

longTests();

test("asconfig.json has one target per board in boards/ and the options the firmware needs", () => {
  const config = readAsconfig();
  assert.deepEqual(Object.keys(config.targets).sort(), listBoards(), "one target per board, no target without a board");
  const shared = config.options;
  assert.equal(shared.noAssert, true);
  assert.equal(shared.runtime, "stub");
  assert.deepEqual([shared.optimizeLevel, shared.shrinkLevel], [0, 2], "-Oz: module size is flash on the device");
  assert.deepEqual([...(shared.disable as string[])].sort(), ["bulk-memory", "mutable-globals", "nontrapping-f2i", "sign-extension"], "MVP-only Wasm");
  const abort = abortFunction(shared);
  assert.match(
    readFileSync(join(ROOT, `${abort.module}.ts`), "utf8"),
    new RegExp(`export function ${abort.name}\\(`),
    "abort goes to a function the firmware exports",
  );
  for (const name of listBoards()) {
    const board = loadBoard(name);
    const pages = boardOptions(board, config).maximumMemory;
    assert.ok(
      Number.isInteger(pages) && (pages as number) >= 1 && (pages as number) <= board.memory.maxPages,
      `${name}: maximumMemory ${pages} within the board's ${board.memory.maxPages} page(s)`,
    );
  }
});

test("tapkit build compiles build/<board>/asconfig.json: the shared options, the board's target and constants; asc run on it by hand gives the same interface, before tapkit's data layout", async () => {
  const board = loadBoard("sim-card");
  const r = await buildFirmware(board, { outDir: tmp, firmwareRoot: FIXTURE, quiet: true });
  const written = JSON.parse(readFileSync(join(tmp, "sim-card", "asconfig.json"), "utf8"));
  const shared = JSON.parse(readFileSync(ASCONFIG_PATH, "utf8"));
  const { use: sharedUse, ...sharedRest } = shared.options;
  for (const [k, v] of Object.entries({ ...sharedRest, ...shared.targets["sim-card"] })) assert.deepEqual(written.options[k], v, `option ${k}`);
  assert.deepEqual(written.entries, ["entry.ts"]);
  assert.deepEqual([written.options.outFile, written.options.textFile], ["firmware.wasm", "firmware.wat"]);
  for (const [k, v] of Object.entries(r.constants)) assert.ok(written.options.use.includes(`${k}=${v}`), `--use ${k}=${v}`);
  assert.equal(written.options.use.filter((u: string) => u.startsWith("abort=")).length, 1, "one abort, spelled for this layout");
  assert.ok(sharedUse.includes("abort=firmware/hal/panic/onAbort"));

  rmSync(r.wasmPath);
  const asc = spawnSync(process.execPath, [join(ROOT, "node_modules/assemblyscript/bin/asc.js"), "--config", join(tmp, "sim-card", "asconfig.json")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(asc.status, 0, asc.stderr);
  assert.ok(existsSync(r.wasmPath), "the hand run wrote the module again");
  // tapkit build lays string literals out compactly and runs the static-data pass
  // (host-tools/src/build/memory-map.ts, static-data-pass.ts); asc alone does neither.
  const hand = new Uint8Array(readFileSync(r.wasmPath));
  assert.notEqual(createHash("sha256").update(hand).digest("hex"), r.sha256, "asc alone does not lay the data out as tapkit build does");
  const iface = readWasmInterface(hand);
  assert.deepEqual(
    iface.imports.map(({ module, name, signature }) => ({ module, name, signature })),
    r.imports.map(({ module, name, signature }) => ({ module, name, signature })),
  );
  assert.deepEqual(
    iface.exports.map((e) => e.name),
    r.exports.map((e) => e.name).filter((n) => !n.startsWith("__")),
    "same exports, without the __data_end/__heap_base constants",
  );
});

async function rejectsConfig(config: string, pattern: RegExp): Promise<void> {
  const path = join(tmp, `asconfig-${createHash("sha256").update(config).digest("hex").slice(0, 8)}.json`);
  writeFileSync(path, config);
  await assert.rejects(buildFirmware(loadBoard("sim-card"), { asconfig: path, outDir: tmp, firmwareRoot: FIXTURE, quiet: true }), (e: unknown) => {
    const { code, message, hint } = e as { code?: string; message?: string; hint?: string };
    assert.equal(code, "BUILD_CONFIG", String(e));
    assert.match(`${message} ${hint}`, pattern);
    return true;
  });
}

test("a broken asconfig.json fails with BUILD_CONFIG saying what to fix", async () => {
  const good = JSON.parse(readFileSync(ASCONFIG_PATH, "utf8"));
  await rejectsConfig("{ not json", /cannot read/);
  await rejectsConfig(JSON.stringify({ options: good.options }), /"targets" object/);
  await rejectsConfig(JSON.stringify({ ...good, targets: { "sim-plaque": {} } }), /no target for board sim-card.*"sim-card": \{ "maximumMemory": 1 \}/s);
  await rejectsConfig(JSON.stringify({ ...good, options: { ...good.options, shrinklevel: 2 } }), /asc does not know: shrinklevel/);
  await rejectsConfig(JSON.stringify({ ...good, options: { ...good.options, use: ["abort=lib/panic/onAbort"] } }), /outside firmware/);
  await rejectsConfig(JSON.stringify({ ...good, options: { ...good.options, use: "abort=firmware/hal/panic/onAbort" } }), /"NAME=value" strings/);
});
