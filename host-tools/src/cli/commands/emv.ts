// tapkit emv build|parse|check: EMV merchant-presented QR payloads on the host.
import { readFileSync } from "node:fs";
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { integerOption, optionalInteger } from "../option-values.ts";
import { buildPayload, type MerchantAccount, type MerchantProfile } from "../../emv/mpm.ts";
import { inspectPayload, type Inspection } from "../../emv/inspect.ts";
import { isSchemeId, SCHEME_IDS, SCHEMES, type SchemeId } from "../../emv/schemes.ts";
import { EXIT } from "../../errors/index.ts";
import { accountsFromText } from "../../emv/account-objects.ts";

/** The largest --ref: exact as a number, and "TK" plus its 16 digits fits 62/05's 25 characters. */
const MAX_REFERENCE = Number.MAX_SAFE_INTEGER;

export const PROFILE_OPTIONS = {
  profile: { type: "string" as const, help: "merchant profile JSON file ({name, city, country, currency, mcc, postal?, accounts:[{id, gui, fields}]})" },
  name: { type: "string" as const, help: "merchant name (59), at most 25 characters" },
  city: { type: "string" as const, help: "merchant city (60), at most 15 characters" },
  country: { type: "string" as const, help: "ISO 3166-1 alpha-2 country (58), e.g. BR" },
  currency: { type: "string" as const, help: "ISO 4217 currency (53), numeric or alphabetic: 986 or BRL" },
  mcc: { type: "string" as const, help: "merchant category code (52), e.g. 5812" },
  postal: { type: "string" as const, help: "postal code (61)" },
  "static-ref": { type: "string" as const, help: "reference label (62/05) the static code carries, e.g. '***' for Pix" },
  account: { type: "string" as const, multiple: true, help: "ID:GUID[:SUB=VALUE,...] merchant account template, repeatable (several schemes in one code)" },
};

/** The profile from --profile FILE and/or the individual flags (flags win). */
export function profileFromOptions(opts: Record<string, any>): MerchantProfile {
  let base: Partial<MerchantProfile> = {};
  if (opts.profile) {
    try {
      base = JSON.parse(readFileSync(opts.profile, "utf8"));
    } catch (e) {
      throw usageError(`cannot read profile ${opts.profile}: ${(e as Error).message}`, "pass a JSON file with name, city, country, currency, mcc, accounts");
    }
    checkProfileShape(base, opts.profile);
  }
  // Files from tapkit before 0.2 kept the accounts as EMV text (what merchant.get answers).
  const fileAccounts = typeof base.accounts === "string" ? accountsFromText(base.accounts) : base.accounts;
  const accounts = opts.account ? (opts.account as string[]).map(parseAccount) : fileAccounts;
  const ref = opts["static-ref"] === undefined ? {} : { reference: opts["static-ref"] as string };
  const p = { ...base, ...pick(opts, ["name", "city", "country", "currency", "mcc", "postal"]), ...ref, accounts: accounts ?? [] } as MerchantProfile;
  for (const k of ["name", "city", "country", "currency", "mcc"] as const) {
    if (p[k] === undefined)
      throw usageError(
        `--${k} is required (or give it in --profile)`,
        "e.g. --name 'CAFE' --city 'LISBOA' --country PT --currency 978 --mcc 5812 --account 26:PT.EXAMPLE:01=123",
      );
  }
  return p;
}

/** A profile file's JSON must be an object whose accounts (if any) are objects with an ID: `null` or `[null]` is refused. */
function checkProfileShape(base: unknown, file: string): asserts base is Partial<MerchantProfile> {
  const hint = 'a JSON object: {"name": ..., "city": ..., "country": ..., "currency": ..., "mcc": ..., "accounts": [{"id": 26, "gui": ..., "fields": {...}}]}';
  if (base === null || typeof base !== "object" || Array.isArray(base))
    throw usageError(`profile ${file} is not a JSON object (got ${JSON.stringify(base)})`, hint);
  const accounts = (base as { accounts?: unknown }).accounts;
  if (accounts === undefined) return;
  if (!Array.isArray(accounts)) throw usageError(`profile ${file}: "accounts" must be a list (got ${JSON.stringify(accounts)})`, hint);
  accounts.forEach((a, i) => {
    if (a === null || typeof a !== "object" || Array.isArray(a) || !Number.isInteger((a as { id?: unknown }).id))
      throw usageError(`profile ${file}: accounts[${i}] must be an object with a numeric "id" (got ${JSON.stringify(a)})`, hint);
  });
}

