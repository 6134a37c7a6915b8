// The wallet CLI end to end on files: issuer init, verify voucher (ok and refused, exit
// codes, --json), settle a directory with findings. The card part (wallet pay, info) runs
// against a simulated card served on TCP.
import { test } from "vitest";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../../host-tools/src/paths.ts";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { bundleBytes, testCard, testIssuer } from "./wallet-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const run = promisify(execFile);
const CLI = join(ROOT, "dist", "tapkit.mjs");

async function tapkit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { encoding: "utf8" });
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test("verify voucher and settle from the command line", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-wallet-cli-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const issuer = testIssuer();
  const card = testCard(issuer);
  const rootHex = toHex(issuer.root.publicKey);
  writeFileSync(join(dir, "root.pub"), rootHex + "\n");
  const good = join(dir, "good.voucher");
  writeFileSync(good, bundleBytes(card));
  let r = await tapkit("verify", "voucher", good, "--root", join(dir, "root.pub"), "--json");
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.valid, true);
  assert.equal(j.amount, 250);
  r = await tapkit("verify", "voucher", good, "--root", rootHex, "--challenge", "00".repeat(16));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /another challenge/);
  assert.match(r.stderr, /hint:/);
  r = await tapkit("verify", "voucher", good);
  assert.equal(r.code, 2);

  const batch = join(dir, "batch");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(batch);
  writeFileSync(join(batch, "a"), readFileSync(good));
  writeFileSync(join(batch, "a-copy"), readFileSync(good));
  writeFileSync(join(batch, "b"), bundleBytes(card, { counter: 2, challenge: new Uint8Array(16).fill(2) }));
  r = await tapkit("settle", batch, "--root", rootHex, "--json");
  assert.equal(r.code, 1);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.accepted, 2);
  assert.deepEqual(rep.totals, { "shop-42": { EUR: 500 } });
  assert.deepEqual(
    rep.findings.map((f: { kind: string }) => f.kind),
    ["duplicate"],
  );

  r = await tapkit("issuer", "init", join(dir, "iss"), "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).root, readFileSync(join(dir, "iss", "root.pub"), "utf8").trim());
  r = await tapkit("issuer", "init", join(dir, "iss"));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already holds an issuer root/);
});

/** A simulated card served on TCP and a scratch directory, both gone after the test. */
async function simulatedCard(t: { onTestFinished(fn: () => Promise<void>): void }, prefix: string): Promise<{ port: string; dir: string }> {
  const { startSimulator } = await import("../../host-tools/src/sim/run.ts");
  const { board } = await import("./card-fixture.ts");
  const { firmwarePath } = await import("../../host-tools/src/paths.ts");
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sim = await startSimulator({ board: board("sim-card"), wasmPath: firmwarePath("sim-card"), tcpPort: 0, baud: 921600 });
  t.onTestFinished(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { port: `tcp:127.0.0.1:${sim.ports.tcp}`, dir };
}

test("bench flow against a simulated card: issuer certify, wallet pay, verify voucher, info --json", async (t) => {
  const { port, dir } = await simulatedCard(t, "tapkit-wallet-bench-");
  const iss = join(dir, "iss");
  assert.equal((await tapkit("issuer", "init", iss)).code, 0);
  let r = await tapkit("issuer", "certify", "--port", port, "--issuer", iss, "--currency", "EUR", "--balance", "10000", "--pin", "1234", "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = join(dir, "v1.voucher");
  r = await tapkit("wallet", "pay", "--port", port, "--amount", "250", "--currency", "EUR", "--payee", "shop-42", "--out", out, "--json");
  assert.equal(r.code, 0, r.stderr);
  const pay = JSON.parse(r.stdout);
  r = await tapkit("verify", "voucher", out, "--root", join(iss, "root.pub"), "--challenge", pay.challenge, "--payee", "shop-42", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).balanceAfter, 9_750);
  // issue 16, finding 3: --out that cannot take the bundle is refused before the card signs
  const kept = readFileSync(out);
  for (const bad of [out, "/dev/full", dir, join(dir, "missing", "v.voucher")]) {
    r = await tapkit("wallet", "pay", "--port", port, "--amount", "250", "--currency", "EUR", "--payee", "shop-42", "--out", bad);
    assert.equal(r.code, 2, `--out ${bad}: ${r.stderr}`);
    assert.match(r.stderr, /hint:/);
  }
  assert.deepEqual(readFileSync(out), kept, "the existing voucher file is intact");
  // a payment printed but never saved stays on the card until `wallet recover` saves it
  r = await tapkit("wallet", "pay", "--port", port, "--amount", "100", "--currency", "EUR", "--payee", "shop-42", "--json");
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout).voucher;
  const recovered = join(dir, "v2.voucher");
  r = await tapkit("wallet", "recover", "--port", port, "--out", recovered, "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([JSON.parse(r.stdout).recovered, JSON.parse(r.stdout).counter, JSON.parse(r.stdout).voucher], [true, 2, printed]);
  r = await tapkit("verify", "voucher", recovered, "--root", join(iss, "root.pub"), "--json");
  assert.equal(r.code, 0, r.stderr);
  r = await tapkit("wallet", "recover", "--port", port, "--out", join(dir, "v3.voucher"), "--json");
  assert.equal(JSON.parse(r.stdout).recovered, false, "acknowledged: nothing left to recover");
  r = await tapkit("wallet", "pay", "--port", port, "--amount", "999999", "--currency", "EUR", "--payee", "shop-42");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /per-payment cap|balance too low/);
  r = await tapkit("info", "--port", port, "--json");
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.wallet.pub.length, 64);
  assert.equal(info.wallet.chain.length, 2);
  assert.equal(info.wallet.ctr, 2, "the four refused --out attempts signed nothing");
});

