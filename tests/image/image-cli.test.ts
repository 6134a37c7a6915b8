// tapkit image keygen | sign | inspect | verify and tapkit build --sign as users run them
// (the bundled CLI in a child process): round trips for both algorithms, --json documents,
// refusals with reason and hint, and exit codes as in the README's table.
import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tapkit } from "../cli/cli-helpers.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { builtModule, tempDir } from "./image-fixture.ts";
import { longTests } from "../support/long-tests.ts";

// Each test starts the CLI a dozen times: over 60 s beside other files on 2 cores.
longTests();

test("keygen, sign, inspect and verify round trip (--json); P-256 goes through build --sign below", async (t) => {
  const dir = tempDir(t);
  await builtModule("sim-plaque");
  const key = join(dir, "release.pem");
  const k = await tapkit(["image", "keygen", key, "--json"]);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(k.json.publicKeyFile, join(dir, "release.pub.pem"));
  assert.equal(statSync(key).mode & 0o777, 0o600);
  const out = join(dir, "fw.tki");
  const s = await tapkit([
    "image",
    "sign",
    firmwarePath("sim-plaque"),
    "--key",
    key,
    "--board",
    "sim-plaque",
    "--version",
    "1.4.0",
    "--security-counter",
    "3",
    "--out",
    out,
    "--json",
  ]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.json.kid, k.json.kid);
  assert.equal(s.json.imageBytes, readFileSync(out).length);
  assert.equal(s.json.imageBytes - s.json.moduleBytes, s.json.overheadBytes);
  assert.equal(s.json.overheadBytes, 192);
  const i = await tapkit(["image", "inspect", out, "--json"]);
  assert.equal(i.code, 0, i.stdout);
  assert.equal(i.json.signatureChecked, false);
  assert.equal(i.json.manifest.fields.version, "1.4.0");
  assert.equal(i.json.manifest.fields.securityCounter, 3);
  assert.equal(i.json.moduleHashMatches, true);
  const v = await tapkit(["image", "verify", out, "--key", k.json.publicKeyFile, "--board", "sim-plaque", "--min-security-counter", "3", "--json"]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.equal(v.json.valid, true);
  assert.equal(v.json.alg, -8);
  assert.equal(v.json.maxImageBytes, 122880);
});

test("verify refusals exit 1 with code, reason and hint; usage errors exit 2", async (t) => {
  const dir = tempDir(t);
  await builtModule("sim-plaque");
  const key = join(dir, "k.pem");
  assert.equal((await tapkit(["image", "keygen", key])).code, 0);
  const good = join(dir, "good.tki");
  assert.equal((await tapkit(["image", "sign", firmwarePath("sim-plaque"), "-k", key, "-b", "sim-plaque", "--version", "0.1.0", "-o", good])).code, 0);
  const bad = join(dir, "bad.tki");
  const bytes = readFileSync(good);
  bytes[bytes.length - 5] ^= 1;
  writeFileSync(bad, bytes);
  const human = await tapkit(["image", "verify", bad, "--key", join(dir, "k.pub.pem")]);
  assert.equal(human.code, 1);
  assert.match(human.stderr, /error: the module's SHA-256 is [0-9a-f]{64}, the manifest signs/);
  assert.match(human.stderr, /hint: /);
  const json = await tapkit(["image", "verify", bad, "--key", join(dir, "k.pub.pem"), "--json"]);
  assert.equal(json.code, 1);
  assert.equal(json.json.error.code, "IMAGE_HASH_MISMATCH");
  // inspect shows the damage and exits 1
  const ins = await tapkit(["image", "inspect", bad, "--json"]);
  assert.equal(ins.code, 1);
  assert.equal(ins.json.moduleHashMatches, false);
  // usage (exit 2): no key, a version the library refuses, a counter without --sign
  assert.equal((await tapkit(["image", "verify", good])).code, 2);
  const version = await tapkit(["image", "sign", firmwarePath("sim-plaque"), "-k", key, "-b", "sim-plaque", "--version", "1.2.3-rc.1"]);
  assert.equal(version.code, 2);
  assert.match(version.stderr, /not MAJOR\.MINOR\.PATCH/);
  assert.equal((await tapkit(["build", "--security-counter", "2"])).code, 2);
  // unknown board: 9, as every board-file error
  assert.equal((await tapkit(["image", "sign", firmwarePath("sim-plaque"), "-k", key, "-b", "no-such-board", "--version", "1.0.0"])).code, 9);
});

test("sign refuses a broken module (exit 8), a module built for another board, and keygen a planted link", async (t) => {
  const dir = tempDir(t);
  await builtModule("sim-card");
  const key = join(dir, "k.pem");
  assert.equal((await tapkit(["image", "keygen", key])).code, 0);
  const cut = join(dir, "cut.wasm");
  writeFileSync(cut, readFileSync(firmwarePath("sim-plaque")).subarray(0, 1000));
  const broken = await tapkit(["image", "sign", cut, "-k", key, "-b", "sim-plaque", "--version", "1.0.0", "--json"]);
  assert.equal(broken.code, 8);
  assert.equal(broken.json.error.code, "BUILD_NOT_WASM");
  assert.equal(existsSync(join(dir, "cut.tki")), false);
  const other = await tapkit([
    "image",
    "sign",
    firmwarePath("sim-card"),
    "-k",
    key,
    "-b",
    "sim-plaque",
    "--version",
    "1.0.0",
    "--out",
    join(dir, "x.tki"),
    "--json",
  ]);
  assert.equal(other.code, 1);
  assert.equal(other.json.error.code, "IMAGE_WRONG_BOARD");
  assert.match(other.json.error.message, /built for board sim-card/);
  const victim = join(dir, "victim");
  writeFileSync(victim, "untouched");
  symlinkSync(victim, join(dir, "planted.pem"));
  const planted = await tapkit(["image", "keygen", join(dir, "planted.pem"), "--force", "--json"]);
  assert.equal(planted.code, 1);
  assert.equal(planted.json.error.code, "KEY_SYMLINK");
  assert.equal(readFileSync(victim, "utf8"), "untouched");
});

test("build --sign writes build/<board>/firmware.tki next to the .wasm, version from package.json", async (t) => {
  const dir = tempDir(t);
  const key = join(dir, "k.pem");
  assert.equal((await tapkit(["image", "keygen", key, "--alg", "p256"])).code, 0);
  const buildDir = join(dir, "build");
  const r = await tapkit(["build", "--board", "sim-card", "--sign", key, "--security-counter", "7", "--json"], {
    env: { TAPKIT_BUILD_DIR: buildDir },
    timeoutMs: 120000,
  });
  assert.equal(r.code, 0, r.stderr);
  const tki = join(buildDir, "sim-card", "firmware.tki");
  assert.equal(r.json[0].image.file, tki);
  assert.ok(existsSync(join(buildDir, "sim-card", "firmware.wasm")));
  const version = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")).version;
  const v = await tapkit(["image", "verify", tki, "--key", join(dir, "k.pub.pem"), "--json"]);
  assert.equal(v.code, 0, v.stdout);
  assert.equal(v.json.board, "sim-card");
  assert.equal(v.json.version, version);
  assert.equal(v.json.securityCounter, 7);
  // the signed module is the built one, byte for byte
  const tkiBytes = readFileSync(tki);
  const wasm = readFileSync(join(buildDir, "sim-card", "firmware.wasm"));
  assert.deepEqual(tkiBytes.subarray(tkiBytes.length - wasm.length), wasm);
});

test("image commands have --help with examples; build --help shows --sign", async () => {
  const h = await tapkit(["image", "sign", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--security-counter/);
  assert.match(h.stdout, /examples:\n {2}tapkit image sign/);
  const b = await tapkit(["build", "--help"]);
  assert.match(b.stdout, /--sign/);
});
