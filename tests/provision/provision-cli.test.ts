// The commands as users run them: `tapkit provision` and `tapkit setup plaque` against
// `tapkit sim --blank` over its serial pty (socat), a line of progress per step on stderr,
// --json on stdout, the records in an SQLite file the sqlite3 shell opens, `tapkit info`
// showing the lock, and `tapkit audit verify` accepting the trail. Skips loudly without socat.
import { test } from "vitest";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { haveSocat, startSim, tapkit } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { MERCHANT, makeLine } from "./provision-fixture.ts";

longTests();
const skip = !haveSocat();
if (skip) console.warn("\n*** socat is not installed: SKIPPING the tapkit provision CLI tests (apt-get install socat) ***\n");

test("tapkit provision over the pty: progress per step, JSON result, tapkit info shows it locked, a second run is refused, the trail verifies", {
  skip,
}, async (t) => {
  const line = makeLine(t, "sim-plaque");
  const sim = await startSim(["--board", "sim-plaque", "--blank"]);
  t.onTestFinished(async () => void (await sim.stop()));
  const key = join(line.dir, "station.key");
  const common = ["--port", sim.port, "--manifest", line.manifestPath, "--db", `sqlite:${line.dbPath}`, "--station", "line1-st1", "--station-key", key];
  const human = await tapkit(["provision", ...common]);
  assert.equal(human.code, 0, human.stderr);
  const progress = human.stderr.split("\n").filter((l) => /^\[\d\/9\] /.test(l));
  assert.deepEqual(
    progress.map((l) => l.split(":")[0]),
    ["[1/9] check", "[2/9] keys", "[3/9] serial", "[4/9] certificate", "[5/9] symmetric-keys", "[6/9] tag", "[7/9] profile", "[8/9] verify", "[9/9] lock"],
  );
  assert.match(human.stdout, /serial 1000 \(UID 04[0-9A-F]{12}, key [0-9A-F]{16}\) provisioned and locked/);
  assert.match(human.stdout, /panel: 000201/);

  const info = await tapkit(["info", "--port", sim.port, "--json"]);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(info.json.state, "locked");
  assert.equal(info.json.identity.serial, 1000);
  const infoText = await tapkit(["info", "--port", sim.port]);
  assert.match(infoText.stdout, /state\s+locked/);
  assert.match(infoText.stdout, /identity\s+serial 1000, UID 04/);

  const again = await tapkit(["provision", ...common, "--json"]);
  assert.equal(again.code, 1);
  assert.equal(again.json.error.code, "DEVICE_PROVISIONED");
  assert.match(again.json.error.hint, /--reprovision/);

  // Re-provisioning: the root key holder signs a grant for this serial and UID; the station wipes and redoes it.
  const uid = info.json.identity.uid;
  const noGrant = await tapkit(["provision", ...common, "--reprovision", "1000", "--json"]);
  assert.equal(noGrant.json.error.code, "REPROVISION_UNAUTHORISED");
  const grantFile = join(line.dir, "grant.json");
  const authorise = ["provision", "authorise", "--issuer", join(line.dir, "issuer"), "--batch", line.manifest.batch, "--serial", "1000"];
  const granted = await tapkit([...authorise, "--uid", uid, "--reason", "RMA 1", "--out", grantFile, "--json"]);
  assert.equal(granted.code, 0, granted.stderr);
  assert.equal(granted.json.serial, 1000);
  const badUid = await tapkit([...authorise, "--uid", "nonsense"]);
  assert.equal(badUid.code, 2, "a malformed UID is a usage error");
  const redo = await tapkit(["provision", ...common, "--reprovision", "1000", "--grant", grantFile]);
  assert.equal(redo.code, 0, redo.stderr);
  assert.match(redo.stdout, /wiped serial 1000 \(UID 04[0-9A-F]{12}\); its record is kept, marked reprovisioned/);
  assert.match(redo.stdout, /serial 1001 \(UID 04[0-9A-F]{12}, key [0-9A-F]{16}\) provisioned and locked/);

  const audit = await tapkit(["audit", "verify", "--db", `sqlite:${line.dbPath}`, "--json"]);
  assert.equal(audit.code, 0, audit.stdout);
  assert.equal(audit.json.ok, true);
  const sqlite = spawnSync("sqlite3", [line.dbPath, "SELECT serial, state, result FROM devices; SELECT role, key_id, kcv FROM device_keys ORDER BY role;"], {
    encoding: "utf8",
  });
  if (sqlite.status === 0) {
    assert.match(sqlite.stdout, /^1000\|provisioned\|reprovisioned$/m);
    assert.match(sqlite.stdout, /^1001\|provisioned\|locked$/m);
    assert.match(sqlite.stdout, /^sun-file\|sun-file-2026\|[0-9A-F]{6}$/m);
  }
});

