// `tapkit settle DIR --db URL`: voucher bundles (made the way the card signs them, by the
// wallet test fixture) verified and stored once per card and counter. The same folder twice
// changes nothing (the table dumped before and after is identical); a second voucher under a
// settled counter is reported as counter reuse and not stored; an invalid bundle is reported.
// Through the bundled CLI on SQLite, and through the library on a private PostgreSQL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestVouchers } from "../../host-tools/src/backend/index.ts";
import { toHex } from "../../host-tools/src/bytes/hex.ts";
import { openDatabase } from "../../host-tools/src/db/index.ts";
import { readVoucherDir } from "../../host-tools/src/wallet/index.ts";
import { tapkit } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { usePostgres } from "../support/postgres-server.ts";
import { bundleBytes, testCard, testIssuer } from "../wallet/wallet-fixture.ts";

longTests();

const tmp = mkdtempSync(join(tmpdir(), "tapkit-settle-db-"));
const issuer = testIssuer();
const card = testCard(issuer);
const root = toHex(issuer.root.publicKey);

function folder(name: string, files: Record<string, Uint8Array>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  return dir;
}

const day1 = () =>
  folder("day1", {
    "v1.voucher": bundleBytes(card, { counter: 1 }),
    "v2.voucher": bundleBytes(card, { counter: 2 }),
    "v3.voucher": bundleBytes(card, { counter: 3, amount: 700 }),
  });

const postgres = usePostgres(beforeAll, afterAll);
const pgBin = postgres.bin;
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function dump(url: string): Promise<string> {
  const db = await openDatabase(url);
  try {
    return JSON.stringify(
      await db.query("SELECT device, counter, digest, payee, amount, currency, source, bundle, ingested_at FROM settled_vouchers ORDER BY device, counter"),
    );
  } finally {
    await db.close();
  }
}

describe("tapkit settle --db (SQLite, the bundled CLI)", () => {
  it("stores each voucher once; the same folder again changes nothing; counter reuse and bad bundles are reported", async () => {
    const file = join(tmp, "settle.sqlite");
    const dir = day1();
    const first = await tapkit(["settle", dir, "--root", root, "--db", file, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ files: 3, ingested: 3, already: 0, counterReuse: [], invalid: [] });
    const before = await dump(file);
    const again = await tapkit(["settle", dir, "--root", root, "--db", file, "--json"]);
    expect(again.json).toMatchObject({ ingested: 0, already: 3 });
    expect(await dump(file)).toBe(before);
    const clone = folder("clone", { "x.voucher": bundleBytes(card, { counter: 2, amount: 1999 }), "junk.voucher": new Uint8Array([1, 2, 3]) });
    const bad = await tapkit(["settle", clone, "--root", root, "--db", file, "--json"]);
    expect(bad.code).toBe(1);
    expect(bad.json.counterReuse).toEqual([expect.objectContaining({ counter: 2, source: "x.voucher", settledFrom: "v2.voucher" })]);
    expect(bad.json.invalid).toHaveLength(1);
    expect(await dump(file)).toBe(before);
    const rows = JSON.parse(before) as { amount: number; counter: number }[];
    expect(rows.map((r) => [Number(r.counter), Number(r.amount)])).toEqual([
      [1, 250],
      [2, 250],
      [3, 700],
    ]);
  });
});

describe.skipIf(!pgBin)("settlement ingest on PostgreSQL", () => {
  it("two acceptors' uploads ingested at once, twice: each voucher stored exactly once", async () => {
    const url = postgres.server().createDatabase("settle");
    const inputs = readVoucherDir(day1());
    const dbs = await Promise.all([openDatabase(url), openDatabase(url)]);
    const reports = await Promise.all([...dbs, ...dbs].map((db) => ingestVouchers(db, inputs, issuer.root.publicKey)));
    await Promise.all(dbs.map((d) => d.close()));
    expect(reports.reduce((n, r) => n + r.ingested, 0)).toBe(3);
    expect(reports.reduce((n, r) => n + r.already, 0)).toBe(9);
    expect(reports.every((r) => r.counterReuse.length === 0)).toBe(true);
    expect(JSON.parse(await dump(url))).toHaveLength(3);
  });
});
