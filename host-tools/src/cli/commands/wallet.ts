// Wallet commands: `verify voucher`, `settle`, `wallet pay`, `issuer init`, `issuer certify`,
// `issuer sync`, the owner's `wallet status|log|limits|fund|close|pin` (PIN-guarded APDUs),
// and the plaque acceptor at the bench: `wallet plaque-setup`, `wallet accept`, `wallet export`.
// Thin: parse options, call host-tools/src/wallet, print. Exit 1 with the library's
// reason and hint when a voucher or batch is refused.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION, READER_OPTION } from "../command.ts";
import { CliError, EXIT, table } from "../output.ts";
import { withDevice, withNfcPath } from "./connect.ts";
import { parseHex, toHex } from "../../bytes/hex.ts";
import {
  acceptPayment, openPaywordChain, paywordTap, PlaqueAcceptor,
  COSE_ALG_EDDSA, COSE_ALG_ES256, decodeBundle, decodeCertPayload, decodeSign1, encodeBundle, issuerInit, loadIssuer, provisionOverLink, readRootKey, readWalletInfo, settle, syncCard, verifyVoucher, WalletCard, walletOverLink, WalletError, type LogEntry, type SubWalletLimits,
} from "../../wallet/index.ts";

function uintOpt(value: string | undefined, name: string, dflt?: number): number {
  if (value === undefined) {
    if (dflt !== undefined) return dflt;
    throw new CliError("usage", `--${name} is required`, `e.g. --${name} 100`, EXIT.usage);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new CliError("usage", `--${name} must be a whole number of minor units (got '${value}')`, "amounts are integers, e.g. 250 for 2.50 EUR", EXIT.usage);
  return n;
}

function readFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError("usage", `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "check the path", EXIT.usage);
  }
}

function refused(e: unknown): never {
  if (e instanceof WalletError) throw new CliError(e.code, e.message, e.hint, EXIT.failure);
  throw e;
}

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
    if (!opts.root) throw new CliError("usage", "--root is required", "pass the issuer root public key (root.pub from `tapkit issuer init`)", EXIT.usage);
    try {
      const v = verifyVoucher(decodeBundle(readFile(file), file), readRootKey(opts.root), {
        challenge: opts.challenge ? parseHex(opts.challenge) : undefined,
        payee: opts.payee,
      });
      const p = v.voucher;
      const result = { valid: true, device: toHex(p.deviceId), counter: p.counter, amount: p.amount, currency: p.currency, payee: p.payee, challenge: toHex(p.challenge), subWallet: p.subWallet, balanceAfter: p.balanceAfter, epoch: p.epoch, time: p.time ?? null, digest: toHex(v.digest) };
      out.result(result, (r) => {
        out.line(`voucher OK: ${r.amount} ${r.currency} to ${r.payee} from card ${r.device} (counter ${r.counter}, balance after ${r.balanceAfter})`);
      });
    } catch (e) {
      refused(e);
    }
  },
};

export const settleCommand: Command = {
  name: "settle",
  summary: "settle a directory of voucher bundles: totals, duplicates, replays, counter reuse, envelope breaches",
  usage: "tapkit settle DIR --root KEY [--json]",
  examples: ["tapkit settle uploads/2024-06-01 --root issuer/root.pub", "tapkit settle vouchers/ --root root.pub --json"],
  positionals: [1, 1],
  options: { root: { type: "string", help: "issuer root public key (hex or file)" }, ...JSON_OPTION },
  async run(opts, [dir], out) {
    if (!opts.root) throw new CliError("usage", "--root is required", "pass the issuer root public key", EXIT.usage);
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile()).sort();
    } catch (e) {
      throw new CliError("usage", `cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code}`, "pass the folder holding the uploaded voucher bundles", EXIT.usage);
    }
    const report = settle(names.map((name) => ({ name, bytes: readFile(join(dir, name)) })), (() => { try { return readRootKey(opts.root); } catch (e) { return refused(e); } })());
    out.result(report, (r) => {
      out.line(`${r.vouchers} file(s), ${r.accepted} credited`);
      for (const [payee, cur] of Object.entries(r.totals)) for (const [c, amt] of Object.entries(cur as Record<string, number>)) out.line(`  ${payee}: ${amt} ${c}`);
      if (r.findings.length) {
        out.line("findings:");
        out.line(table(r.findings.map((f: { kind: string; items: string[]; message: string }) => [`  ${f.kind}`, f.items.join(", "), f.message])));
      }
    });
    return report.findings.length ? EXIT.failure : EXIT.ok;
  },
};

export const walletPay: Command = {
  name: "wallet pay",
  summary: "run one offline payment against a card (nfc-test channel or a PC/SC reader) and print (or save) the voucher",
  usage: "tapkit wallet pay (--port PORT | --reader NAME) --amount A --currency C --payee ID [--sub N] [--out FILE] [--json]",
  examples: [
    "tapkit wallet pay --reader 'Virtual PCD 00 00' --amount 250 --currency EUR --payee shop-42   # card on a PC/SC reader","tapkit wallet pay --port /dev/ttyUSB0 --amount 250 --currency EUR --payee shop-42", "tapkit wallet pay --port tcp:127.0.0.1:7301 --amount 100 --currency EUR --payee kiosk --out v1.voucher --json"],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    amount: { type: "string", help: "amount in minor units (250 = 2.50)" },
    currency: { type: "string", help: "ISO 4217 code the card is certified for" },
    payee: { type: "string", help: "payee id (1..32 characters)" },
    sub: { type: "string", help: "sub-wallet (default 0, the main wallet)" },
    challenge: { type: "string", help: "payee challenge in hex (default: 16 random bytes)" },
    out: { type: "string", help: "write the voucher bundle (voucher + chain) here" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const amount = uintOpt(opts.amount, "amount");
    if (!opts.currency || !/^[A-Z]{3}$/.test(opts.currency)) throw new CliError("usage", "--currency must be an ISO 4217 code such as EUR", "see `tapkit info --json` for the card's currency", EXIT.usage);
    if (!opts.payee) throw new CliError("usage", "--payee is required", "e.g. --payee shop-42", EXIT.usage);
    const result = await withNfcPath(opts, async (nfc) => {
      const card = new WalletCard((apdu) => nfc.apdu(apdu));
      try {
        await card.select();
        const chain = await card.chain();
        const { voucher, challenge } = await card.pay({ amount, currency: opts.currency, payee: opts.payee, subWallet: uintOpt(opts.sub, "sub", 0), challenge: opts.challenge ? parseHex(opts.challenge) : undefined });
        return { voucher, challenge, chain };
      } catch (e) {
        return refused(e);
      }
    });
    const bundle = encodeBundle({ voucher: result.voucher, chain: result.chain });
    if (opts.out) writeFileSync(opts.out, bundle);
    out.result({ voucher: toHex(result.voucher), challenge: toHex(result.challenge), bundle: opts.out ?? null }, (r) => {
      out.line(`voucher (${result.voucher.length} bytes, COSE_Sign1): ${r.voucher}`);
      out.line(`challenge: ${r.challenge}`);
      if (r.bundle) out.line(`bundle written to ${r.bundle}`);
    });
  },
};

export const issuerInitCommand: Command = {
  name: "issuer init",
  summary: "create an issuer directory: root and batch keys, batch certificate, root.pub",
  usage: "tapkit issuer init DIR [--alg ed25519|p256] [--json]",
  examples: ["tapkit issuer init lab-issuer", "tapkit issuer init lab-issuer-p256 --alg p256"],
  positionals: [1, 1],
  options: { alg: { type: "string", help: "ed25519 (default) or p256" }, ...JSON_OPTION },
  async run(opts, [dir], out) {
    const alg = opts.alg === undefined || opts.alg === "ed25519" ? COSE_ALG_EDDSA : opts.alg === "p256" ? COSE_ALG_ES256 : null;
    if (alg === null) throw new CliError("usage", `--alg must be ed25519 or p256 (got '${opts.alg}')`, "Ed25519 is the default", EXIT.usage);
    try {
      const f = issuerInit(dir, alg);
      out.result({ dir, root: toHex(f.root.publicKey), batch: toHex(f.batch.publicKey) }, (r) => {
        out.line(`issuer created in ${r.dir}; root public key (pin it in verifiers): ${r.root}`);
      });
    } catch (e) {
      refused(e);
    }
  },
};

export const issuerCertify: Command = {
  name: "issuer certify",
  summary: "certify a blank card's device key and provision chain, envelope, opening balance and PIN",
  usage: "tapkit issuer certify --port PORT --issuer DIR --currency C --balance N --pin PIN [--per N --cumulative N --count N --max N] [--slot 0|1] [--json]",
  examples: ["tapkit issuer certify --port /dev/ttyUSB0 --issuer lab-issuer --currency EUR --balance 10000 --pin 1234"],
  options: {
    ...PORT_OPTION,
    issuer: { type: "string", help: "issuer directory from `tapkit issuer init`" },
    currency: { type: "string", help: "ISO 4217 code" },
    balance: { type: "string", help: "opening offline balance (minor units)" },
    pin: { type: "string", help: "owner PIN, 4..8 digits" },
    per: { type: "string", help: "per-payment cap (default 2000)" },
    cumulative: { type: "string", help: "cumulative cap per sync (default 5000)" },
    count: { type: "string", help: "payments per sync (default 10)" },
    max: { type: "string", help: "maximum balance (default 50000)" },
    slot: { type: "string", help: "device key slot: 0 Ed25519 (default), 1 P-256 on the demo set-up" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.issuer) throw new CliError("usage", "--issuer is required", "create one with `tapkit issuer init DIR`", EXIT.usage);
    if (!opts.pin) throw new CliError("usage", "--pin is required", "4..8 digits", EXIT.usage);
    if (!opts.currency) throw new CliError("usage", "--currency is required", "e.g. EUR", EXIT.usage);
    const limits = { perPayment: uintOpt(opts.per, "per", 2000), cumulative: uintOpt(opts.cumulative, "cumulative", 5000), maxCount: uintOpt(opts.count, "count", 10), maxBalance: uintOpt(opts.max, "max", 50000) };
    const balance = uintOpt(opts.balance, "balance");
    let issuer;
    try {
      issuer = loadIssuer(opts.issuer);
    } catch (e) {
      refused(e);
    }
    const chain = await withDevice(opts, (d) => provisionOverLink(d, issuer!, { pin: opts.pin, balance, currency: opts.currency, limits, slot: uintOpt(opts.slot, "slot", 0) }));
    out.result({ chain: chain.map(toHex), balance, currency: opts.currency, limits }, () => out.line(`card provisioned: ${balance} ${opts.currency}, envelope ${JSON.stringify(limits)}`));
  },
};

export const issuerSync: Command = {
  name: "issuer sync",
  summary: "sync a card with the issuer: next epoch (resets the per-sync cap and count), optional top-up and new envelope",
  usage: "tapkit issuer sync (--port PORT | --reader NAME) --issuer DIR [--top-up N] [--settled-counter N] [--per N --cumulative N --max-count N --max-balance N] [--json]",
  examples: [
    "tapkit issuer sync --port /dev/ttyUSB0 --issuer lab-issuer --top-up 5000 --settled-counter 12",
    "tapkit issuer sync --reader 'Virtual PCD 00 00' --issuer lab-issuer   # reset the envelope, no top-up",
    "tapkit issuer sync --port tcp:127.0.0.1:7301 --issuer lab-issuer --per 3000 --cumulative 9000 --max-count 20 --max-balance 60000 --json",
  ],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    issuer: { type: "string", help: "issuer directory from `tapkit issuer init` (its batch key signs the token)" },
    "top-up": { type: "string", help: "credit to sub-wallet 0 in minor units (default 0)" },
    "settled-counter": { type: "string", help: "highest voucher counter of this card the issuer has settled (default 0; the card refuses one above its own)" },
    per: { type: "string", help: "new envelope: per-payment cap (all four envelope options together)" },
    cumulative: { type: "string", help: "new envelope: cumulative cap per sync" },
    "max-count": { type: "string", help: "new envelope: payments per sync" },
    "max-balance": { type: "string", help: "new envelope: maximum balance" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.issuer) throw new CliError("usage", "--issuer is required", "the issuer directory that certified the card (`tapkit issuer init DIR`)", EXIT.usage);
    const envKeys = ["per", "cumulative", "max-count", "max-balance"] as const;
    const given = envKeys.filter((k) => opts[k] !== undefined);
    if (given.length !== 0 && given.length !== 4) throw new CliError("usage", `a new envelope needs all of --per, --cumulative, --max-count and --max-balance (got ${given.map((k) => `--${k}`).join(", ")})`, "omit all four to keep the card's envelope", EXIT.usage);
    const envelope = given.length ? { perPayment: uintOpt(opts.per, "per"), cumulative: uintOpt(opts.cumulative, "cumulative"), maxCount: uintOpt(opts["max-count"], "max-count"), maxBalance: uintOpt(opts["max-balance"], "max-balance") } : undefined;
    const topUp = uintOpt(opts["top-up"], "top-up", 0);
    const settledCounter = uintOpt(opts["settled-counter"], "settled-counter", 0);
    let issuer;
    try {
      issuer = loadIssuer(opts.issuer);
    } catch (e) {
      refused(e);
    }
    const r = await withNfcPath(opts, async (nfc) => {
      try {
        return await syncCard(new WalletCard((apdu) => nfc.apdu(apdu)), issuer!.batch, { topUp, settledCounter, envelope });
      } catch (e) {
        return refused(e);
      }
    });
    out.result({ kid: toHex(r.kid), epochBefore: r.epochBefore, epoch: r.epoch, balanceBefore: r.balanceBefore, balance: r.balance, topUp, settledCounter, counter: r.counter, envelope: envelope ?? null, tokenBytes: r.token.length }, (x) => {
      out.line(`card ${x.kid}: epoch ${x.epochBefore} -> ${x.epoch}, balance ${x.balanceBefore} -> ${x.balance} (top-up ${x.topUp}); cap and count since sync reset`);
      if (x.envelope) out.line(`new envelope ${JSON.stringify(x.envelope)}`);
    });
  },
};

export const plaqueSetup: Command = {
  name: "wallet plaque-setup",
  summary: "provision a plaque as offline acceptor: issuer root, payee id, currency",
  usage: "tapkit wallet plaque-setup --plaque PORT --root KEY --payee ID --currency C [--json]",
  examples: ["tapkit wallet plaque-setup --plaque /dev/ttyUSB1 --root lab-issuer/root.pub --payee shop-42 --currency EUR"],
  options: {
    plaque: { type: "string", help: "the plaque's link port" },
    root: { type: "string", help: "issuer root public key (hex or root.pub)" },
    payee: { type: "string", help: "this plaque's payee id (1..32 characters)" },
    currency: { type: "string", help: "ISO 4217 code it accepts" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.root || !opts.payee || !opts.currency) throw new CliError("usage", "--root, --payee and --currency are required", "e.g. --root issuer/root.pub --payee shop-42 --currency EUR", EXIT.usage);
    const root = (() => { try { return readRootKey(opts.root); } catch (e) { return refused(e); } })();
    await withDevice({ port: opts.plaque }, async (d) => new PlaqueAcceptor(d).setup(root, opts.payee, opts.currency).catch(refused));
    out.result({ payee: opts.payee, currency: opts.currency, root: toHex(root) }, (r) => out.line(`plaque accepts ${r.currency} for ${r.payee} under root ${r.root}`));
  },
};

export const walletAccept: Command = {
  name: "wallet accept",
  summary: "relay one payment card -> plaque at the bench: the plaque's challenge, the card's voucher, the plaque's verdict",
  usage: "tapkit wallet accept --card PORT --plaque PORT --amount A [--sub N] [--json] | --unit U --length N [--taps K]",
  examples: ["tapkit wallet accept --card tcp:127.0.0.1:7301 --plaque tcp:127.0.0.1:7302 --amount 250", "tapkit wallet accept --card P1 --plaque P2 --unit 5 --length 100 --taps 3 --json"],
  options: {
    card: { type: "string", help: "the card's link port (its wallet applet over the nfc-test channel)" },
    plaque: { type: "string", help: "the plaque's link port" },
    amount: { type: "string", help: "amount in minor units" },
    sub: { type: "string", help: "sub-wallet (default 0)" },
    unit: { type: "string", help: "PayWord: value of one word (opens a chain instead of a plain payment)" },
    length: { type: "string", help: "PayWord: chain length n (reserves unit x n)" },
    taps: { type: "string", help: "PayWord: words to release after opening (default 1)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.card || !opts.plaque) throw new CliError("usage", "--card and --plaque are required", "the bench relays between the two devices' link ports", EXIT.usage);
    const chainMode = opts.unit !== undefined;
    const amount = chainMode ? 0 : uintOpt(opts.amount, "amount");
    const result = await withDevice({ port: opts.card }, (c) =>
      withDevice({ port: opts.plaque }, async (p) => {
        const card = walletOverLink(c);
        const plaque = new PlaqueAcceptor(p);
        try {
          if (!chainMode) return { ...(await acceptPayment(card, plaque, { amount, subWallet: uintOpt(opts.sub, "sub", 0) })), units: undefined as number | undefined };
          const unit = uintOpt(opts.unit, "unit");
          const open = await openPaywordChain(card, plaque, unit, uintOpt(opts.length, "length"), uintOpt(opts.sub, "sub", 0));
          let units = 0;
          for (let i = 1; i <= uintOpt(opts.taps, "taps", 1); i++) units = (await paywordTap(card, plaque, open.slot, i)).units;
          return { ...open, units };
        } catch (e) {
          return refused(e);
        }
      }),
    );
    out.result({ accepted: true, slot: result.slot, counter: result.counter, amount: result.amount, payee: result.payee, currency: result.currency, challenge: toHex(result.challenge), voucher: toHex(result.voucher), units: result.units ?? null }, (r) => {
      out.line(`plaque accepted ${r.amount} ${r.currency} for ${r.payee} (card counter ${r.counter}, slot ${r.slot})`);
      if (r.units !== null) out.line(`PayWord: ${r.units} unit(s) proved`);
    });
  },
};

export const walletExport: Command = {
  name: "wallet export",
  summary: "export the plaque's held vouchers as bundles for `tapkit settle` (optionally clear them after)",
  usage: "tapkit wallet export --plaque PORT --out DIR [--clear] [--json]",
  examples: ["tapkit wallet export --plaque /dev/ttyUSB1 --out uploads/today --clear"],
  options: {
    plaque: { type: "string", help: "the plaque's link port" },
    out: { type: "string", help: "directory to write one bundle per voucher into" },
    clear: { type: "boolean", help: "clear the plaque once every bundle is written" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.out) throw new CliError("usage", "--out DIR is required", "the directory `tapkit settle DIR` will read", EXIT.usage);
    const r = await withDevice({ port: opts.plaque }, async (d) => {
      const plaque = new PlaqueAcceptor(d);
      const bundles = await plaque.exportAll().catch(refused);
      mkdirSync(opts.out, { recursive: true });
      const stamp = Date.now().toString(36);
      const files = bundles.map((b, i) => {
        const f = join(opts.out, `plaque-${stamp}-${String(i).padStart(3, "0")}.voucher`);
        writeFileSync(f, b);
        return f;
      });
      // Cleared only after every file is on disk.
      const cleared = opts.clear ? await plaque.clear().catch(refused) : 0;
      return { files, cleared };
    });
    out.result(r, (x) => out.line(`${x.files.length} voucher bundle(s) written to ${opts.out}${opts.clear ? `; ${x.cleared} cleared on the plaque` : ""}`));
  },
};

// ---- Owner operations (docs/wallet-apdu.md: VERIFY PIN, CHANGE PIN, SET LIMITS, FUND / CLOSE
// SUB-WALLET, READ RECORD, GET DATA). Same paths as `wallet pay`: the link's nfc-test
// channel (--port) or a PC/SC reader (--reader). The PIN is verified in the same tap as the
// operation it guards; `--pin -` reads it from stdin.

const NFC_PATH_USAGE = "(--port PORT | --reader NAME)";
const PIN_RE = /^[0-9]{4,8}$/;
let stdinLines: string[] | null = null;

/** A PIN option: 4..8 digits, or `-` for the next line of stdin. Checked here, since the card counts a malformed PIN as a wrong try. */
function pinOpt(value: string | undefined, name: string): string {
  if (value === undefined) throw new CliError("usage", `--${name} is required`, `the owner PIN, 4..8 digits (or --${name} - to read it from stdin)`, EXIT.usage);
  let pin = value;
  if (value === "-") {
    if (stdinLines === null) {
      try {
        stdinLines = readFileSync(0, "utf8").split(/\r?\n/);
      } catch (e) {
        throw new CliError("usage", `--${name} -: cannot read stdin (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, "pipe the PIN in, e.g. `printf '1234\\n' | tapkit wallet fund ... --pin -`", EXIT.usage);
      }
    }
    pin = (stdinLines.shift() ?? "").trim();
  }
  if (!PIN_RE.test(pin)) throw new CliError("usage", `--${name} must be 4..8 digits${value === "-" ? " (read from stdin)" : ""}`, "the card would count a malformed PIN as a wrong try, so it is not sent", EXIT.usage);
  return pin;
}

