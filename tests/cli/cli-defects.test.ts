// Small things a person trips on (issue 14, item 4), each as the user meets it: output piped
// into a reader that closes early, the address `sim --no-pty` suggests, `tapkit nfc --help`,
// and a mistyped option. The ones that need a device are in tests/field/field-cli.test.ts.
import { test } from "vitest";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CLI, ensureCli, startSim, tapkit } from "./cli-helpers.ts";
import { ROOT } from "../../host-tools/src/paths.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

/** Runs the CLI with its stdout's reader gone before it writes (what `| head` does): exit code and stderr. */
function runWithClosedStdout(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  ensureCli();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

test("output into a closed pipe (| head): exit 0, no EPIPE stack trace", async () => {
  for (const args of [
    ["ndef", "build", "--uri", "https://pay.example.com/m/12345", "--title", "Pay here", "--aar", "com.example.pay"],
    ["ndef", "build", "--uri", "https://pay.example.com/m/12345", "--json"],
    ["--help"],
  ]) {
    const r = await runWithClosedStdout(args, { TAPKIT_PORT: "" });
    assert.equal(r.stderr, "", `tapkit ${args.join(" ")} printed on stderr`);
    assert.deepEqual([r.code, r.signal], [0, null], `tapkit ${args.join(" ")}`);
  }
});

test("tapkit nfc --help lists the nfc commands; tapkit nfc and tapkit nfc frob are usage errors that say what exists", async () => {
  const help = await tapkit(["nfc", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^usage: tapkit nfc <command>/m);
  assert.match(help.stdout, /^ {2}nfc apdu {2}send one APDU/m);
  const walletHelp = await tapkit(["wallet", "--help"]);
  assert.equal(walletHelp.code, 0);
  assert.match(walletHelp.stdout, /wallet pay/);
  const bare = await tapkit(["nfc"]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /'tapkit nfc' needs a command: apdu/);
  const wrong = await tapkit(["nfc", "frob", "--json"]);
  assert.equal(wrong.code, 2);
  assert.equal(wrong.json.error.code, "USAGE");
  assert.match(wrong.json.error.message, /unknown command 'tapkit nfc frob'/);
});

test("an unknown option names the option, the command's usage and the nearest option (exit 2), without Node's wording", async () => {
  const r = await tapkit(["info", "--prot", "tcp:127.0.0.1:1"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error: 'tapkit info' has no option '--prot'/);
  assert.match(r.stderr, /hint: did you mean --port\? usage: tapkit info --port PORT/);
  assert.doesNotMatch(r.stderr, /positional argument|Unknown option/);
  const j = await tapkit(["merchant", "set", "--nmae", "CAFE", "--json"]);
  assert.equal(j.code, 2);
  assert.equal(j.json.error.code, "USAGE");
  assert.match(j.json.error.hint, /did you mean --name\?/);
  const noValue = await tapkit(["info", "--port"]);
  assert.equal(noValue.code, 2);
  assert.match(noValue.stderr, /option '--port' of 'tapkit info' needs a value/);
  for (const scale of ["1e0", "0x2", "9", "+2"]) {
    const bad = await tapkit(["scan", "--port", "tcp:127.0.0.1:1", "--scale", scale, "--json"]);
    assert.equal(bad.code, 2, `--scale ${scale} is refused before any device is reached`);
    assert.match(bad.json.error.message, /--scale must be/);
  }
});

test("sim --no-pty suggests tcp:127.0.0.1:PORT, and that exact command works", async () => {
  ensureCli();
  const child = spawn(process.execPath, [CLI, "sim", "--no-pty"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const rl = createInterface({ input: child.stdout! });
    const suggestion = await new Promise<string>((resolve, reject) => {
      rl.on("line", (l) => l.startsWith("try: ") && resolve(l));
      child.on("exit", (code) => reject(new Error(`sim exited with ${code}`)));
    });
    const m = /try: tapkit (info --port (\S+))/.exec(suggestion);
    assert.ok(m, suggestion);
    assert.match(m[2], /^tcp:127\.0\.0\.1:\d+$/);
    const r = await tapkit(["info", "--port", m[2], "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.board, "sim-plaque");
  } finally {
    child.kill("SIGTERM");
  }
});

test("wallet status into a closed pipe: exit 0, no stack trace", async () => {
  const card = await startSim(["--board", "sim-card", "--no-pty"]);
  try {
    const r = await runWithClosedStdout(["wallet", "status", "--port", card.port]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
  } finally {
    await card.stop();
  }
});
