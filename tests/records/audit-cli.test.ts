// `tapkit audit verify` and `tapkit audit export` as a user runs them (the bundled CLI in a
// child process) on a SQLite records file written by the library: an intact chain passes,
// an edit made with the sqlite3 shell fails with AUDIT_BROKEN and exit 1, and the export is
// CSV that the sqlite3 shell's own CSV output agrees with.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ProvisioningRecords, stationFromSecret } from "../../host-tools/src/records/index.ts";
import { tapkit } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

const tmp = mkdtempSync(join(tmpdir(), "tapkit-audit-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasSqlite3 = spawnSync("sqlite3", ["-version"]).status === 0;
if (!hasSqlite3) console.warn("\n*** sqlite3 shell not found: SKIPPING the audit CLI tests that use it (Debian package sqlite3) ***\n");

async function records(file: string): Promise<void> {
  const r = await ProvisioningRecords.open(file, stationFromSecret("st-1", new Uint8Array(32).fill(5)));
  await r.createBatch({ id: "B7", board: "sim-card", serialFirst: 70, serialLast: 79 });
  for (let i = 0; i < 3; i++) {
    const d = await r.allocateDevice("B7");
    await r.recordStep(d.serial, {
      step: "locked",
      state: "provisioned",
      result: "ok",
      publicKey: new Uint8Array(32).fill(i),
      certificate: "C0FFEE",
      firmwareHash: "11".repeat(32),
    });
  }
  await r.close();
}

describe.skipIf(!hasSqlite3)("tapkit audit", () => {
  it("verify passes an intact chain and fails one edited with the sqlite3 shell", async () => {
    const file = join(tmp, "a.sqlite");
    await records(file);
    const ok = await tapkit(["audit", "verify", "--db", file, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, records: 7, problems: [] });
    const edit = spawnSync("sqlite3", [file, "UPDATE devices SET result = 'ok'; UPDATE audit SET station = 'st-1', step = 'allocated' WHERE seq = 5;"], {
      encoding: "utf8",
    });
    expect(edit.status, edit.stderr).toBe(0);
    const bad = await tapkit(["audit", "verify", "--db", `sqlite:${file}`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/record 5: column-mismatch: column step/);
    expect(bad.stderr).toMatch(/fails verification \(1 problem\(s\), first at record 5\)/);
  });

  it("export gives the customer's CSV (checked against the sqlite3 shell) and JSON", async () => {
    const file = join(tmp, "b.sqlite");
    await records(file);
    const csv = await tapkit(["audit", "export", "--db", file, "--format", "csv", "--batch", "B7"]);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trimEnd().split("\r\n");
    expect(lines[0]).toBe("serial,uid,publicKey,certificate,firmwareHash,station,time,result,batch,state");
    const shell = spawnSync(
      "sqlite3",
      ["-csv", file, "SELECT serial, uid, public_key, certificate, firmware_hash, station, updated_at, result, batch_id, state FROM devices ORDER BY serial"],
      { encoding: "utf8" },
    );
    expect(lines.slice(1)).toEqual(shell.stdout.trimEnd().split(/\r?\n/));
    const json = await tapkit(["audit", "export", "--db", file, "--format", "json"]);
    expect(JSON.parse(json.stdout).map((r: { serial: number }) => r.serial)).toEqual([70, 71, 72]);
    const wrong = await tapkit(["audit", "export", "--db", file, "--format", "xml"]);
    expect(wrong.code).toBe(2);
  });
});