test("tapkit setup plaque: a technician's field kit, defaults, a line per step, the decoded panel and a verified tap at the end", { skip }, async (t) => {
  const line = makeLine(t, "sim-plaque");
  const kit = join(line.dir, "kit");
  mkdirSync(kit);
  for (const f of ["root.key.json", "batch.key.json", "batch.cert.cbor", "root.pub"]) copyFileSync(join(line.dir, "issuer", f), join(kit, f));
  copyFileSync(join(line.dir, "sun-meta.key"), join(kit, "sun-meta.key"));
  copyFileSync(join(line.dir, "sun-file.key"), join(kit, "sun-file.key"));
  const merchant = join(line.dir, "cafe.json");
  writeFileSync(merchant, JSON.stringify({ ...MERCHANT, name: "PADARIA CENTRAL" }));
  const sim = await startSim(["--board", "sim-plaque", "--blank"]);
  t.onTestFinished(async () => void (await sim.stop()));
  const r = await tapkit([
    "setup",
    "plaque",
    "--port",
    sim.port,
    "--merchant",
    merchant,
    "--keys",
    kit,
    "--station",
    "tech-7",
    "--station-key",
    join(line.dir, "tech.key"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.split("\n").filter((l) => /^\[\d\/9\] /.test(l)).length, 9);
  assert.match(r.stdout, /provisioned and locked/);
  const payload = /^panel: (.+)$/m.exec(r.stdout)?.[1] ?? "";
  const parsed = await tapkit(["emv", "parse", payload, "--json"]);
  assert.equal(parsed.code, 0, parsed.stderr);
  assert.ok(JSON.stringify(parsed.json).includes("PADARIA CENTRAL"));
  assert.match(r.stdout, /tap: https:\/\/tap\.example\.com\/t\?p=[0-9A-F]{32}&c=[0-9A-F]{16} \(verified, counter 1\)/);

  const missing = await tapkit(["setup", "plaque", "--port", sim.port, "--keys", kit, "--json"]);
  assert.equal(missing.code, 2);
  assert.equal(missing.json.error.code, "USAGE");
});

test("tapkit provision with a signed image in the manifest: a fresh shell trusts its signer, the image is flashed with progress and confirmed, then the device provisioned; export has its SHA-256", {
  skip,
}, async (t) => {
  const signed = makeLine(t, "sim-plaque");
  const dir = signed.dir;
  const ok = async (args: string[]) => {
    const r = await tapkit(args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  await ok(["image", "keygen", join(dir, "release.pem")]);
  await ok([
    "image",
    "sign",
    firmwarePath("sim-plaque"),
    "--key",
    join(dir, "release.pem"),
    "--board",
    "sim-plaque",
    "--version",
    "2.1.0",
    "--out",
    join(dir, "fw.tki"),
  ]);
  const sha = createHash("sha256")
    .update(readFileSync(join(dir, "fw.tki")))
    .digest("hex");
  const manifest = JSON.parse(readFileSync(signed.manifestPath, "utf8"));
  manifest.firmware = { version: "2.1.0", image: "fw.tki", sha256: sha, signer: "release.pub.pem" };
  writeFileSync(signed.manifestPath, JSON.stringify(manifest));

  const sim = await startSim(["--board", "sim-plaque", "--blank", "--state", join(dir, "state"), "--pty", join(dir, "pty")]);
  t.onTestFinished(async () => void (await sim.stop("SIGKILL")));
  const db = `sqlite:${signed.dbPath}`;
  const common = ["--port", sim.port, "--manifest", signed.manifestPath, "--db", db, "--station", "line1-st2", "--station-key", join(dir, "st.key")];
  const r = await ok(["provision", ...common]);
  const steps = r.stderr.split("\n").filter((l) => /^\[\d+\/10\] /.test(l));
  assert.deepEqual(
    steps.map((l) => l.split(":")[0]),
    [
      "[1/10] firmware",
      "[2/10] check",
      "[3/10] keys",
      "[4/10] serial",
      "[5/10] certificate",
      "[6/10] symmetric-keys",
      "[7/10] tag",
      "[8/10] profile",
      "[9/10] verify",
      "[10/10] lock",
    ],
  );
  assert.match(steps[0], new RegExp(`2\\.1\\.0 ${sha.slice(0, 16)} flashed`));
  assert.ok(r.stderr.split("\n").filter((l) => / % [\d.]+\/[\d.]+ KiB/.test(l)).length >= 3, `progress lines while flashing: ${r.stderr}`);
  assert.match(r.stderr, /now trusts [0-9a-f]{16}/);

  const list = await ok(["image", "list", "--port", sim.port, "--json"]);
  assert.equal(list.json.running, "confirmed");
  assert.deepEqual(
    list.json.slots.filter((s: any) => s.state === "active").map((s: any) => s.version),
    ["2.1.0"],
  );
  const csv = await ok(["audit", "export", "--db", db, "--format", "csv"]);
  const [header, row] = csv.stdout.trim().split(/\r?\n/);
  const column = header.split(",").indexOf("firmwareHash");
  assert.ok(column >= 0, header);
  assert.equal(row.split(",")[column].toLowerCase(), sha);
});
