// The firmware is typechecked in `npm test`: asc for every board with every firmware module
// as an entry and nothing emitted. A build only compiles what its entry reaches, so an
// exported function nothing calls yet can hide a type error from `tapkit build`; the
// typecheck finds it.
import { afterAll, test } from "vitest";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listBoards, loadBoard } from "../../host-tools/src/boards/index.ts";
import { buildFirmware, typecheckFirmware } from "../../host-tools/src/build/index.ts";
import { ROOT } from "../../host-tools/src/paths.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const tmp = mkdtempSync(join(tmpdir(), "tapkit-typecheck-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test.each(listBoards())("%s: every firmware module typechecks", async (name) => {
  await typecheckFirmware(loadBoard(name), { outDir: tmp });
});

test("an exported function nothing calls: the build passes, the typecheck fails naming it", async () => {
  const root = join(tmp, "firmware");
  cpSync(join(ROOT, "tests/build/fixtures/firmware"), root, { recursive: true });
  writeFileSync(join(root, "not-called-yet.ts"), "export function notCalledYet(): i32 {\n  const s: string = 5;\n  return 0;\n}\n");
  const board = loadBoard("sim-card");
  await buildFirmware(board, { outDir: join(tmp, "out"), firmwareRoot: root, quiet: true });
  await assert.rejects(typecheckFirmware(board, { outDir: join(tmp, "out"), firmwareRoot: root }), (e: unknown) => {
    const { code, message } = e as { code?: string; message?: string };
    assert.equal(code, "BUILD_COMPILE", String(e));
    assert.match(message!, /TS2322/);
    assert.match(message!, /not-called-yet\.ts\(2,/);
    return true;
  });
});
