// The op catalogue (host-tools/src/ops/catalogue.ts) against everything generated from it or
// claimed by it: the committed firmware tables and docs are what the generators make now;
// every handler it names is exported by its firmware module; and the real builds serve
// exactly the catalogue's ops per board, answering a request that lacks a required argument
// with bad-arg naming one of them.
import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { CHANNEL, FrameReceiver, encodeFrame } from "../../host-tools/src/link/index.ts";
import { generatedOpModules, servedBy } from "../../host-tools/src/build/op-table.ts";
import { GROUPS, OPS, clientPath } from "../../host-tools/src/ops/index.ts";
import { statesOn } from "../../host-tools/src/ops/schema.ts";
import { withCapabilityTable, withOpTables } from "../../host-tools/src/ops/op-docs.ts";
import { FIRMWARE_DIR, ROOT, firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { StoreLink } from "../../host-tools/src/torture/store-link.ts";

test("names are unique, ids unique per group, every group and handler exists", () => {
  assert.equal(new Set(OPS.map((o) => o.name)).size, OPS.length, "wire names");
  assert.equal(new Set(OPS.map((o) => clientPath(o).join("."))).size, OPS.length, "client method paths");
  assert.equal(new Set(Object.values(GROUPS).map((g) => g.id)).size, Object.keys(GROUPS).length, "group ids");
  for (const [name, g] of Object.entries(GROUPS)) {
    const ids = OPS.filter((o) => o.group === name).map((o) => o.id);
    assert.ok(ids.length > 0, `group ${name} has ops`);
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      ids.map((_, i) => i),
      `group ${name}: op ids 0..n-1`,
    );
    assert.ok(existsSync(join(ROOT, g.owner)), `group ${name}: owner ${g.owner} exists`);
  }
  for (const op of OPS) {
    assert.ok(op.group in GROUPS, `${op.name}: group ${op.group}`);
    const source = readFileSync(join(FIRMWARE_DIR, `${op.handler.module}.ts`), "utf8");
    assert.match(
      source,
      new RegExp(`^export function ${op.handler.export}\\(\\): i32 \\{`, "m"),
      `${op.name}: ${op.handler.module} exports ${op.handler.export}(): i32`,
    );
    assert.ok(op.handler.module.startsWith(`${GROUPS[op.group].owner.replace(/^firmware\//, "")}/`), `${op.name}: handler inside its group's owner folder`);
    assert.ok(op.boards.length > 0 && op.states.length > 0, `${op.name}: served somewhere`);
  }
});

test("the committed firmware op tables are the generator's output (run `npm run build` after editing the catalogue)", () => {
  for (const [module, text] of Object.entries(generatedOpModules())) {
    assert.equal(readFileSync(join(FIRMWARE_DIR, `${module}.ts`), "utf8"), text, `firmware/${module}.ts is stale`);
  }
});

test("docs/link-protocol.md's op tables are the generator's output (node --import tsx scripts/gen-op-docs.ts)", () => {
  const doc = readFileSync(join(ROOT, "docs", "link-protocol.md"), "utf8");
  assert.equal(withOpTables(doc), doc);
  for (const op of OPS) assert.ok(doc.includes(`| \`${op.name}\` | ${op.id} |`), `${op.name} listed`);
});

test("docs/security.md's capability table is the generator's output: the table the firmware enforces is the one documented", () => {
  const doc = readFileSync(join(ROOT, "docs", "security.md"), "utf8");
  assert.equal(withCapabilityTable(doc), doc);
  assert.ok(!/Capabilities per board and lifecycle state \(draft/.test(doc), "the table is no longer a draft");
});

/** Every op with no arguments: the answer's code, or "ok". */
function answers(link: StoreLink, names: readonly string[]): Map<string, { code: string; msg: string }> {
  const out = new Map<string, { code: string; msg: string }>();
  for (const name of names) {
    const a = link.callByName(name as (typeof OPS)[number]["name"], {});
    assert.notEqual(a.kind, "lost", `${name}: no answer`);
    out.set(name, a.kind === "error" ? { code: a.code, msg: a.msg } : { code: "ok", msg: "" });
  }
  return out;
}

for (const boardName of ["sim-plaque", "sim-card"]) {
  test(`${boardName}: serves exactly the catalogue's ops for its mode; missing required arguments are bad-arg naming one`, async () => {
    const board = loadBoard(boardName);
    const device = await SimDevice.create({ board, wasm: firmwarePath(boardName), tickMs: 0, seed: 3, blank: true });
    try {
      const link = new StoreLink(device);
      // reset last: it reboots the device once its answer is out
      const names = [...OPS.map((o) => o.name).filter((n) => n !== "reset"), "reset"];
      const got = answers(link, names);
      const served = new Set(servedBy(board.mode).map((o) => o.name));
      assert.ok(served.size > 20);
      for (const op of OPS) {
        const a = got.get(op.name)!;
        if (!served.has(op.name)) {
          assert.equal(a.code, "unknown-op", `${op.name} is not a ${board.mode}'s op`);
          continue;
        }
        assert.notEqual(a.code, "unknown-op", `${op.name} is a ${board.mode}'s op`);
        if (!statesOn(op, board.mode).includes("blank")) {
          assert.deepEqual(
            [a.code, a.msg],
            ["unsupported", "device is blank: op not served in this lifecycle state"],
            `${op.name} is not served on a blank ${board.mode}`,
          );
          continue;
        }
        const required = Object.entries(op.args)
          .filter(([, s]) => "required" in s && s.required)
          .map(([k]) => k);
        if (required.length === 0) continue;
        assert.equal(a.code, "bad-arg", `${op.name} without ${required.join(", ")}: ${a.code} ${a.msg}`);
        const named = a.msg.split(/[ :(]/)[0];
        assert.ok(required.includes(named), `${op.name}: "${a.msg}" names a required argument (${required.join(", ")})`);
      }
      // names no board knows, on every op channel (a prefix or an extension of a real one too)
      const receiver = new FrameReceiver({ maxFrame: board.link.maxFrame });
      const frames: { seq: number; body: Record<string, unknown> }[] = [];
      device.on("uart", (b: Uint8Array) => frames.push(...receiver.push(b)));
      let seq = 100;
      for (const channel of [CHANNEL.SHELL, CHANNEL.APP, CHANNEL.NFC_TEST]) {
        for (const op of ["no-such-op", "qr.amounts", "store.", "hell", ""]) {
          device.receive(encodeFrame({ channel, flags: 0, seq: ++seq, body: { op } }));
          assert.equal(frames.find((f) => f.seq === seq)?.body.code, "unknown-op", `channel ${channel} op ${JSON.stringify(op)}`);
        }
      }
    } finally {
      device.close();
    }
  });
}
