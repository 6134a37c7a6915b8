// The tap replay store (issue 16, finding 2): acceptance is one atomic step across processes.
// Real child processes verify the same firmware-made URL at the same instant, many times:
// exactly one accepts each time. An older tap after a newer one is refused even when the two
// verifiers opened the store at different times. Malformed stores are refused, not trusted.
// Stale locks left by a killed verifier are recovered; a live lock is waited for.
import { test } from "vitest";
import assert from "node:assert/strict";
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReplayStore, verifyTapUrl, type TagKeys } from "../../host-tools/src/verify/index.ts";
import { FILE, META, keyedTag, tap } from "./tap-fixture.ts";
import { longTests } from "../support/long-tests.ts";
import type { TapkitError } from "../../host-tools/src/errors/index.ts";

// child processes start through tsx: seconds each on a busy machine
longTests();

const TEMPLATE = "https://pay.example.com/t?p={picc}&c={mac}";
const KEYS: TagKeys[] = [{ name: "plaque-1", template: TEMPLATE, mode: "sun", metaKey: META, fileKey: FILE }];
const sunTag = () => keyedTag(TEMPLATE);

function tempDir(t: { onTestFinished(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-replay-"));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function startWorker(): Promise<ChildProcess> {
  const child = fork(new URL("./replay-race-worker.ts", import.meta.url).pathname, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function answer(child: ChildProcess): Promise<{ accepted: boolean; code?: string }> {
  return new Promise((resolve) => child.once("message", resolve as never));
}

test("two verifier processes given the same URL at the same instant: exactly one accepts, 40 times out of 40", async (t) => {
  const dir = tempDir(t);
  const tag = await sunTag();
  t.onTestFinished(() => tag.close());
  const workers = await Promise.all([startWorker(), startWorker()]);
  t.onTestFinished(() => workers.forEach((w) => void w.kill()));
  const replayPath = join(dir, "replay.json");
  const rounds = 40;
  const outcomes: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const url = await tap(tag);
    const at = Date.now() + 30;
    const answers = workers.map((w) => answer(w));
    for (const w of workers) w.send({ url, keys: KEYS, replayPath, at });
    const got = await Promise.all(answers);
    outcomes.push(
      got
        .map((g) => (g.accepted ? "ok" : g.code))
        .sort()
        .join("+"),
    );
  }
  const bothAccepted = outcomes.filter((o) => o === "ok+ok").length;
  assert.equal(bothAccepted, 0, `both processes accepted the same URL in ${bothAccepted} of ${rounds} rounds`);
  assert.deepEqual(new Set(outcomes), new Set(["REPLAY+ok"]), `every round: one accepts, the other sees REPLAY (${outcomes.join(", ")})`);
  assert.deepEqual(JSON.parse(readFileSync(replayPath, "utf8")), { "plaque-1:04A1B2C3D4E5F6": rounds });
  assert.equal(existsSync(`${replayPath}.lock`), false, "no lock left behind");
});

test("an older tap after a newer one is refused, even by a verifier that opened the store before the newer one landed", async (t) => {
  const dir = tempDir(t);
  const tag = await sunTag();
  t.onTestFinished(() => tag.close());
  const path = join(dir, "replay.json");
  const urls = [await tap(tag), await tap(tag), await tap(tag)];
  // Two verifiers (as two processes would) open the store while it is empty.
  const early = new ReplayStore(path);
  const late = new ReplayStore(path);
  assert.equal(verifyTapUrl(urls[2], KEYS, late).counter, 3);
  assert.throws(
    () => verifyTapUrl(urls[0], KEYS, early),
    (e: TapkitError) => e.code === "REPLAY" && /not above the last accepted 3/.test(e.message),
  );
  assert.throws(
    () => verifyTapUrl(urls[1], KEYS, new ReplayStore(path)),
    (e: TapkitError) => e.code === "REPLAY",
  );
  // the newer counter survived: replaying the newest URL is still refused
  assert.throws(
    () => verifyTapUrl(urls[2], KEYS, early),
    (e: TapkitError) => e.code === "REPLAY",
  );
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { "plaque-1:04A1B2C3D4E5F6": 3 });
  // another tag's entry written by one verifier is kept by the other's later write
  writeFileSync(path, JSON.stringify({ "plaque-1:04A1B2C3D4E5F6": 3, "other:04000000000000": 9 }));
  const url4 = await tap(tag);
  assert.equal(verifyTapUrl(url4, KEYS, early).counter, 4);
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { "plaque-1:04A1B2C3D4E5F6": 4, "other:04000000000000": 9 });
});

test("malformed replay stores are refused with a reason and a hint, never trusted", async (t) => {
  const dir = tempDir(t);
  const tag = await sunTag();
  t.onTestFinished(() => tag.close());
  const url = await tap(tag);
  const cases: [string, string, RegExp][] = [
    ["array", "[]", /found an array/],
    ["null", "null", /found null/],
    ["string", '"x"', /found a string/],
    ["number", "5", /found a number/],
    ["string counter", '{"plaque-1:04A1B2C3D4E5F6": "99"}', /counter "99"/],
    ["negative counter", '{"plaque-1:04A1B2C3D4E5F6": -1}', /counter -1/],
    ["fractional counter", '{"plaque-1:04A1B2C3D4E5F6": 1.5}', /counter 1.5/],
    ["null counter", '{"a": null}', /counter null/],
    ["nested", '{"a": {"b": 1}}', /counter \{"b":1\}/],
    ["truncated", '{"plaque-1:04A1B2C3D4E5F6": 1', /not valid JSON/],
    ["empty", "", /is empty/],
  ];
  for (const [name, text, why] of cases) {
    const path = join(dir, `${name.replace(/ /g, "-")}.json`);
    writeFileSync(path, text);
    assert.throws(
      () => new ReplayStore(path),
      (e: TapkitError) => e.code === "REPLAY_STORE_CORRUPT" && why.test(e.message) && /backup/.test(e.hint),
      name,
    );
    // a store that went bad after it was opened is refused at acceptance too
    const good = join(dir, `later-${name.replace(/ /g, "-")}.json`);
    writeFileSync(good, "{}");
    const store = new ReplayStore(good);
    writeFileSync(good, text);
    assert.throws(
      () => verifyTapUrl(url, KEYS, store),
      (e: TapkitError) => e.code === "REPLAY_STORE_CORRUPT",
      `${name}, at accept`,
    );
    assert.equal(readFileSync(good, "utf8"), text, `${name}: the bad file is left for the operator to inspect`);
  }
  assert.throws(
    () => new ReplayStore(dir),
    (e: TapkitError) => e.code === "REPLAY_STORE_CORRUPT" && /directory/.test(e.message),
  );
});

test("a lock left by a killed verifier is recovered; a live one is waited for", async (t) => {
  const dir = tempDir(t);
  const tag = await sunTag();
  t.onTestFinished(() => tag.close());
  const path = join(dir, "replay.json");
  // a pid that existed and is gone now
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: Number(dead), host: (await import("node:os")).hostname(), token: "dead-owner" }));
  assert.equal(verifyTapUrl(await tap(tag), KEYS, new ReplayStore(path)).counter, 1);
  assert.equal(existsSync(`${path}.lock`), false);
  // A live holder (this test process, pretending to be another verifier) releases after 300 ms.
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.ppid, host: (await import("node:os")).hostname(), token: "live-owner" }));
  const worker = await startWorker();
  t.onTestFinished(() => void worker.kill());
  const url = await tap(tag);
  const started = Date.now();
  const got = answer(worker);
  worker.send({ url, keys: KEYS, replayPath: path, at: 0 });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(statSync(path).size > 0 && JSON.parse(readFileSync(path, "utf8"))["plaque-1:04A1B2C3D4E5F6"], 1, "nothing written while the lock is held");
  rmSync(`${path}.lock`);
  assert.deepEqual(await got, { accepted: true, counter: 2 });
  assert.ok(Date.now() - started >= 300);
});
