// The owner's commands against a simulated card served on TCP (the bench path of
// `wallet pay`): status, log, limits, fund, close, pin — balances move, a payment above
// the limits is refused with its reason, a wrong PIN costs a try and says how many are
// left, a blocked PIN says so, and the log lists the entries in order with their kinds.
import { test } from "vitest";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, firmwarePath } from "../../host-tools/src/paths.ts";
import { startSimulator } from "../../host-tools/src/sim/run.ts";
import { board } from "./card-fixture.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const CLI = join(ROOT, "dist", "tapkit.mjs");

function tapkit(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin ?? "");
  });
}

async function certifiedCard(t: { onTestFinished(fn: () => Promise<void>): void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-wallet-owner-"));
  const sim = await startSimulator({ board: board("sim-card"), wasmPath: firmwarePath("sim-card"), tcpPort: 0, baud: 921600 });
  t.onTestFinished(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = `tcp:127.0.0.1:${sim.ports.tcp}`;
  const iss = join(dir, "iss");
  assert.equal((await tapkit(["issuer", "init", iss])).code, 0);
  const r = await tapkit(["issuer", "certify", "--port", port, "--issuer", iss, "--currency", "EUR", "--balance", "10000", "--pin", "1234"]);
  assert.equal(r.code, 0, r.stderr);
  return port;
}

async function status(port: string) {
  const r = await tapkit(["wallet", "status", "--port", port, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("owner flow from the CLI: fund, pay from the sub-wallet, limits refuse with the reason, close, log in order", async (t) => {
  const port = await certifiedCard(t);
  let s = await status(port);
  assert.deepEqual(
    s.balances.map((b: { balance: number }) => b.balance),
    [10_000, 0, 0, 0],
  );
  assert.deepEqual([s.counter, s.epoch, s.pinTriesLeft, s.pinBlocked, s.currency], [0, 0, 3, false, "EUR"]);
  assert.deepEqual(s.envelope, { maxBalance: 50_000, perPayment: 2_000, cumulative: 5_000, maxCount: 10 });

  let r = await tapkit(["wallet", "fund", "--port", port, "--sub", "1", "--amount", "3000", "--pin", "1234", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).balances.slice(0, 2), [
    { sub: 0, open: true, balance: 7_000 },
    { sub: 1, open: true, balance: 3_000 },
  ]);
  r = await tapkit(["wallet", "pay", "--port", port, "--amount", "400", "--currency", "EUR", "--payee", "shop-42", "--sub", "1"]);
  assert.equal(r.code, 0, r.stderr);
  s = await status(port);
  assert.deepEqual(
    s.balances.map((b: { balance: number }) => b.balance),
    [7_000, 2_600, 0, 0],
  );
  assert.equal(s.counter, 1);

  // limits: the PIN from stdin; a payment above the per-payment limit is refused with its reason
  r = await tapkit(
    ["wallet", "limits", "--port", port, "--sub", "1", "--per", "300", "--cumulative", "1000", "--max-count", "5", "--pin", "-", "--json"],
    "1234\n",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { sub: 1, perPayment: 300, cumulative: 1000, maxCount: 5 });
  // status reads the caps back (GET DATA 04) with what was used since the last sync
  s = await status(port);
  assert.deepEqual(s.balances[1], { sub: 1, open: true, balance: 2_600, perPayment: 300, cumulative: 1000, maxCount: 5, spent: 400, count: 1 });
  assert.deepEqual(s.limits, { maxBalance: 50_000, perPayment: 2_000, cumulative: 5_000, maxCount: 10, spent: 400, count: 1 });
  assert.deepEqual([s.balances[0].spent, s.balances[0].count, s.balances[0].perPayment], [0, 0, 2_000]);
  r = await tapkit(["wallet", "pay", "--port", port, "--amount", "301", "--currency", "EUR", "--payee", "shop-42", "--sub", "1"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /above the per-payment cap/);
  assert.match(r.stderr, /hint: .*wallet limits/);
  r = await tapkit(["wallet", "pay", "--port", port, "--amount", "300", "--currency", "EUR", "--payee", "shop-42", "--sub", "1"]);
  assert.equal(r.code, 0, r.stderr);
  // above the issuer envelope: refused by the card with reason 22
  r = await tapkit(["wallet", "limits", "--port", port, "--sub", "1", "--per", "2001", "--cumulative", "1000", "--max-count", "5", "--pin", "1234"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /limit above the issuer envelope \(reason 22\)/);
  r = await tapkit(["wallet", "fund", "--port", port, "--sub", "2", "--amount", "99999", "--pin", "1234"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not enough balance to move \(reason 23\)/);
  assert.match(r.stderr, /hint: .*wallet status/);

  r = await tapkit(["wallet", "close", "--port", port, "--sub", "1", "--pin", "1234", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).moved, 2_300);
  s = await status(port);
  assert.deepEqual(
    s.balances.map((b: { open: boolean; balance: number }) => [b.open, b.balance]),
    [
      [true, 9_300],
      [false, 0],
      [false, 0],
      [false, 0],
    ],
  );
  assert.equal(s.total, 10_000 - 700);
  r = await tapkit(["wallet", "close", "--port", port, "--sub", "1", "--pin", "1234"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /sub-wallet closed or unknown \(reason 21\)/);

  r = await tapkit(["wallet", "log", "--port", port, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const entries = JSON.parse(r.stdout).entries as {
    seq: number;
    kind: string;
    subWallet: number;
    amount: number;
    balanceAfter: number;
    counter: number;
    payee: string;
  }[];
  assert.deepEqual(
    entries.map((e) => [e.seq, e.kind, e.subWallet, e.amount, e.balanceAfter]),
    [
      [0, "provision", 0, 10_000, 10_000],
      [1, "fund", 1, 3_000, 3_000],
      [2, "payment", 1, 400, 2_600],
      [3, "payment", 1, 300, 2_300],
      [4, "close", 1, 2_300, 0],
    ],
  );
  assert.deepEqual([entries[2].counter, entries[3].counter, entries[2].payee], [1, 2, "shop-42"]);
  r = await tapkit(["wallet", "log", "--port", port, "--count", "2"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /seq\s+kind/);
  assert.match(r.stdout, /3\s+payment[\s\S]*4\s+close/);
  assert.doesNotMatch(r.stdout, /provision/);
  r = await tapkit(["wallet", "status", "--port", port]);
  assert.match(r.stdout, /counter 2, epoch 0, PIN 3 tries left/);
  assert.match(r.stdout, /0 \(main\)\s+open\s+9300/);
});

test("PIN from the CLI: a wrong PIN costs a try and says how many are left, the right one restores them, change, blocked", async (t) => {
  const port = await certifiedCard(t);
  // malformed PINs are not sent (the card would count them as tries)
  let r = await tapkit(["wallet", "fund", "--port", port, "--sub", "1", "--amount", "1", "--pin", "12a4"]);
  assert.equal(r.code, 2);
  assert.equal((await status(port)).pinTriesLeft, 3);
  r = await tapkit(["wallet", "fund", "--port", port, "--sub", "1", "--amount", "100", "--pin", "9999"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /wrong PIN: 2 tries left/);
  assert.match(r.stderr, /hint: /);
  let s = await status(port);
  assert.deepEqual([s.pinTriesLeft, s.balances[1].balance], [2, 0]);
  r = await tapkit(["wallet", "fund", "--port", port, "--sub", "1", "--amount", "100", "--pin", "9999", "--json"]);
  assert.equal(r.code, 1);
  const wrong = JSON.parse(r.stdout).error;
  assert.match(wrong.message, /wrong PIN: 1 try left/);
  // scripts read the tries from the card's answer, not from the text
  assert.deepEqual([wrong.code, wrong.exit, wrong.details], ["PIN_WRONG", 1, { triesLeft: 1 }]);
  r = await tapkit(["wallet", "pin", "--port", port, "--pin", "-", "--new", "-"], "1234\n24680\n");
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await status(port)).pinTriesLeft, 3);
  r = await tapkit(["wallet", "fund", "--port", port, "--sub", "1", "--amount", "100", "--pin", "1234"]);
  assert.match(r.stderr, /wrong PIN: 2 tries left/);
  r = await tapkit(["wallet", "fund", "--port", port, "--sub", "1", "--amount", "100", "--pin", "24680"]);
  assert.equal(r.code, 0, r.stderr);
  for (const left of ["2 tries", "1 try"]) {
    r = await tapkit(["wallet", "close", "--port", port, "--sub", "1", "--pin", "0000"]);
    assert.match(r.stderr, new RegExp(`wrong PIN: ${left} left`));
  }
  r = await tapkit(["wallet", "close", "--port", port, "--sub", "1", "--pin", "0000"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /PIN is blocked/);
  s = await status(port);
  assert.deepEqual([s.pinTriesLeft, s.pinBlocked], [0, true]);
  r = await tapkit(["wallet", "close", "--port", port, "--sub", "1", "--pin", "24680"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /PIN is blocked/);
  assert.match(r.stderr, /payments .*keep working/);
  r = await tapkit(["wallet", "status", "--port", port]);
  assert.match(r.stdout, /PIN BLOCKED/);
  // payments need no PIN
  r = await tapkit(["wallet", "pay", "--port", port, "--amount", "50", "--currency", "EUR", "--payee", "shop-42", "--sub", "1"]);
  assert.equal(r.code, 0, r.stderr);
  for (const cmd of ["status", "log", "limits", "fund", "close", "pin"]) {
    r = await tapkit(["wallet", cmd, "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--reader/);
    assert.match(r.stdout, new RegExp(`tapkit wallet ${cmd} --`));
  }
});