function subOpt(value: string | undefined, min: number): number {
  const s = uintOpt(value, "sub");
  if (s < min || s > 3) throw new CliError("usage", `--sub must be ${min}..3 (got ${s})`, min === 0 ? "0 is the main wallet, 1..3 the sub-wallets" : "sub-wallets are 1..3; 0 is the main wallet they are funded from", EXIT.usage);
  return s;
}

/** Card errors as CLI errors, with the PIN's state spelled out. */
function ownerRefused(e: unknown): never {
  if (e instanceof WalletError) {
    if (e.code === "PIN_WRONG") {
      const left = /(\d+) tries left/.exec(e.message)?.[1];
      throw new CliError(e.code, `wrong PIN: ${left ?? "?"} ${left === "1" ? "try" : "tries"} left`, `check the PIN before trying again; after ${left ?? "the remaining"} more wrong ${left === "1" ? "try" : "tries"} the PIN is blocked for good (payments keep working)`, EXIT.failure);
    }
    if (e.code === "PIN_BLOCKED") throw new CliError(e.code, "the owner PIN is blocked (no tries left)", "owner operations are locked for good; payments under the envelope keep working; the issuer must replace the card", EXIT.failure);
    if (e.code === "CARD_REFUSED" && e.reason !== undefined) throw new CliError(e.code, `${e.message} (reason ${e.reason.toString(16).toUpperCase().padStart(2, "0")})`, e.hint, EXIT.failure);
  }
  return refused(e);
}

