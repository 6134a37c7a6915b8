// Settlement of a batch of uploaded voucher bundles: verify each one, then look across the
// batch for what a single voucher cannot show — the same voucher twice (duplicate), one
// payee challenge answered twice (replay), one card counter signed twice with different
// contents (counter reuse: a cloned or broken card), and payments beyond the issuer's
// envelope per sync epoch (count or cumulative cap). Accepted totals are per payee and
// currency; hash-chain vouchers credit only the units their best payword proves.
import { toHex } from "../bytes/hex.ts";
import { decodeBundle, type VoucherBundle } from "./bundle.ts";
import { verifyVoucher, type VerifiedVoucher } from "./verify-voucher.ts";
import { TapkitError } from "../errors/index.ts";

export interface SettlementInput {
  name: string;
  bytes: Uint8Array;
}

export type FindingKind = "invalid" | "duplicate" | "replayed-challenge" | "counter-reuse" | "outside-envelope";

export interface Finding {
  kind: FindingKind;
  items: string[];
  code: string;
  message: string;
}

export interface SettlementReport {
  vouchers: number;
  accepted: number;
  findings: Finding[];
  /** payee -> currency -> amount credited */
  totals: Record<string, Record<string, number>>;
  /** device id (hex) -> counters seen, sorted, and missing counters between them */
  devices: Record<string, { counters: number[]; gaps: number[] }>;
}

interface Entry {
  name: string;
  v: VerifiedVoucher;
  bundle: VoucherBundle;
}

export function settle(inputs: SettlementInput[], root: Uint8Array): SettlementReport {
  const findings: Finding[] = [];
  const ok: Entry[] = [];
  for (const input of inputs) {
    try {
      const bundle = decodeBundle(input.bytes, input.name);
      ok.push({ name: input.name, v: verifyVoucher(bundle, root), bundle });
    } catch (e) {
      if (!(e instanceof TapkitError)) throw e;
      findings.push({ kind: "invalid", items: [input.name], code: e.code, message: e.message });
    }
  }
  // Duplicates: one voucher (same bytes) uploaded more than once; the best payword wins.
  const byDigest = new Map<string, Entry[]>();
  for (const e of ok) push(byDigest, toHex(e.v.digest), e);
  const unique: Entry[] = [];
  for (const group of byDigest.values()) {
    group.sort((a, b) => (b.v.paywordUnits ?? 0) - (a.v.paywordUnits ?? 0));
    unique.push(group[0]);
    if (group.length > 1)
      findings.push({
        kind: "duplicate",
        items: group.map((g) => g.name),
        code: "DUPLICATE",
        message: `the same voucher was uploaded ${group.length} times; credited once`,
      });
  }
  const rejected = new Set<Entry>();
  // Counter reuse: same card, same counter, different vouchers. None of them can be trusted.
  const byCounter = new Map<string, Entry[]>();
  for (const e of unique) push(byCounter, `${toHex(e.v.voucher.deviceId)}:${e.v.voucher.counter}`, e);
  for (const [key, group] of byCounter) {
    if (group.length < 2) continue;
    group.forEach((g) => rejected.add(g));
    findings.push({
      kind: "counter-reuse",
      items: group.map((g) => g.name),
      code: "COUNTER_REUSE",
      message: `card ${key.replace(":", " counter ")} signed ${group.length} different vouchers: cloned or faulty card, none credited`,
    });
  }
  // Replayed challenges: one payee challenge answered by different vouchers; the first (lowest counter) stands.
  const byChallenge = new Map<string, Entry[]>();
  for (const e of unique) push(byChallenge, `${e.v.voucher.payee}:${toHex(e.v.voucher.challenge)}`, e);
  for (const group of byChallenge.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => a.v.voucher.counter - b.v.voucher.counter);
    group.slice(1).forEach((g) => rejected.add(g));
    findings.push({
      kind: "replayed-challenge",
      items: group.map((g) => g.name),
      code: "REPLAYED_CHALLENGE",
      message: `payee '${group[0].v.voucher.payee}' accepted ${group.length} vouchers for one challenge; only ${group[0].name} credited`,
    });
  }
  // Envelope per card and sync epoch: count and cumulative amount, in counter order.
  const byEpoch = new Map<string, Entry[]>();
  for (const e of unique) if (!rejected.has(e)) push(byEpoch, `${toHex(e.v.voucher.deviceId)}:${e.v.voucher.epoch}`, e);
  for (const [key, group] of byEpoch) {
    group.sort((a, b) => a.v.voucher.counter - b.v.voucher.counter);
    const env = group[0].v.device.limits!;
    let sum = 0;
    group.forEach((g, i) => {
      sum += g.v.voucher.amount;
      const overCount = i + 1 > env.maxCount;
      const overSum = sum > env.cumulative;
      if (overCount || overSum) {
        rejected.add(g);
        findings.push({
          kind: "outside-envelope",
          items: [g.name],
          code: overCount ? "ENVELOPE_COUNT" : "ENVELOPE_CUMULATIVE",
          message: overCount
            ? `payment ${i + 1} of card epoch ${key} exceeds the certified maximum of ${env.maxCount} payments per sync`
            : `card epoch ${key} reached ${sum}, beyond the certified cumulative cap ${env.cumulative}`,
        });
      }
    });
  }
  const totals: SettlementReport["totals"] = {};
  const devices: SettlementReport["devices"] = {};
  let accepted = 0;
  for (const e of unique) {
    const v = e.v.voucher;
    const dev = (devices[toHex(v.deviceId)] ??= { counters: [], gaps: [] });
    dev.counters.push(v.counter);
    if (rejected.has(e)) continue;
    accepted++;
    const credit = v.chain ? (e.v.paywordUnits ?? 0) * v.chain.unit : v.amount;
    const perPayee = (totals[v.payee] ??= {});
    perPayee[v.currency] = (perPayee[v.currency] ?? 0) + credit;
  }
  for (const dev of Object.values(devices)) {
    dev.counters = [...new Set(dev.counters)].sort((a, b) => a - b);
    for (let i = 1; i < dev.counters.length; i++) for (let c = dev.counters[i - 1] + 1; c < dev.counters[i]; c++) dev.gaps.push(c);
  }
  return { vouchers: inputs.length, accepted, findings, totals, devices };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
