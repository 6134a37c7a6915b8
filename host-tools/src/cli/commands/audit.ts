// tapkit audit verify|export: check a records database's audit chain (hash links, station
// signatures, no gaps, no cut tail), and write the customer's per-device record as CSV/JSON.
// The database packages load when a command runs, so other commands start without them.
import { writeFileSync } from "node:fs";
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { TapkitError } from "../../errors/index.ts";

export const DB_OPTION = {
  db: {
    type: "string" as const,
    help: "records database: postgres://user@host/db, sqlite:PATH or a file path (default $TAPKIT_DB, else ~/.local/share/tapkit/records.sqlite)",
  },
};

export const auditVerifyCommand: Command = {
  name: "audit verify",
  summary: "check the audit trail: every record chained to the one before and signed by its station",
  usage: "tapkit audit verify [--db URL] [--expect-head HASH] [--json]",
  examples: ["tapkit audit verify --db postgres://line@db.factory/records", "tapkit audit verify --db records.sqlite --expect-head 3F2A...E1 --json"],
  options: {
    ...DB_OPTION,
    "expect-head": { type: "string", help: "the chain's last hash as written down elsewhere (a batch report): a cut tail then shows" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (opts["expect-head"] !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts["expect-head"]))
      throw usageError("--expect-head must be 64 hex digits", "copy the head hash tapkit audit verify printed");
    const { openDatabase } = await import("../../db/index.ts");
    const { verifyAudit } = await import("../../records/index.ts");
    const db = await openDatabase(opts.db);
    try {
      const report = await verifyAudit(db, { expectHead: opts["expect-head"] });
      out.result(report, (r) => {
        out.line(`${r.records} audit records, head ${r.head}`);
        for (const p of r.problems) out.line(`record ${p.seq}: ${p.problem}: ${p.detail}`);
        out.line(r.ok ? "audit trail intact" : `audit trail BROKEN: ${r.problems.length} problem(s)`);
      });
      if (!report.ok) {
        throw new TapkitError(
          "AUDIT_BROKEN",
          `audit trail in ${db.where} fails verification (${report.problems.length} problem(s), first at record ${report.problems[0].seq})`,
          "restore the database from a backup and compare; the records named were edited, deleted or moved outside tapkit",
          { problems: report.problems.length },
        );
      }
    } finally {
      await db.close();
    }
  },
};

export const auditExportCommand: Command = {
  name: "audit export",
  summary: "the customer's device list: serial, UID, public key, certificate, firmware hash, station, time, result",
  usage: "tapkit audit export [--db URL] [--format csv|json] [--batch ID] [--out FILE]",
  examples: [
    "tapkit audit export --db records.sqlite --format csv --batch 2026-12-A > devices.csv",
    "tapkit audit export --db postgres://line@db/records --format json --out devices.json",
  ],
  options: {
    ...DB_OPTION,
    format: { type: "string", default: "csv", help: "csv (RFC 4180) or json" },
    batch: { type: "string", help: "only this batch" },
    out: { type: "string", help: "write to this file instead of stdout" },
  },
  async run(opts, _pos, out) {
    if (opts.format !== "csv" && opts.format !== "json") throw usageError(`--format ${opts.format} is not csv or json`, "e.g. --format csv");
    const { openDatabase } = await import("../../db/index.ts");
    const { exportRows, toCsv } = await import("../../records/index.ts");
    const db = await openDatabase(opts.db);
    try {
      const rows = await exportRows(db, { batch: opts.batch });
      const text = opts.format === "csv" ? toCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`;
      if (opts.out) {
        writeFileSync(opts.out, text);
        out.status(`${rows.length} devices written to ${opts.out}`);
      } else process.stdout.write(text);
    } finally {
      await db.close();
    }
  },
};

export const AUDIT_COMMANDS: Command[] = [auditVerifyCommand, auditExportCommand];