/** Selects the wallet on the chosen path; with a PIN, verifies it first (same tap). */
async function withOwnerCard<T>(opts: Record<string, any>, pin: string | null, fn: (card: WalletCard) => Promise<T>): Promise<T> {
  return withNfcPath(opts, async (nfc) => {
    const card = new WalletCard((apdu) => nfc.apdu(apdu));
    try {
      const sel = await card.select();
      if (!sel.active) throw new WalletError("NOT_PROVISIONED", "the card's wallet is blank (not provisioned)", "provision it first: tapkit issuer certify --port P --issuer DIR ...");
      if (pin !== null) {
        const tries = (await card.info()).pin ?? 0;
        if (tries === 0) throw new WalletError("PIN_BLOCKED", "PIN blocked", "");
        await card.verifyPin(pin);
      }
      return await fn(card);
    } catch (e) {
      return ownerRefused(e);
    }
  });
}


function balanceRows(b: { open: boolean; balance: number }[]) {
  return b.map((x, sub) => ({ sub, open: x.open, balance: x.balance }));
}

export const walletStatus: Command = {
  name: "wallet status",
  summary: "the card's balances, caps and use since the last sync per sub-wallet, voucher counter, sync epoch, PIN tries left",
  usage: `tapkit wallet status ${NFC_PATH_USAGE} [--json]`,
  examples: ["tapkit wallet status --port /dev/ttyUSB0", "tapkit wallet status --reader 'Virtual PCD 00 00' --json"],
  options: { ...PORT_OPTION, ...READER_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const r = await withOwnerCard(opts, null, async (card) => {
      const info = await card.info();
      const balances = balanceRows(await card.balances());
      const limits = await card.limits();
      let envelope = null;
      try {
        const device = (await card.chain())[1];
        envelope = decodeCertPayload(decodeSign1(device, "device certificate").payload).limits ?? null;
      } catch {
        envelope = null;
      }
      const subs = balances.map((b) => ({ ...b, ...limits.subWallets[b.sub] }));
      const { subWallets: _subs, ...card_ } = limits;
      return { kid: toHex(info.kid), currency: info.cur ?? null, counter: info.ctr ?? 0, epoch: info.epoch ?? 0, pinTriesLeft: info.pin ?? 0, pinBlocked: (info.pin ?? 0) === 0, balances: subs, total: balances.reduce((a, b) => a + b.balance, 0), limits: card_, envelope };
    });
    out.result(r, (x) => {
      out.line(`card ${x.kid} (${x.currency}): counter ${x.counter}, epoch ${x.epoch}, PIN ${x.pinBlocked ? "BLOCKED" : `${x.pinTriesLeft} tries left`}`);
      out.line(table([
        ["  sub", "state", "balance", "per payment", "cumulative (used)", "payments (used)"],
        ...x.balances.map((b: { sub: number; open: boolean; balance: number } & SubWalletLimits) => [`  ${b.sub}${b.sub === 0 ? " (main)" : ""}`, b.open ? "open" : "closed", String(b.balance), String(b.perPayment), `${b.cumulative} (${b.spent})`, `${b.maxCount} (${b.count})`]),
      ]));
      out.line(`  total ${x.total} ${x.currency}`);
      const l = x.limits;
      out.line(`card envelope (epoch ${x.epoch}): per payment ${l.perPayment}, cumulative ${l.cumulative} (used ${l.spent}), ${l.maxCount} payments (used ${l.count}), max balance ${l.maxBalance}`);
      if (x.envelope) out.line(`certified envelope (device certificate): per payment ${x.envelope.perPayment}, cumulative ${x.envelope.cumulative}, ${x.envelope.maxCount} payments per sync, max balance ${x.envelope.maxBalance}`);
    });
  },
};

