// The dispatcher's lifecycle-state check on its own: a firmware built from a catalogue that
// narrows two everyday ops refuses them outside their states with `unsupported` naming the
// state, and serves them inside (the real table is checked in capability-table.test.ts).
import { onTestFinished, test } from "vitest";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { buildFirmware } from "../../host-tools/src/build/index.ts";
import { OPS, type OpSpec } from "../../host-tools/src/ops/index.ts";
import { FIRMWARE_DIR } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { StoreLink } from "../../host-tools/src/torture/store-link.ts";
import { longTests } from "../support/long-tests.ts";

// One firmware build from a copied tree: seconds alone, minutes beside other builds.
longTests();

test("ops outside their lifecycle states are answered unsupported; inside them they run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-states-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const firmwareRoot = join(dir, "firmware");
  cpSync(FIRMWARE_DIR, firmwareRoot, { recursive: true });
  const narrowed: OpSpec[] = OPS.map((o) =>
    o.name === "status" ? { ...o, states: ["provisioned"] } : o.name === "ping" ? { ...o, states: ["demo", "locked"] } : o,
  );
  const board = loadBoard("sim-card");
  const build = await buildFirmware(board, { firmwareRoot, outDir: join(dir, "build"), ops: narrowed, quiet: true });
  assert.match(readFileSync(join(firmwareRoot, "link", "op-names.ts"), "utf8"), /ALL_STATES_SERVED: bool = false/);

  const run = async (blank: boolean) => {
    const device = await SimDevice.create({ board, wasm: build.wasmPath, tickMs: 0, seed: 1, blank });
    try {
      const link = new StoreLink(device);
      return { status: link.call("status"), ping: link.call("ping", { data: Uint8Array.of(7) }), info: link.call("info") };
    } finally {
      device.close();
    }
  };
  const blank = await run(true);
  assert.deepEqual(blank.status.kind === "error" && [blank.status.code, blank.status.msg], [
    "unsupported",
    "device is blank: op not served in this lifecycle state",
  ]);
  assert.equal(blank.ping.kind === "error" && blank.ping.code, "unsupported");
  assert.equal(blank.info.kind, "ok", "ops served in every state still run");
  const demo = await run(false);
  assert.equal(demo.status.kind === "error" && demo.status.code, "unsupported", "status: provisioned only");
  assert.deepEqual(demo.ping.kind === "ok" && demo.ping.body.data, Uint8Array.of(7), "ping runs in the demo state");
});