function pick(o: Record<string, any>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

function parseAccount(spec: string): MerchantAccount {
  // ID:GUID[:SUB=VALUE,...]; GUIDs (AIDs, reverse domain names) hold no colon.
  const m = /^(\d+):([^:]+)(?::(.*))?$/s.exec(spec);
  const [, id, gui, subs] = m ?? [];
  if (!m) throw usageError(`--account '${spec}': ID must be a number 02-51`, "e.g. --account 26:BR.GOV.BCB.PIX:01=key@example.com");
  const n = integerOption(id, `--account '${spec}' ID`, {
    min: 2,
    max: 51,
    what: "an account ID",
    hint: "e.g. --account 26:BR.GOV.BCB.PIX:01=key@example.com",
  });
  const fields: Record<string, string> = {};
  for (const kv of (subs ?? "").split(",").filter(Boolean)) {
    const f = /^(\d\d)=(.*)$/s.exec(kv);
    if (!f) throw usageError(`--account '${spec}': sub-object '${kv}' is not NN=value`, "e.g. 01=key@example.com");
    fields[f[1]] = f[2];
  }
  return n >= 26 ? { id: n, gui, fields } : { id: n, value: gui };
}

export const emvBuild: Command = {
  name: "emv build",
  summary: "build an EMV MPM payload (static, or dynamic with --amount)",
  usage:
    "tapkit emv build (--profile FILE | --name N --city C --country CC --currency NNN|AAA --mcc NNNN --account ID:GUID[:01=V]...) [--amount 12.34] [--bill B] [--ref N] [--json]",
  examples: [
    "tapkit emv build --name 'CAFE' --city 'LISBOA' --country PT --currency 978 --mcc 5812 --account 26:PT.EXAMPLE.PAY:01=123 --account 29:A000000677010111:01=0066812345678",
    "tapkit emv build --profile merchant.json --amount 12.34 --bill INV-7",
  ],
  options: {
    ...PROFILE_OPTIONS,
    amount: { type: "string", help: "transaction amount (54); makes the code dynamic (01 = 12)" },
    bill: { type: "string", help: "bill number (62/01)" },
    ref: { type: "string", help: "reference counter, written as reference label 62/05 TK<n>" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    // 62/05 holds 25 characters: "TK" and the counter's digits, which must stay exact.
    const reference = optionalInteger(opts.ref, "ref", { min: 1, max: MAX_REFERENCE, what: "a reference counter", hint: "e.g. --ref 17" });
    const payload = buildPayload(profileFromOptions(opts), { amount: opts.amount, bill: opts.bill, reference });
    out.result({ payload }, (r) => out.line(r.payload));
  },
};

const SCHEME_OPTION = {
  profile: {
    type: "string" as const,
    help: `rules to apply: auto (default: the scheme the code's templates name, else emvco), ${SCHEME_IDS.join(", ")}`,
  },
};

function schemeOption(v: unknown): SchemeId | "auto" {
  const s = String(v ?? "auto").toLowerCase();
  if (s === "auto" || isSchemeId(s)) return s;
  throw usageError(`--profile '${v}' is not a scheme profile`, `one of auto, ${SCHEME_IDS.join(", ")}`);
}

/** The verdict line both commands end with. */
function verdict(r: Inspection): string {
  const under = `${SCHEMES[r.profile].name}${r.detected ? " (detected)" : ""}`;
  const counts = `${r.errors} error${r.errors === 1 ? "" : "s"}, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}`;
  return `${r.errors ? "INVALID" : "OK"} under ${under}: ${r.initiation} code${r.crc ? `, CRC ${r.crc}` : ""}, ${counts}`;
}

function printFindings(out: Parameters<Command["run"]>[2], r: Inspection): void {
  // On stderr, like every tapkit error, so the listing on stdout stays clean for scripts.
  for (const x of r.findings) out.status(`${x.level}: ${x.field}: ${x.rule}\n  hint: ${x.hint}`);
}

function printRules(out: Parameters<Command["run"]>[2], r: Inspection): void {
  out.line("rules applied:");
  for (const l of r.rulesApplied) out.line(`  - ${l}`);
}

export const emvParse: Command = {
  name: "emv parse",
  summary: "show every data object of an EMV MPM payload (or upi:// URI), with rule breaches as warnings",
  usage: "tapkit emv parse PAYLOAD [--profile auto|emvco|pix|promptpay|paynow|sgqr|vietqr|duitnow|qris|upi] [--json]",
  examples: ["tapkit emv parse '000201010211...6304ABCD' --json", 'tapkit emv parse "$(zbarimg -q --raw sticker.png)" --profile promptpay'],
  positionals: [1, 1],
  options: { ...SCHEME_OPTION, ...JSON_OPTION },
  async run(opts, [payload], out) {
    const r = inspectPayload(payload, schemeOption(opts.profile));
    out.result({ ok: r.errors === 0, ...r }, () => {
      for (const o of r.objects) {
        out.line(`${o.id} ${String(Array.from(o.value).length).padStart(2, "0")} ${o.value}`);
        for (const s of r.templates[o.id] ?? []) out.line(`   ${s.id} ${String(Array.from(s.value).length).padStart(2, "0")} ${s.value}`);
      }
      printFindings(out, r);
      out.line(verdict(r));
    });
    return r.errors ? EXIT.failure : EXIT.ok;
  },
};

export const emvCheck: Command = {
  name: "emv check",
  summary: "check an EMV MPM payload against EMVCo or a national scheme's rules; exits 1 if it breaks one",
  usage: "tapkit emv check PAYLOAD [--profile auto|emvco|pix|promptpay|paynow|sgqr|vietqr|duitnow|qris|upi] [--json]",
  examples: ['tapkit emv check "$(cat payload.txt)"', "tapkit emv check --profile pix '00020126580014br.gov.bcb.pix...'"],
  positionals: [1, 1],
  options: { ...SCHEME_OPTION, ...JSON_OPTION },
  async run(opts, [payload], out) {
    const r = inspectPayload(payload, schemeOption(opts.profile));
    out.result(
      {
        ok: r.errors === 0,
        profile: r.profile,
        detected: r.detected,
        rulesApplied: r.rulesApplied,
        initiation: r.initiation,
        crc: r.crc,
        objects: r.objects.length,
        findings: r.findings,
      },
      () => {
        printFindings(out, r);
        printRules(out, r);
        out.line(verdict(r));
      },
    );
    return r.errors ? EXIT.failure : EXIT.ok;
  },
};

export const EMV_COMMANDS: Command[] = [emvBuild, emvParse, emvCheck];