export const walletLog: Command = {
  name: "wallet log",
  summary: "the card's transaction log (newest 64 kept): payments, funding, closes, chain refunds, syncs",
  usage: `tapkit wallet log ${NFC_PATH_USAGE} [--count N] [--json]`,
  examples: ["tapkit wallet log --port /dev/ttyUSB0", "tapkit wallet log --reader 'Virtual PCD 00 00' --count 5 --json"],
  options: { ...PORT_OPTION, ...READER_OPTION, count: { type: "string", help: "newest N entries (default 16, at most 64)" }, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const count = uintOpt(opts.count, "count", 16);
    if (count < 1 || count > 64) throw new CliError("usage", `--count must be 1..64 (got ${count})`, "the card keeps the newest 64 entries", EXIT.usage);
    // oldest first, in sequence order
    const entries = (await withOwnerCard(opts, null, (card) => card.log(count))).reverse();
    out.result({ entries }, (x) => {
      if (!x.entries.length) return out.line("log is empty");
      out.line(table([["seq", "kind", "sub", "amount", "balance after", "counter", "payee"], ...x.entries.map((e: LogEntry) => [String(e.seq), e.kind, String(e.subWallet), String(e.amount), String(e.balanceAfter), String(e.counter), e.payee])]));
    });
  },
};

