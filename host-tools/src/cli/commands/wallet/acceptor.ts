// The payee's commands: `wallet pay` (the host takes one payment from a card and keeps the
// voucher), and the plaque as offline acceptor at the bench: `wallet plaque-setup`,
// `wallet accept` (relay card -> plaque), `wallet export` (held vouchers to files for
// settlement). The flows are the wallet library's (accept-flow.ts, plaque-client.ts,
// voucher-files.ts); these commands parse and print.
import { walletCurrencyOption } from "../../currency-option.ts";
import type { Command } from "../../command.ts";
import { JSON_OPTION, PORT_OPTION, READER_OPTION } from "../../command.ts";
import { usageError } from "../../output.ts";
import { withDevice, withNfcPath } from "../connect.ts";
import { toHex } from "../../../bytes/hex.ts";
import {
  cardPayment,
  exportPlaqueVouchers,
  MAIN_WALLET,
  PlaqueAcceptor,
  readRootKey,
  relayPayment,
  WalletCard,
  walletOverLink,
  payToFile,
  recoverVoucher,
} from "../../../wallet/index.ts";
import { amountOption, countOption, hexOption } from "../../option-values.ts";
import { subOpt } from "./options.ts";

/** PayWord chain length the card accepts (docs/wallet-apdu.md, SIGN CHAIN). */
const CHAIN_MAX = 1000;

export const walletPay: Command = {
  name: "wallet pay",
  summary: "run one offline payment against a card (nfc-test channel or a PC/SC reader) and print (or save) the voucher",
  usage: "tapkit wallet pay (--port PORT | --reader NAME) --amount A --currency C --payee ID [--sub N] [--out FILE [--force]] [--json]",
  examples: [
    "tapkit wallet pay --reader 'Virtual PCD 00 00' --amount 250 --currency EUR --payee shop-42   # card on a PC/SC reader",
    "tapkit wallet pay --port /dev/ttyUSB0 --amount 250 --currency EUR --payee shop-42",
    "tapkit wallet pay --port tcp:127.0.0.1:7301 --amount 100 --currency EUR --payee kiosk --out v1.voucher --json",
  ],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    amount: { type: "string", help: "amount in minor units (250 = 2.50)" },
    currency: { type: "string", help: "ISO 4217 code the card is certified for: EUR or 978" },
    payee: { type: "string", help: "payee id (1..32 characters)" },
    sub: { type: "string", help: "sub-wallet (default 0, the main wallet)" },
    challenge: { type: "string", help: "payee challenge in hex (default: 16 random bytes)" },
    out: {
      type: "string",
      help: "write the voucher bundle (voucher + chain) here, durably, then let the card forget its copy; checked before the card signs",
    },
    force: { type: "boolean", help: "replace an existing --out file (the voucher it holds is lost)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (opts.force && !opts.out) throw usageError("--force only applies with --out", "e.g. --out v1.voucher --force");
    const amount = amountOption(opts.amount, "amount", undefined, 1);
    const currency = walletCurrencyOption(opts.currency);
    if (!opts.payee) throw usageError("--payee is required", "e.g. --payee shop-42");
    const request = {
      amount,
      currency,
      payee: opts.payee,
      subWallet: subOpt(opts.sub, MAIN_WALLET, MAIN_WALLET),
      challenge: hexOption(opts.challenge, "challenge", { bytes: [16, 32] }),
    };
    // With --out the card's copy is acknowledged only once the file is durable (voucher-custody.ts).
    const payment = await withNfcPath(opts, (nfc) => {
      const card = new WalletCard((apdu) => nfc.apdu(apdu));
      return opts.out ? payToFile(card, request, opts.out, { force: Boolean(opts.force) }) : cardPayment(card, request);
    });
    out.result({ voucher: toHex(payment.voucher), challenge: toHex(payment.challenge), bundle: opts.out ?? null }, (r) => {
      out.line(`voucher (${payment.voucher.length} bytes, COSE_Sign1): ${r.voucher}`);
      out.line(`challenge: ${r.challenge}`);
      if (r.bundle) out.line(`bundle written to ${r.bundle}`);
    });
  },
};

