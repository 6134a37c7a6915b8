// The firmware's layers, read from its import graph (host-tools/src/build/firmware-graph.ts):
// no import circles; pure codecs (firmware/codec/**) import only codecs and lib; services
// import no app; wallet and acceptor share formats through codec/ and trust/, never each
// other; op handler modules are reached only through the generated dispatch table.
import { onTestFinished, test } from "vitest";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { importCircles, readFirmwareGraph, type FirmwareGraph } from "../../host-tools/src/build/firmware-graph.ts";
import { OPS } from "../../host-tools/src/ops/index.ts";
import { FIRMWARE_DIR } from "../../host-tools/src/paths.ts";

const graph = readFirmwareGraph(FIRMWARE_DIR);
const top = (m: string) => m.split("/")[0];
const APPS = ["nfc", "emv", "qr", "display", "wallet", "acceptor", "app", "shell", "ops"];
const SERVICES = ["store", "link", "log", "trust", "codec", "lib", "hal"];

function edges(g: FirmwareGraph): [string, string][] {
  return [...g.imports].flatMap(([m, deps]) => deps.map((d) => [m, d] as [string, string]));
}

test("the circle finder finds a planted circle and reports its path", () => {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-graph-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    "a/one.ts": 'import { two } from "../b/two";\nexport const one = 1;\n',
    "b/two.ts": 'import { three } from "./three";\nexport const two = 2;\n',
    "b/three.ts": 'import { one } from "../a/one";\nexport const three = 3;\n',
    "c/alone.ts": 'import { one } from "../a/one";\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  assert.deepEqual(importCircles(readFirmwareGraph(dir)), [["a/one", "b/two", "b/three"]]);
});

test("firmware/ has no import circles", () => {
  assert.ok(graph.modules.length > 90);
  assert.deepEqual(importCircles(graph), []);
});

test("codecs are pure: firmware/codec/** imports only codecs and lib (no HAL, store, link or board)", () => {
  const codecs = graph.modules.filter((m) => top(m) === "codec");
  for (const name of [
    "cbor/cbor-reader",
    "cbor/cbor-writer",
    "cose/cose-sign1",
    "tlv/emv-tlv",
    "ndef/ndef-parse",
    "cobs/cobs",
    "crc/crc32",
    "crc/crc16",
    "voucher/voucher-payload",
  ]) {
    assert.ok(codecs.includes(`codec/${name}`), name);
  }
  for (const [m, d] of edges(graph)) if (top(m) === "codec") assert.match(d, /^(codec|lib)\//, `${m} imports ${d}`);
});

test("services import no app; wallet and acceptor never import each other", () => {
  for (const [m, d] of edges(graph)) {
    if (SERVICES.includes(top(m))) assert.ok(!APPS.includes(top(d)), `service ${m} imports app ${d}`);
    if (top(m) === "wallet") assert.notEqual(top(d), "acceptor", `${m} imports ${d}`);
    if (top(m) === "acceptor") assert.notEqual(top(d), "wallet", `${m} imports ${d}`);
  }
});

test("op handler modules are reached only through the generated dispatch table", () => {
  const handlerModules = new Set<string>(OPS.map((o) => o.handler.module));
  assert.ok(handlerModules.size >= 10);
  for (const [m, d] of edges(graph)) {
    if (handlerModules.has(d) && !handlerModules.has(m)) assert.equal(m, "ops/op-handlers", `${m} imports the handler module ${d}`);
  }
});