export const walletLimits: Command = {
  name: "wallet limits",
  summary: "set a sub-wallet's limits (at or below the issuer envelope); needs the owner PIN",
  usage: `tapkit wallet limits ${NFC_PATH_USAGE} --sub N --per A --cumulative A --max-count N --pin PIN [--json]`,
  examples: ["tapkit wallet limits --port /dev/ttyUSB0 --sub 1 --per 500 --cumulative 2000 --max-count 5 --pin 1234", "printf '1234\\n' | tapkit wallet limits --reader 'Virtual PCD 00 00' --sub 0 --per 1000 --cumulative 5000 --max-count 10 --pin -"],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    sub: { type: "string", help: "sub-wallet 0..3 (0 = main; 1..3 must be open)" },
    per: { type: "string", help: "per-payment cap, minor units" },
    cumulative: { type: "string", help: "cumulative cap per sync, minor units" },
    "max-count": { type: "string", help: "payments per sync" },
    pin: { type: "string", help: "owner PIN (4..8 digits), or - to read it from stdin" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const sub = subOpt(opts.sub, 0);
    const limits = { perPayment: uintOpt(opts.per, "per"), cumulative: uintOpt(opts.cumulative, "cumulative"), maxCount: uintOpt(opts["max-count"], "max-count") };
    const pin = pinOpt(opts.pin, "pin");
    await withOwnerCard(opts, pin, (card) => card.setLimits(sub, limits.perPayment, limits.cumulative, limits.maxCount));
    out.result({ sub, ...limits }, (x) => out.line(`sub-wallet ${x.sub}: per payment ${x.perPayment}, cumulative ${x.cumulative}, ${x.maxCount} payments per sync`));
  },
};

