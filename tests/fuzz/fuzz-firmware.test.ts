// The short, deterministic slice of the firmware fuzzing campaign (scripts/fuzz-firmware.mjs
// runs 10,000,000 inputs): every target on every board it applies to, from each set-up state
// (demo, provisioned, locked, blank), about 20,000 inputs. No trap, no hang, only documented status
// words and error codes, no deviation the docs do not allow (none is known any more). Also: the same seed gives the same run; the oracle refuses what the
// docs do not list; and the campaign's op table covers every op the firmware answers.
import { test } from "vitest";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runChunk, STATES, type ChunkSpec } from "../../scripts/fuzz-firmware/campaign.ts";
import { TARGETS, addStats, emptyStats } from "../../scripts/fuzz-firmware/targets.ts";
import { checkApdu, checkFrame, checkT2t, LINK_ERROR_CODES } from "../../scripts/fuzz-firmware/oracle.ts";
import { opSeeds } from "../../scripts/fuzz-firmware/inputs.ts";
import { OPS } from "../../host-tools/src/ops/index.ts";
import { Rig, encodeBody, rawFrame, wire, type BoardName } from "../../scripts/fuzz-firmware/rig.ts";
import { chunkSeed } from "../../scripts/fuzz-firmware/random.ts";
import { cpuHeavyTests } from "../support/long-tests.ts";

cpuHeavyTests();

const PER_CHUNK = 400;

function sliceSpecs(seed: number): ChunkSpec[] {
  return TARGETS.flatMap((t) =>
    (Object.keys(t.boards) as BoardName[]).flatMap((board) =>
      STATES.map((_, chunk) => ({ target: t.name, board, chunk, count: PER_CHUNK, seed: chunkSeed(seed, t.name, board, chunk) })),
    ),
  );
}

test("fuzz slice: every target, board and set-up state; no trap, hang, undocumented code or deviation", async () => {
  const specs = sliceSpecs(7);
  const total = emptyStats();
  const perCell = new Map<string, number>();
  for (const spec of specs) {
    const s = await runChunk(spec);
    addStats(total, s);
    const cell = `${spec.target} ${spec.board}`;
    perCell.set(cell, (perCell.get(cell) ?? 0) + s.ok);
  }
  const bad = total.findings.filter((f) => f.kind !== "known");
  assert.deepEqual(bad, [], "findings");
  assert.deepEqual([total.traps, total.hangs, total.undocumented, total.deviations], [0, 0, 0, 0]);
  assert.equal(total.inputs, specs.length * PER_CHUNK);
  assert.ok(total.inputs >= 20_000, `${total.inputs} inputs`);
  for (const [cell, ok] of perCell) assert.ok(ok > 0, `${cell}: no input reached a success path`);
  // the generators reach deep: signed vouchers, committed Type 2 writes, accepted link requests
  assert.ok((total.codes["9000"] ?? 0) > 500 && (total.codes.ack ?? 0) > 0 && (total.codes.ok ?? 0) > 1000, JSON.stringify(total.codes));
});

test("the same seed replays the same inputs and answers", async () => {
  const spec: ChunkSpec = { target: "link-ops", board: "sim-plaque", chunk: 1, count: 600, seed: 99 };
  const a = await runChunk(spec);
  const b = await runChunk(spec);
  assert.deepEqual(a, b);
  const c = await runChunk({ ...spec, seed: 100 });
  assert.notDeepEqual(a.codes, c.codes, "another seed, other inputs");
});

test("the oracle refuses what the docs do not list", () => {
  assert.match(checkApdu(Uint8Array.of(0x6f, 0x00), false) ?? "", /undocumented status word 6f00/, "6F00 is the wallet's, not the tag's");
  assert.equal(checkApdu(Uint8Array.of(0x6f, 0x00), true), null);
  assert.match(checkApdu(Uint8Array.of(0x01, 0x6a, 0x82), false) ?? "", /data bytes/);
  assert.match(checkApdu(Uint8Array.of(0x7f, 0x69, 0x85), true) ?? "", /undocumented reason/);
  assert.equal(checkApdu(Uint8Array.of(0x06, 0x69, 0x85), true), null);
  assert.match(checkT2t(Uint8Array.of(1, 2)) ?? "", /Type 2 answer/);
  assert.match(checkFrame({ channel: 1, flags: 3, seq: 1, body: { code: "oops", msg: "x" }, unsortedKeys: false }) ?? "", /undocumented error code/);
  assert.match(checkFrame({ channel: 1, flags: 5, seq: 1, body: {}, unsortedKeys: false }) ?? "", /flags 5/);
  assert.equal(LINK_ERROR_CODES.size, 8);
});

function firmwareSources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? firmwareSources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("the campaign's op table has every op the firmware answers, on its channel, and no stale ones", async () => {
  // Candidate names: every string literal in the firmware that could be an op, and every
  // literal ending in '.' (an op family: store., acceptor.) joined with every other.
  const literals = new Set<string>();
  for (const f of firmwareSources("firmware")) for (const m of readFileSync(f, "utf8").matchAll(/"([a-z][a-z0-9_.]{0,23})"/g)) literals.add(m[1]);
  // The firmware matches op names in one table generated from the op catalogue (bytes, not literals).
  for (const o of OPS) literals.add(o.name);
  const prefixes = [...literals].filter((l) => l.endsWith("."));
  const candidates = new Set([...literals, ...prefixes.flatMap((p) => [...literals].map((l) => p + l))]);
  candidates.delete("reset"); // reboots the device; listed in the table, never sent
  candidates.delete("device.wipe"); // erases the set-up; likewise
  const table = new Set(opSeeds().map((o) => `${o.channel}:${o.op}`));
  const found = new Set<string>(["0:reset", "1:device.wipe"]);
  for (const board of ["sim-plaque", "sim-card"] as BoardName[]) {
    const rig = await Rig.boot(board, "provisioned", 3);
    try {
      let seq = 1;
      for (const op of candidates) {
        for (const channel of [0, 1, 2, 3]) {
          rig.device.receive(wire(rawFrame(0x10 | channel, 0, seq++ & 0xffff, encodeBody({ op }))));
          const answers = rig.frames().filter((f) => !(f instanceof Error) && f.flags !== 4) as { flags: number; body: Record<string, unknown> }[];
          const unknown =
            answers.length === 1 && answers[0].flags === 3 && (answers[0].body.code === "unknown-op" || answers[0].body.code === "unknown-channel");
          if (!unknown) found.add(`${channel}:${op}`);
        }
      }
    } finally {
      rig.close();
    }
  }
  assert.deepEqual([...found].filter((o) => !table.has(o)).sort(), [], "ops the firmware answers that the fuzz table lacks");
  assert.deepEqual([...table].filter((o) => !found.has(o)).sort(), [], "ops in the fuzz table that no board answers");
});
