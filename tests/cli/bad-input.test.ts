// Issue 16, findings 5 and 8 (host): `issuer init` followed a symlink planted in its
// directory and wrote the batch secret into the link's target, and a failure left a
// half-made directory; about 15 inputs ended in "this looks like a bug in tapkit". Now the
// issuer directory is built under a temporary name and renamed whole, key files are
// created O_EXCL|O_NOFOLLOW 0600, and each bad input gets a reason and a hint (exit 2 for
// bad arguments). A looping symlink in a settlement folder is skipped with a warning, a
// full disk during `wallet export --clear` clears nothing, and `ndef build` exits 1 when
// its own lint finds errors. ENOSPC comes from a real full tmpfs (skipped loudly when this
// process may not mount one).
import { afterAll, beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tapkitInProcess } from "./cli-helpers.ts";
import { canFillDisk, fullDisk } from "../support/full-disk.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { createSecretFile } from "../../host-tools/src/files/durable-write.ts";
import { acceptPayment, exportPlaqueVouchers, issuerInit, loadIssuer } from "../../host-tools/src/wallet/index.ts";
import { provisioned } from "../wallet/card-fixture.ts";
import { plaqueRig } from "../wallet/plaque-fixture.ts";
import { bundleBytes, testCard, testIssuer } from "../wallet/wallet-fixture.ts";
import { toHex } from "../../host-tools/src/bytes/hex.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tapkit-bad-input-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Run = Awaited<ReturnType<typeof tapkitInProcess>>;
const run = tapkitInProcess;

/** The run failed with a reason and a hint, and not as an internal error. */
function refusedCleanly(r: Run, code: number, what: string): { code: string; message: string; hint: string } {
  const e = r.json?.error;
  assert.ok(e, `${what}: no JSON error (exit ${r.code})`);
  assert.notEqual(e.code, "INTERNAL", `${what}: ${e.message}`);
  assert.doesNotMatch(e.hint, /bug in tapkit/, what);
  assert.equal(r.code, code, `${what}: ${e.code} ${e.message}`);
  assert.ok(e.hint.length > 0, what);
  return e;
}

const PROFILE = { name: "CAFE", city: "LISBOA", country: "PT", currency: "978", mcc: "5812" };

test("a null profile, a null account, a non-object account: usage errors, not internal ones", async () => {
  const cases: [string, unknown][] = [
    ["null", null],
    ["string", "CAFE"],
    ["list", [PROFILE]],
    ["null-account", { ...PROFILE, accounts: [null] }],
    ["string-account", { ...PROFILE, accounts: ["26:X"] }],
    ["accounts-object", { ...PROFILE, accounts: { id: 26 } }],
  ];
  for (const [name, value] of cases) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(value));
    refusedCleanly(await run(["emv", "build", "--profile", file]), 2, `emv build --profile ${name}`);
    // merchant set reads the same profile before it opens the port (nothing listens there)
    refusedCleanly(await run(["merchant", "set", "--port", "tcp:127.0.0.1:1", "--profile", file]), 2, `merchant set --profile ${name}`);
  }
});

test("--root naming a directory, settle and verify voucher: a reason, exit 2", async () => {
  const folder = join(dir, "root-dir");
  mkdirSync(folder);
  const e = refusedCleanly(await run(["settle", folder, "--root", folder]), 2, "settle --root DIR");
  assert.match(e.message, /--root/);
  refusedCleanly(await run(["verify", "voucher", join(dir, "none"), "--root", folder]), 2, "verify voucher --root DIR");
});

test("settle: a looping symlink in the folder is skipped with a warning; the rest is settled", async () => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const folder = join(dir, "uploads");
  mkdirSync(folder);
  writeFileSync(join(folder, "a.voucher"), bundleBytes(card));
  symlinkSync("loop", join(folder, "loop"));
  symlinkSync("nowhere", join(folder, "dangling"));
  const r = await run(["settle", folder, "--root", toHex(issuer.root.publicKey)]);
  assert.equal(r.code, 0, JSON.stringify(r.json));
  assert.equal(r.json.accepted, 1);
  assert.deepEqual(
    r.json.skipped.map((s: { name: string; reason: string }) => [s.name, s.reason]),
    [
      ["dangling", "ENOENT"],
      ["loop", "ELOOP"],
    ],
  );
});

test("ndef build exits 1 when its own lint reports errors (the message is still printed)", async () => {
  const bad = await run(["ndef", "build", "--uri", "http://pay.example.com/m/1"]);
  assert.equal(bad.code, 1);
  assert.deepEqual(bad.json.lint.errors, ["not-https"]);
  assert.ok(bad.json.message.length > 0);
  const good = await run(["ndef", "build", "--uri", "https://pay.example.com/m/1", "--aar", "com.example.pay"]);
  assert.equal(good.code, 0, JSON.stringify(good.json));
});