export const walletFund: Command = {
  name: "wallet fund",
  summary: "move value from the main wallet (0) into sub-wallet 1..3, opening it; needs the owner PIN",
  usage: `tapkit wallet fund ${NFC_PATH_USAGE} --sub N --amount A --pin PIN [--json]`,
  examples: ["tapkit wallet fund --port /dev/ttyUSB0 --sub 1 --amount 2000 --pin 1234", "tapkit wallet fund --reader 'Virtual PCD 00 00' --sub 2 --amount 500 --pin - --json < pin.txt"],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    sub: { type: "string", help: "sub-wallet 1..3" },
    amount: { type: "string", help: "minor units moved from sub-wallet 0" },
    pin: { type: "string", help: "owner PIN (4..8 digits), or - to read it from stdin" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const sub = subOpt(opts.sub, 1);
    const amount = uintOpt(opts.amount, "amount");
    const pin = pinOpt(opts.pin, "pin");
    const balances = await withOwnerCard(opts, pin, async (card) => {
      await card.fund(sub, amount);
      return balanceRows(await card.balances());
    });
    out.result({ sub, amount, balances }, (x) => out.line(`moved ${x.amount} from sub-wallet 0 to ${x.sub}: balances ${x.balances.map((b: { sub: number; balance: number }) => `${b.sub}=${b.balance}`).join(" ")}`));
  },
};

