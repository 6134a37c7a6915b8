// The card owner's commands: `wallet status|log|limits|fund|close|pin` (docs/wallet-apdu.md).
// Same paths as `wallet pay`: the link's nfc-test channel (--port) or a PC/SC reader
// (--reader). The PIN is verified in the same tap as the operation it guards (the library's
// OwnerSession); `--pin -` reads it from stdin.
import type { Command } from "../../command.ts";
import { JSON_OPTION, PORT_OPTION, READER_OPTION } from "../../command.ts";
import { table } from "../../output.ts";
import { withNfcPath } from "../connect.ts";
import { toHex } from "../../../bytes/hex.ts";
import { LOG_CAPACITY, OwnerSession, WalletCard, type CardStatus, type LogEntry } from "../../../wallet/index.ts";
import { amountOption, countOption, MAX_MINOR_UNITS } from "../../option-values.ts";
import { NFC_PATH_USAGE, pinOpt, subOpt } from "./options.ts";

const PIN_HELP = "owner PIN (4..8 digits), or - to read it from stdin";

/** Runs fn in an owner session on the card behind --port or --reader; with a PIN, verified first. */
function withOwner<T>(opts: Record<string, any>, pin: string | null, fn: (owner: OwnerSession) => Promise<T>): Promise<T> {
  return withNfcPath(opts, async (nfc) => fn(await OwnerSession.open(new WalletCard((apdu) => nfc.apdu(apdu)), pin)));
}

type BalanceRow = CardStatus["balances"][number];

export const walletStatus: Command = {
  name: "wallet status",
  summary: "the card's balances, caps and use since the last sync per sub-wallet, voucher counter, sync epoch, PIN tries left",
  usage: `tapkit wallet status ${NFC_PATH_USAGE} [--json]`,
  examples: ["tapkit wallet status --port /dev/ttyUSB0", "tapkit wallet status --reader 'Virtual PCD 00 00' --json"],
  options: { ...PORT_OPTION, ...READER_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const status = await withOwner(opts, null, (owner) => owner.status());
    out.result({ ...status, kid: toHex(status.kid) }, (x) => {
      out.line(`card ${x.kid} (${x.currency}): counter ${x.counter}, epoch ${x.epoch}, PIN ${x.pinBlocked ? "BLOCKED" : `${x.pinTriesLeft} tries left`}`);
      out.line(
        table([
          ["  sub", "state", "balance", "per payment", "cumulative (used)", "payments (used)"],
          ...x.balances.map((b: BalanceRow) => [
            `  ${b.sub}${b.sub === 0 ? " (main)" : ""}`,
            b.open ? "open" : "closed",
            String(b.balance),
            String(b.perPayment),
            `${b.cumulative} (${b.spent})`,
            `${b.maxCount} (${b.count})`,
          ]),
        ]),
      );
      out.line(`  total ${x.total} ${x.currency}`);
      const l = x.limits;
      out.line(
        `card envelope (epoch ${x.epoch}): per payment ${l.perPayment}, cumulative ${l.cumulative} (used ${l.spent}), ${l.maxCount} payments (used ${l.count}), max balance ${l.maxBalance}`,
      );
      if (x.envelope)
        out.line(
          `certified envelope (device certificate): per payment ${x.envelope.perPayment}, cumulative ${x.envelope.cumulative}, ${x.envelope.maxCount} payments per sync, max balance ${x.envelope.maxBalance}`,
        );
    });
  },
};

export const walletLog: Command = {
  name: "wallet log",
  summary: `the card's transaction log (newest ${LOG_CAPACITY} kept): payments, funding, closes, chain refunds, syncs`,
  usage: `tapkit wallet log ${NFC_PATH_USAGE} [--count N] [--json]`,
  examples: ["tapkit wallet log --port /dev/ttyUSB0", "tapkit wallet log --reader 'Virtual PCD 00 00' --count 5 --json"],
  options: { ...PORT_OPTION, ...READER_OPTION, count: { type: "string", help: `newest N entries (default 16, at most ${LOG_CAPACITY})` }, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const count = countOption(opts.count, "count", 1, LOG_CAPACITY, 16);
    const entries = await withOwner(opts, null, (owner) => owner.log(count));
    out.result({ entries }, (x) => {
      if (!x.entries.length) return out.line("log is empty");
      out.line(
        table([
          ["seq", "kind", "sub", "amount", "balance after", "counter", "payee"],
          ...x.entries.map((e: LogEntry) => [String(e.seq), e.kind, String(e.subWallet), String(e.amount), String(e.balanceAfter), String(e.counter), e.payee]),
        ]),
      );
    });
  },
};