test("issuer init refuses a planted symlink, a file, an existing folder and an empty name, and writes nothing through them", async () => {
  const target = join(dir, "attacker-target");
  writeFileSync(target, "untouched");
  const targetDir = join(dir, "attacker-dir");
  mkdirSync(targetDir);
  // the issuer directory itself is a symlink to the attacker's folder
  const linked = join(dir, "linked-issuer");
  symlinkSync(targetDir, linked);
  refusedCleanly(await run(["issuer", "init", linked]), 1, "issuer init onto a symlink");
  assert.deepEqual(readdirSync(targetDir), [], "nothing written into the link's target");
  // a folder prepared with root.key.json -> the attacker's file (finding 5)
  const planted = join(dir, "planted");
  mkdirSync(planted);
  symlinkSync(target, join(planted, "root.key.json"));
  symlinkSync(target, join(planted, "batch.key.json"));
  refusedCleanly(await run(["issuer", "init", planted]), 1, "issuer init into a folder with planted links");
  assert.equal(readFileSync(target, "utf8"), "untouched", "the secret was not written through the link");
  // a file, and an empty name
  refusedCleanly(await run(["issuer", "init", target]), 1, "issuer init onto a file");
  assert.equal(readFileSync(target, "utf8"), "untouched");
  refusedCleanly(await run(["issuer", "init", ""]), 2, "issuer init ''");
  refusedCleanly(await run(["issuer", "init", join(dir, "no-parent", "issuer")]), 2, "issuer init without a parent folder");
  assert.ok(!existsSync(join(dir, "no-parent")));
  // no temporary directories left behind by any of it
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith(".tmp")),
    [],
  );
});

test("issuer init: a new directory, mode 0700, key files 0600 created exclusively; createSecretFile never follows a link", async () => {
  const old = process.umask(0);
  try {
    const issuerDir = join(dir, "good-issuer");
    const files = issuerInit(issuerDir);
    assert.equal(statSync(issuerDir).mode & 0o777, 0o700);
    for (const f of ["root.key.json", "batch.key.json"]) assert.equal(statSync(join(issuerDir, f)).mode & 0o777, 0o600, f);
    assert.deepEqual(readdirSync(issuerDir).sort(), ["batch.cert.cbor", "batch.key.json", "root.key.json", "root.pub"]);
    assert.deepEqual(loadIssuer(issuerDir).root.publicKey, files.root.publicKey);
  } finally {
    process.umask(old);
  }
  const target = join(dir, "secret-target");
  writeFileSync(target, "untouched");
  const link = join(dir, "secret-link");
  symlinkSync(target, link);
  assert.throws(() => createSecretFile(link, new Uint8Array([1, 2, 3])), /EEXIST/);
  assert.equal(readFileSync(target, "utf8"), "untouched");
  assert.ok(lstatSync(link).isSymbolicLink());
});

const canMount = canFillDisk("the full-disk (ENOSPC) tests of issuer init and wallet export");

test("issuer init on a full disk: an error with a reason, and nothing left behind", { skip: !canMount }, async (t) => {
  const fs = fullDisk(t);
  const r = await run(["issuer", "init", join(fs.mnt, "issuer")]);
  const e = refusedCleanly(r, 1, "issuer init on a full disk");
  assert.match(e.message, /ENOSPC/);
  assert.deepEqual(readdirSync(fs.mnt), ["filler"], "no half-made issuer directory, no temporary one");
});

test("wallet export --clear on a full disk: nothing is cleared on the plaque and no 0-byte bundle is left", { skip: !canMount }, async (t) => {
  const issuer = testIssuer();
  const { card } = await provisioned(t, issuer);
  const { plaque } = await plaqueRig(t, issuer.root.publicKey);
  await acceptPayment(card, plaque, { amount: 250 });
  await acceptPayment(card, plaque, { amount: 100 });
  const fs = fullDisk(t);
  const out = join(fs.mnt, "out");
  mkdirSync(out);
  const e = await exportPlaqueVouchers(plaque, out, { clear: true }).then(
    () => assert.fail("a full disk cannot take the bundles"),
    (e: unknown) => e,
  );
  assert.ok(e instanceof TapkitError, String(e));
  assert.equal(e.code, "FILE_WRITE");
  assert.match(e.message, /nothing cleared on the plaque/);
  assert.equal((await plaque.status()).held, 2, "the plaque still holds both vouchers");
  const left = readdirSync(out).map((n) => [n, statSync(join(out, n)).size]);
  assert.ok(
    left.every(([, size]) => (size as number) > 0),
    `no 0-byte bundles: ${JSON.stringify(left)}`,
  );
  assert.ok(!readdirSync(out).some((n) => n.endsWith(".tmp")));
  // with room again the export completes and only then clears
  rmSync(fs.filler);
  const r = await exportPlaqueVouchers(plaque, out, { clear: true });
  assert.deepEqual([r.files.length, r.cleared, (await plaque.status()).held], [2, 2, 0]);
});
