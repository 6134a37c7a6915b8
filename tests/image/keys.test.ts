// Signing-key files: keygen creates the private key exclusively (0600 whatever the umask,
// never through a symlink, never over an existing file without --force, nothing left
// behind on refusal), and the loaders refuse keys images cannot use, with a hint.
import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isImageError, keygen, loadPublicKey, loadSigningKey } from "../../host-tools/src/image/index.ts";
import { haveOpenssl, openssl, tempDir } from "./image-fixture.ts";

const hasOpenssl = haveOpenssl();

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isImageError(e), String(e));
    return e.code;
  }
  return "accepted";
}

const mode = (p: string) => statSync(p).mode & 0o777;

test("keygen writes a 0600 private key and its public key, even with umask 0", (t) => {
  const dir = tempDir(t);
  const old = process.umask(0);
  try {
    for (const alg of ["ed25519", "p256"] as const) {
      const r = keygen(join(dir, `k-${alg}.pem`), { alg });
      assert.equal(r.publicKeyFile, join(dir, `k-${alg}.pub.pem`));
      assert.equal(mode(r.keyFile), 0o600);
      assert.equal(mode(r.publicKeyFile), 0o644);
      assert.match(readFileSync(r.keyFile, "utf8"), /^-----BEGIN PRIVATE KEY-----\n/);
      assert.match(readFileSync(r.publicKeyFile, "utf8"), /^-----BEGIN PUBLIC KEY-----\n/);
      const signer = loadSigningKey(r.keyFile);
      assert.equal(Buffer.from(signer.kid).toString("hex"), r.kid);
      assert.equal(Buffer.from(loadPublicKey(r.publicKeyFile).kid).toString("hex"), r.kid);
      assert.equal(signer.publicKey.length, alg === "ed25519" ? 32 : 65);
    }
  } finally {
    process.umask(old);
  }
  // two keygens never make the same key
  assert.notEqual(keygen(join(dir, "a.pem")).kid, keygen(join(dir, "b.pem")).kid);
});

test("keygen refuses an existing key file and keeps it; --force replaces it", (t) => {
  const dir = tempDir(t);
  const first = keygen(join(dir, "release.pem"));
  const before = readFileSync(first.keyFile, "utf8");
  assert.equal(
    codeOf(() => keygen(first.keyFile)),
    "KEY_EXISTS",
  );
  assert.equal(readFileSync(first.keyFile, "utf8"), before);
  // only the public key exists: still refused, and no private key is created
  const lonely = join(dir, "lonely.pem");
  writeFileSync(join(dir, "lonely.pub.pem"), "keep me");
  assert.equal(
    codeOf(() => keygen(lonely)),
    "KEY_EXISTS",
  );
  assert.equal(existsSync(lonely), false);
  assert.equal(readFileSync(join(dir, "lonely.pub.pem"), "utf8"), "keep me");
  const second = keygen(first.keyFile, { force: true });
  assert.notEqual(second.kid, first.kid);
  assert.equal(mode(second.keyFile), 0o600);
});

test("keygen never writes through a planted symlink, even with --force, and creates nothing", (t) => {
  const dir = tempDir(t);
  const victim = join(dir, "victim.txt");
  writeFileSync(victim, "do not overwrite");
  const planted = join(dir, "release.pem");
  symlinkSync(victim, planted);
  assert.equal(
    codeOf(() => keygen(planted)),
    "KEY_SYMLINK",
  );
  assert.equal(
    codeOf(() => keygen(planted, { force: true })),
    "KEY_SYMLINK",
  );
  assert.equal(readFileSync(victim, "utf8"), "do not overwrite");
  assert.equal(existsSync(join(dir, "release.pub.pem")), false);
  // a dangling link would otherwise create its target
  const dangling = join(dir, "dangling.pem");
  symlinkSync(join(dir, "would-be-created.pem"), dangling);
  assert.equal(
    codeOf(() => keygen(dangling)),
    "KEY_SYMLINK",
  );
  assert.equal(existsSync(join(dir, "would-be-created.pem")), false);
  assert.ok(lstatSync(dangling).isSymbolicLink());
  // a link at the public key's path: refused before the private key is written
  symlinkSync(victim, join(dir, "other.pub.pem"));
  assert.equal(
    codeOf(() => keygen(join(dir, "other.pem"))),
    "KEY_SYMLINK",
  );
  assert.equal(existsSync(join(dir, "other.pem")), false);
  assert.equal(readFileSync(victim, "utf8"), "do not overwrite");
});

test("key loaders refuse what images cannot use: a public key to sign, encrypted PEM, secp256k1, RSA, garbage", { skip: !hasOpenssl }, (t) => {
  const dir = tempDir(t);
  const r = keygen(join(dir, "release.pem"));
  assert.equal(
    codeOf(() => loadSigningKey(r.publicKeyFile)),
    "KEY_FORMAT",
  );
  assert.equal(
    codeOf(() => loadSigningKey(join(dir, "missing.pem"))),
    "KEY_READ",
  );
  const enc = join(dir, "enc.pem");
  openssl(["pkey", "-in", r.keyFile, "-aes256", "-passout", "pass:secret", "-out", enc]);
  assert.equal(
    codeOf(() => loadSigningKey(enc)),
    "KEY_FORMAT",
  );
  const k1 = join(dir, "k1.pem");
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", k1]);
  assert.equal(
    codeOf(() => loadSigningKey(k1)),
    "KEY_FORMAT",
  );
  const rsa = join(dir, "rsa.pem");
  openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa]);
  assert.equal(
    codeOf(() => loadSigningKey(rsa)),
    "KEY_FORMAT",
  );
  const rsaPub = join(dir, "rsa.pub.pem");
  openssl(["pkey", "-in", rsa, "-pubout", "-out", rsaPub]);
  assert.equal(
    codeOf(() => loadPublicKey(rsaPub)),
    "KEY_FORMAT",
  );
  writeFileSync(join(dir, "junk.pub"), "not a key");
  assert.equal(
    codeOf(() => loadPublicKey(join(dir, "junk.pub"))),
    "KEY_FORMAT",
  );
  // the raw public key in hex is a trust anchor too
  writeFileSync(join(dir, "raw.pub"), `${r.publicKey}\n`);
  assert.equal(Buffer.from(loadPublicKey(join(dir, "raw.pub")).kid).toString("hex"), r.kid);
});
