// The issuer's commands: `issuer init` (root and batch keys), `issuer certify` (a blank card
// becomes a wallet: chain, envelope, opening balance, PIN) and `issuer sync` (next epoch,
// top-up, new envelope). The flows are the wallet library's (issuer.ts, card-link.ts,
// sync-token.ts); these commands parse and print.
import { walletCurrencyOption } from "../../currency-option.ts";
import type { Command } from "../../command.ts";
import { JSON_OPTION, PORT_OPTION, READER_OPTION } from "../../command.ts";
import { usageError } from "../../output.ts";
import { withDevice, withNfcPath } from "../connect.ts";
import { toHex } from "../../../bytes/hex.ts";
import { COSE_ALG_EDDSA, COSE_ALG_ES256, issuerInit, loadIssuer, provisionOverLink, syncCard, WalletCard } from "../../../wallet/index.ts";
import { amountOption, countOption, integerOption, MAX_MINOR_UNITS } from "../../option-values.ts";

export const issuerInitCommand: Command = {
  name: "issuer init",
  summary: "create an issuer directory: root and batch keys, batch certificate, root.pub",
  usage: "tapkit issuer init DIR [--alg ed25519|p256] [--json]",
  examples: ["tapkit issuer init lab-issuer", "tapkit issuer init lab-issuer-p256 --alg p256"],
  positionals: [1, 1],
  options: { alg: { type: "string", help: "ed25519 (default) or p256" }, ...JSON_OPTION },
  async run(opts, [dir], out) {
    const alg = opts.alg === undefined || opts.alg === "ed25519" ? COSE_ALG_EDDSA : opts.alg === "p256" ? COSE_ALG_ES256 : null;
    if (alg === null) throw usageError(`--alg must be ed25519 or p256 (got '${opts.alg}')`, "Ed25519 is the default");
    const f = issuerInit(dir, alg);
    out.result({ dir, root: toHex(f.root.publicKey), batch: toHex(f.batch.publicKey) }, (r) => {
      out.line(`issuer created in ${r.dir}; root public key (pin it in verifiers): ${r.root}`);
    });
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
    if (!opts.issuer) throw usageError("--issuer is required", "create one with `tapkit issuer init DIR`");
    if (!opts.pin) throw usageError("--pin is required", "4..8 digits");
    const currency = walletCurrencyOption(opts.currency);
    const limits = {
      perPayment: amountOption(opts.per, "per", 2000),
      cumulative: amountOption(opts.cumulative, "cumulative", 5000),
      maxCount: countOption(opts.count, "count", 1, MAX_MINOR_UNITS, 10),
      maxBalance: amountOption(opts.max, "max", 50000),
    };
    const balance = amountOption(opts.balance, "balance");
    const slot = integerOption(opts.slot, "slot", { min: 0, max: 1, what: "a key slot", hint: "0 Ed25519 (default), 1 P-256" }, 0);
    const issuer = loadIssuer(opts.issuer);
    const chain = await withDevice(opts, (d) => provisionOverLink(d, issuer, { pin: opts.pin, balance, currency, limits, slot }));
    out.result({ chain: chain.map(toHex), balance, currency, limits }, () =>
      out.line(`card provisioned: ${balance} ${currency}, envelope ${JSON.stringify(limits)}`),
    );
  },
};

export const issuerSync: Command = {
  name: "issuer sync",
  summary: "sync a card with the issuer: next epoch (resets the per-sync cap and count), optional top-up and new envelope",
  usage:
    "tapkit issuer sync (--port PORT | --reader NAME) --issuer DIR [--top-up N] [--settled-counter N] [--per N --cumulative N --max-count N --max-balance N] [--json]",
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
    if (!opts.issuer) throw usageError("--issuer is required", "the issuer directory that certified the card (`tapkit issuer init DIR`)");
    const envKeys = ["per", "cumulative", "max-count", "max-balance"] as const;
    const given = envKeys.filter((k) => opts[k] !== undefined);
    if (given.length !== 0 && given.length !== 4)
      throw usageError(
        `a new envelope needs all of --per, --cumulative, --max-count and --max-balance (got ${given.map((k) => `--${k}`).join(", ")})`,
        "omit all four to keep the card's envelope",
      );
    const envelope = given.length
      ? {
          perPayment: amountOption(opts.per, "per"),
          cumulative: amountOption(opts.cumulative, "cumulative"),
          maxCount: countOption(opts["max-count"], "max-count", 1, MAX_MINOR_UNITS),
          maxBalance: amountOption(opts["max-balance"], "max-balance"),
        }
      : undefined;
    const topUp = amountOption(opts["top-up"], "top-up", 0);
    const settledCounter = countOption(opts["settled-counter"], "settled-counter", 0, MAX_MINOR_UNITS, 0);
    const issuer = loadIssuer(opts.issuer);
    const r = await withNfcPath(opts, (nfc) => syncCard(new WalletCard((apdu) => nfc.apdu(apdu)), issuer.batch, { topUp, settledCounter, envelope }));
    out.result(
      {
        kid: toHex(r.kid),
        epochBefore: r.epochBefore,
        epoch: r.epoch,
        balanceBefore: r.balanceBefore,
        balance: r.balance,
        topUp,
        settledCounter,
        counter: r.counter,
        envelope: envelope ?? null,
        tokenBytes: r.token.length,
      },
      (x) => {
        out.line(
          `card ${x.kid}: epoch ${x.epochBefore} -> ${x.epoch}, balance ${x.balanceBefore} -> ${x.balance} (top-up ${x.topUp}); cap and count since sync reset`,
        );
        if (x.envelope) out.line(`new envelope ${JSON.stringify(x.envelope)}`);
      },
    );
  },
};

export const ISSUER_COMMANDS: Command[] = [issuerInitCommand, issuerCertify, issuerSync];