export const walletClose: Command = {
  name: "wallet close",
  summary: "close sub-wallet 1..3: its balance returns to the main wallet (0); needs the owner PIN",
  usage: `tapkit wallet close ${NFC_PATH_USAGE} --sub N --pin PIN [--json]`,
  examples: ["tapkit wallet close --port /dev/ttyUSB0 --sub 1 --pin 1234", "tapkit wallet close --reader 'Virtual PCD 00 00' --sub 2 --pin - --json"],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    sub: { type: "string", help: "sub-wallet 1..3" },
    pin: { type: "string", help: "owner PIN (4..8 digits), or - to read it from stdin" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const sub = subOpt(opts.sub, 1);
    const pin = pinOpt(opts.pin, "pin");
    const r = await withOwnerCard(opts, pin, async (card) => {
      const moved = (await card.balances())[sub]?.balance ?? 0;
      await card.close(sub);
      return { moved, balances: balanceRows(await card.balances()) };
    });
    out.result({ sub, ...r }, (x) => out.line(`sub-wallet ${x.sub} closed: ${x.moved} back to the main wallet (balance ${x.balances[0].balance})`));
  },
};

export const walletPin: Command = {
  name: "wallet pin",
  summary: "change the owner PIN (the old one is verified first; the new one gets a full retry counter)",
  usage: `tapkit wallet pin ${NFC_PATH_USAGE} --pin OLD --new NEW [--json]`,
  examples: ["tapkit wallet pin --port /dev/ttyUSB0 --pin 1234 --new 9876", "printf '1234\\n9876\\n' | tapkit wallet pin --reader 'Virtual PCD 00 00' --pin - --new -"],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    pin: { type: "string", help: "current owner PIN, or - to read it from stdin (first line)" },
    new: { type: "string", help: "new PIN, 4..8 digits, or - to read it from stdin (next line)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const pin = pinOpt(opts.pin, "pin");
    const next = pinOpt(opts.new, "new");
    await withOwnerCard(opts, pin, (card) => card.changePin(next));
    out.result({ changed: true }, () => out.line("PIN changed"));
  },
};

export const WALLET_COMMANDS: Command[] = [walletPay, walletStatus, walletLog, walletLimits, walletFund, walletClose, walletPin, walletAccept, walletExport, plaqueSetup, verifyVoucherCommand, settleCommand, issuerInitCommand, issuerCertify, issuerSync];

/** For `tapkit info --json` on a card: its public key and chain, or null on other boards. */
export async function walletInfoFor(d: Parameters<typeof readWalletInfo>[0]): Promise<Record<string, unknown> | null> {
  try {
    const w = await readWalletInfo(d);
    return { ...w.info, kid: toHex(w.info.kid), pub: toHex(w.info.pub), chain: w.chain.map(toHex) };
  } catch {
    return null;
  }
}
