// The settlement desk's commands: `verify voucher` (one bundle against the issuer root) and
// `settle` (a folder of uploaded bundles: totals and findings). Verification and the
// cross-batch checks are the wallet library's (verify-voucher.ts, settle.ts).
import type { Command } from "../../command.ts";
import { JSON_OPTION } from "../../command.ts";
import { table, usageError } from "../../output.ts";
import { EXIT } from "../../../errors/index.ts";
import { toHex } from "../../../bytes/hex.ts";
import { hexOption } from "../../option-values.ts";
import { decodeBundle, readRootKey, readVoucherDir, readVoucherFile, settle, verifyVoucher, type Finding, type SkippedEntry } from "../../../wallet/index.ts";

export const verifyVoucherCommand: Command = {
  name: "verify voucher",
  summary: "check a voucher bundle: issuer chain to --root, card signature, fields, challenge and envelope",
  usage: "tapkit verify voucher FILE --root KEY [--challenge HEX] [--payee ID] [--json]",
  examples: ["tapkit verify voucher pay-0001.voucher --root issuer/root.pub", "tapkit verify voucher v.cbor --root 3B6A27BC... --challenge 0102...10 --json"],
  positionals: [1, 1],
  options: {
    root: { type: "string", help: "issuer root public key: hex, or a file holding hex (root.pub)" },
    challenge: { type: "string", help: "the challenge this payment must answer (hex)" },
    payee: { type: "string", help: "the payee id this payment must name" },
    ...JSON_OPTION,
  },
  async run(opts, [file], out) {
    if (!opts.root) throw usageError("--root is required", "pass the issuer root public key (root.pub from `tapkit issuer init`)");
    // The arguments first: a malformed --challenge is a usage error whatever the file holds.
    const challenge = hexOption(opts.challenge, "challenge", { bytes: [16, 32] });
    const root = readRootKey(opts.root);
    const v = verifyVoucher(decodeBundle(readVoucherFile(file), file), root, { challenge, payee: opts.payee });
    const p = v.voucher;
    const result = {
      valid: true,
      device: toHex(p.deviceId),
      counter: p.counter,
      amount: p.amount,
      currency: p.currency,
      payee: p.payee,
      challenge: toHex(p.challenge),
      subWallet: p.subWallet,
      balanceAfter: p.balanceAfter,
      epoch: p.epoch,
      time: p.time ?? null,
      digest: toHex(v.digest),
    };
    out.result(result, (r) => {
      out.line(`voucher OK: ${r.amount} ${r.currency} to ${r.payee} from card ${r.device} (counter ${r.counter}, balance after ${r.balanceAfter})`);
    });
  },
};

export const settleCommand: Command = {
  name: "settle",
  summary: "settle a directory of voucher bundles: totals, duplicates, replays, counter reuse, envelope breaches",
  usage: "tapkit settle DIR --root KEY [--db URL] [--json]",
  examples: [
    "tapkit settle uploads/2024-06-01 --root issuer/root.pub",
    "tapkit settle vouchers/ --root root.pub --json",
    "tapkit settle uploads/shop-42 --root root.pub --db postgres://acq@db/settlement",
  ],
  positionals: [1, 1],
  options: {
    root: { type: "string", help: "issuer root public key (hex or file)" },
    db: { type: "string", help: "also store the verified vouchers in this database, once per card and counter (postgres://..., sqlite:PATH or a path)" },
    ...JSON_OPTION,
  },
  async run(opts, [dir], out) {
    if (!opts.root) throw usageError("--root is required", "pass the issuer root public key");
    const root = readRootKey(opts.root);
    const skipped: SkippedEntry[] = [];
    const inputs = readVoucherDir(dir, (s) => {
      skipped.push(s);
      out.status(`warning: skipped ${s.name} (${s.reason})`);
    });
    if (opts.db !== undefined) {
      // loaded on demand: the folder mode needs no database packages
      const { openDatabase } = await import("../../../db/index.ts");
      const { ingestVouchers } = await import("../../../backend/index.ts");
      const db = await openDatabase(opts.db);
      try {
        const r = await ingestVouchers(db, inputs, root);
        out.result(r, (v) => {
          out.line(
            `${v.files} file(s): ${v.ingested} stored, ${v.already} already settled, ${v.counterReuse.length} counter reuse, ${v.invalid.length} invalid (${db.where})`,
          );
          for (const c of v.counterReuse)
            out.line(`  counter reuse: card ${c.device} counter ${c.counter} in ${c.source}, already settled from ${c.settledFrom}`);
          for (const i of v.invalid) out.line(`  invalid: ${i.source}: ${i.code} ${i.message}`);
        });
        return r.counterReuse.length || r.invalid.length ? EXIT.failure : EXIT.ok;
      } finally {
        await db.close();
      }
    }
    const report = settle(inputs, root);
    out.result({ ...report, skipped }, (r) => {
      out.line(`${r.vouchers} file(s), ${r.accepted} credited`);
      for (const [payee, cur] of Object.entries(r.totals))
        for (const [c, amt] of Object.entries(cur as Record<string, number>)) out.line(`  ${payee}: ${amt} ${c}`);
      if (r.findings.length) {
        out.line("findings:");
        out.line(table(r.findings.map((f: Finding) => [`  ${f.kind}`, f.items.join(", "), f.message])));
      }
    });
    return report.findings.length ? EXIT.failure : EXIT.ok;
  },
};

export const SETTLEMENT_COMMANDS: Command[] = [verifyVoucherCommand, settleCommand];
