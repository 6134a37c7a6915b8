// Settlement on the records database: voucher bundles verified against the issuer root and
// stored once per card and counter (table settled_vouchers, primary key (device, counter)),
// so an acquirer settling many acceptors from many machines does not depend on one folder.
// The insert is ON CONFLICT DO NOTHING: the same bundle again changes nothing ("already");
// another voucher under a card counter already settled is a counter reuse (a cloned or broken
// card) and is reported, never stored over the first. The folder mode (`tapkit settle DIR`
// without --db, wallet/settle.ts) stays for a bench.
import { toHex } from "../bytes/hex.ts";
import type { Database } from "../db/index.ts";
import { TapkitError } from "../errors/index.ts";
import { decodeBundle, type SettlementInput, verifyVoucher } from "../wallet/index.ts";

export interface IngestReport {
  files: number;
  ingested: number;
  already: number;
  counterReuse: { device: string; counter: number; source: string; settledFrom: string }[];
  invalid: { source: string; code: string; message: string }[];
}

export async function ingestVouchers(db: Database, inputs: readonly SettlementInput[], root: Uint8Array): Promise<IngestReport> {
  const report: IngestReport = { files: inputs.length, ingested: 0, already: 0, counterReuse: [], invalid: [] };
  for (const input of inputs) {
    let v: ReturnType<typeof verifyVoucher>;
    try {
      v = verifyVoucher(decodeBundle(input.bytes, input.name), root);
    } catch (e) {
      if (!(e instanceof TapkitError)) throw e;
      report.invalid.push({ source: input.name, code: e.code, message: e.message });
      continue;
    }
    const p = v.voucher;
    const device = toHex(p.deviceId);
    const digest = toHex(v.digest);
    const stored = await db.query(
      `INSERT INTO settled_vouchers (device, counter, digest, payee, amount, currency, epoch, source, bundle, ingested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (device, counter) DO NOTHING RETURNING counter`,
      [device, p.counter, digest, p.payee, p.amount, p.currency, p.epoch, input.name, toHex(input.bytes), new Date().toISOString()],
    );
    if (stored.length === 1) {
      report.ingested++;
      continue;
    }
    const [first] = await db.query<{ digest: string; source: string }>("SELECT digest, source FROM settled_vouchers WHERE device = $1 AND counter = $2", [
      device,
      p.counter,
    ]);
    if (first?.digest === digest) report.already++;
    else report.counterReuse.push({ device, counter: p.counter, source: input.name, settledFrom: first?.source ?? "?" });
  }
  return report;
}