test("plaque acceptor from the command line: plaque-setup, accept (plain and PayWord), export --clear, settle", async (t) => {
  const { startSimulator } = await import("../../host-tools/src/sim/run.ts");
  const { board } = await import("./card-fixture.ts");
  const { firmwarePath } = await import("../../host-tools/src/paths.ts");
  const dir = mkdtempSync(join(tmpdir(), "tapkit-acceptor-cli-"));
  const cardSim = await startSimulator({ board: board("sim-card"), wasmPath: firmwarePath("sim-card"), tcpPort: 0, baud: 921600 });
  const plaqueSim = await startSimulator({ board: board("sim-plaque"), wasmPath: firmwarePath("sim-plaque"), tcpPort: 0, baud: 921600 });
  t.onTestFinished(async () => {
    await cardSim.stop();
    await plaqueSim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const card = `tcp:127.0.0.1:${cardSim.ports.tcp}`;
  const plaque = `tcp:127.0.0.1:${plaqueSim.ports.tcp}`;
  const iss = join(dir, "iss");
  assert.equal((await tapkit("issuer", "init", iss)).code, 0);
  assert.equal((await tapkit("issuer", "certify", "--port", card, "--issuer", iss, "--currency", "EUR", "--balance", "10000", "--pin", "1234")).code, 0);
  let r = await tapkit("wallet", "accept", "--card", card, "--plaque", plaque, "--amount", "250");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no issuer root/);
  assert.match(r.stderr, /plaque-setup/);
  r = await tapkit("wallet", "plaque-setup", "--plaque", plaque, "--root", join(iss, "root.pub"), "--payee", "shop-42", "--currency", "EUR");
  assert.equal(r.code, 0, r.stderr);
  r = await tapkit("wallet", "accept", "--card", card, "--plaque", plaque, "--amount", "250", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([JSON.parse(r.stdout).slot, JSON.parse(r.stdout).counter], [0, 1]);
  r = await tapkit("wallet", "accept", "--card", card, "--plaque", plaque, "--unit", "5", "--length", "40", "--taps", "3", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).units, 3);
  const up = join(dir, "up");
  r = await tapkit("wallet", "export", "--plaque", plaque, "--out", up, "--clear", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([JSON.parse(r.stdout).files.length, JSON.parse(r.stdout).cleared], [2, 2]);
  r = await tapkit("settle", up, "--root", join(iss, "root.pub"), "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).totals, { "shop-42": { EUR: 250 + 15 } });
});

test("issuer sync from the command line against a simulated card: resets the cap, tops up, refuses a foreign issuer", async (t) => {
  const { port, dir } = await simulatedCard(t, "tapkit-wallet-sync-");
  const iss = join(dir, "iss");
  assert.equal((await tapkit("issuer", "init", iss)).code, 0);
  assert.equal((await tapkit("issuer", "init", join(dir, "other"))).code, 0);
  let r = await tapkit("issuer", "certify", "--port", port, "--issuer", iss, "--currency", "EUR", "--balance", "10000", "--pin", "1234");
  assert.equal(r.code, 0, r.stderr);
  // default envelope: cumulative 5000 per sync
  for (const amount of ["2000", "2000", "1000"])
    assert.equal((await tapkit("wallet", "pay", "--port", port, "--amount", amount, "--currency", "EUR", "--payee", "shop-42")).code, 0);
  r = await tapkit("wallet", "pay", "--port", port, "--amount", "1", "--currency", "EUR", "--payee", "shop-42");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cumulative cap/);
  r = await tapkit("issuer", "sync", "--port", port, "--issuer", iss, "--per", "100");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--cumulative/);
  r = await tapkit("issuer", "sync", "--port", port, "--issuer", iss, "--settled-counter", "4");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /settled counter above/);
  assert.match(r.stderr, /hint:/);
  r = await tapkit("issuer", "sync", "--port", port, "--issuer", join(dir, "other"));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not signed by this card's batch key/);
  r = await tapkit("issuer", "sync", "--port", port, "--issuer", iss, "--top-up", "3000", "--settled-counter", "3", "--json");
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual([s.epochBefore, s.epoch, s.balanceBefore, s.balance, s.counter], [0, 1, 5_000, 8_000, 3]);
  assert.ok(s.tokenBytes > 80 && s.tokenBytes <= 255, String(s.tokenBytes));
  r = await tapkit("wallet", "pay", "--port", port, "--amount", "250", "--currency", "EUR", "--payee", "shop-42", "--out", join(dir, "after.voucher"));
  assert.equal(r.code, 0, r.stderr);
  r = await tapkit("verify", "voucher", join(dir, "after.voucher"), "--root", join(iss, "root.pub"), "--json");
  assert.equal(JSON.parse(r.stdout).epoch, 1);
  r = await tapkit("issuer", "sync", "--port", port, "--issuer", iss);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /epoch 1 -> 2, balance 7750 -> 7750/);
  r = await tapkit("issuer", "sync", "--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--settled-counter/);
});