export const walletRecover: Command = {
  name: "wallet recover",
  summary: "save the card's last voucher if no host acknowledged it (after a failed `wallet pay`, a cut cable or power)",
  usage: `tapkit wallet recover (--port PORT | --reader NAME) --out FILE [--force] [--json]`,
  examples: ["tapkit wallet recover --port /dev/ttyUSB0 --out v1.voucher", "tapkit wallet recover --reader 'Virtual PCD 00 00' --out recovered.voucher --json"],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    out: { type: "string", help: "write the recovered voucher bundle here (checked first; the card forgets its copy once it is durable)" },
    force: { type: "boolean", help: "replace an existing --out file" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.out) throw usageError("--out FILE is required", "where the recovered voucher bundle goes, e.g. --out v1.voucher");
    const r = await withNfcPath(opts, (nfc) => recoverVoucher(new WalletCard((apdu) => nfc.apdu(apdu)), opts.out, { force: Boolean(opts.force) }));
    out.result(
      r
        ? { recovered: true, counter: r.counter, voucher: toHex(r.voucher), bundle: opts.out }
        : { recovered: false, counter: null, voucher: null, bundle: null },
      (x) =>
        out.line(
          x.recovered
            ? `voucher ${x.counter} written to ${x.bundle} and acknowledged on the card`
            : "the card holds no unacknowledged voucher; nothing written",
        ),
    );
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
    currency: { type: "string", help: "ISO 4217 code it accepts: EUR or 978" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.root || !opts.payee || !opts.currency)
      throw usageError("--root, --payee and --currency are required", "e.g. --root issuer/root.pub --payee shop-42 --currency EUR");
    const root = readRootKey(opts.root);
    const currency = walletCurrencyOption(opts.currency);
    await withDevice({ port: opts.plaque }, (d) => new PlaqueAcceptor(d).setup(root, opts.payee, currency));
    out.result({ payee: opts.payee, currency, root: toHex(root) }, (r) => out.line(`plaque accepts ${r.currency} for ${r.payee} under root ${r.root}`));
  },
};

export const walletAccept: Command = {
  name: "wallet accept",
  summary: "relay one payment card -> plaque at the bench: the plaque's challenge, the card's voucher, the plaque's verdict",
  usage: "tapkit wallet accept --card PORT --plaque PORT --amount A [--sub N] [--json] | --unit U --length N [--taps K]",
  examples: [
    "tapkit wallet accept --card tcp:127.0.0.1:7301 --plaque tcp:127.0.0.1:7302 --amount 250",
    "tapkit wallet accept --card P1 --plaque P2 --unit 5 --length 100 --taps 3 --json",
  ],
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
    if (!opts.card || !opts.plaque) throw usageError("--card and --plaque are required", "the bench relays between the two devices' link ports");
    const subWallet = subOpt(opts.sub, MAIN_WALLET, MAIN_WALLET);
    const request =
      opts.unit !== undefined
        ? {
            subWallet,
            payword: {
              unit: amountOption(opts.unit, "unit", undefined, 1),
              length: countOption(opts.length, "length", 1, CHAIN_MAX),
              taps: countOption(opts.taps, "taps", 0, CHAIN_MAX, 1),
            },
          }
        : { subWallet, amount: amountOption(opts.amount, "amount", undefined, 1) };
    const result = await withDevice({ port: opts.card }, (c) =>
      withDevice({ port: opts.plaque }, (p) => relayPayment(walletOverLink(c), new PlaqueAcceptor(p), request)),
    );
    out.result(
      {
        accepted: true,
        slot: result.slot,
        counter: result.counter,
        amount: result.amount,
        payee: result.payee,
        currency: result.currency,
        challenge: toHex(result.challenge),
        voucher: toHex(result.voucher),
        units: result.units ?? null,
      },
      (r) => {
        out.line(`plaque accepted ${r.amount} ${r.currency} for ${r.payee} (card counter ${r.counter}, slot ${r.slot})`);
        if (r.units !== null) out.line(`PayWord: ${r.units} unit(s) proved`);
      },
    );
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
    if (!opts.out) throw usageError("--out DIR is required", "the directory `tapkit settle DIR` will read");
    const r = await withDevice({ port: opts.plaque }, (d) => exportPlaqueVouchers(new PlaqueAcceptor(d), opts.out, { clear: Boolean(opts.clear) }));
    out.result(r, (x) => out.line(`${x.files.length} voucher bundle(s) written to ${opts.out}${opts.clear ? `; ${x.cleared} cleared on the plaque` : ""}`));
  },
};

export const ACCEPTOR_COMMANDS: Command[] = [walletPay, walletRecover, walletAccept, walletExport, plaqueSetup];