export const walletLimits: Command = {
  name: "wallet limits",
  summary: "set a sub-wallet's limits (at or below the issuer envelope); needs the owner PIN",
  usage: `tapkit wallet limits ${NFC_PATH_USAGE} --sub N --per A --cumulative A --max-count N --pin PIN [--json]`,
  examples: [
    "tapkit wallet limits --port /dev/ttyUSB0 --sub 1 --per 500 --cumulative 2000 --max-count 5 --pin 1234",
    "printf '1234\\n' | tapkit wallet limits --reader 'Virtual PCD 00 00' --sub 0 --per 1000 --cumulative 5000 --max-count 10 --pin -",
  ],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    sub: { type: "string", help: "sub-wallet 0..3 (0 = main; 1..3 must be open)" },
    per: { type: "string", help: "per-payment cap, minor units" },
    cumulative: { type: "string", help: "cumulative cap per sync, minor units" },
    "max-count": { type: "string", help: "payments per sync" },
    pin: { type: "string", help: PIN_HELP },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const sub = subOpt(opts.sub, 0);
    const caps = {
      perPayment: amountOption(opts.per, "per"),
      cumulative: amountOption(opts.cumulative, "cumulative"),
      maxCount: countOption(opts["max-count"], "max-count", 1, MAX_MINOR_UNITS),
    };
    const pin = pinOpt(opts.pin, "pin");
    await withOwner(opts, pin, (owner) => owner.setLimits(sub, caps));
    out.result({ sub, ...caps }, (x) =>
      out.line(`sub-wallet ${x.sub}: per payment ${x.perPayment}, cumulative ${x.cumulative}, ${x.maxCount} payments per sync`),
    );
  },
};

export const walletFund: Command = {
  name: "wallet fund",
  summary: "move value from the main wallet (0) into sub-wallet 1..3, opening it; needs the owner PIN",
  usage: `tapkit wallet fund ${NFC_PATH_USAGE} --sub N --amount A --pin PIN [--json]`,
  examples: [
    "tapkit wallet fund --port /dev/ttyUSB0 --sub 1 --amount 2000 --pin 1234",
    "tapkit wallet fund --reader 'Virtual PCD 00 00' --sub 2 --amount 500 --pin - --json < pin.txt",
  ],
  options: {
    ...PORT_OPTION,
    ...READER_OPTION,
    sub: { type: "string", help: "sub-wallet 1..3" },
    amount: { type: "string", help: "minor units moved from sub-wallet 0" },
    pin: { type: "string", help: PIN_HELP },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const sub = subOpt(opts.sub, 1);
    const amount = amountOption(opts.amount, "amount", undefined, 1);
    const pin = pinOpt(opts.pin, "pin");
    const balances = await withOwner(opts, pin, (owner) => owner.fund(sub, amount));
    out.result({ sub, amount, balances }, (x) =>
      out.line(
        `moved ${x.amount} from sub-wallet 0 to ${x.sub}: balances ${x.balances.map((b: { sub: number; balance: number }) => `${b.sub}=${b.balance}`).join(" ")}`,
      ),
    );
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
    pin: { type: "string", help: PIN_HELP },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const sub = subOpt(opts.sub, 1);
    const pin = pinOpt(opts.pin, "pin");
    const r = await withOwner(opts, pin, (owner) => owner.close(sub));
    out.result({ sub, ...r }, (x) => out.line(`sub-wallet ${x.sub} closed: ${x.moved} back to the main wallet (balance ${x.balances[0].balance})`));
  },
};

export const walletPin: Command = {
  name: "wallet pin",
  summary: "change the owner PIN (the old one is verified first; the new one gets a full retry counter)",
  usage: `tapkit wallet pin ${NFC_PATH_USAGE} --pin OLD --new NEW [--json]`,
  examples: [
    "tapkit wallet pin --port /dev/ttyUSB0 --pin 1234 --new 9876",
    "printf '1234\\n9876\\n' | tapkit wallet pin --reader 'Virtual PCD 00 00' --pin - --new -",
  ],
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
    await withOwner(opts, pin, (owner) => owner.changePin(next));
    out.result({ changed: true }, () => out.line("PIN changed"));
  },
};

export const OWNER_COMMANDS: Command[] = [walletStatus, walletLog, walletLimits, walletFund, walletClose, walletPin];
