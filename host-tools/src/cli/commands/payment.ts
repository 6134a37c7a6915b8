// tapkit merchant set|get and tapkit qr amount|static: the plaque's merchant profile and the
// codes it shows, over the app channel.
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { optionalInteger } from "../option-values.ts";
import { usageError } from "../output.ts";
import { getMerchantProfile, requestAmount, setMerchantProfile, showStaticCode, type ShownCode, type StoredProfile } from "../../qr/payment-client.ts";
import { PROFILE_OPTIONS, profileFromOptions } from "./emv.ts";
import { withDevice } from "./connect.ts";

export const merchantSet: Command = {
  name: "merchant set",
  summary: "store the merchant profile on the plaque (it then shows the static code)",
  usage: "tapkit merchant set --port PORT (--profile FILE | --name N --city C --country CC --currency NNN|AAA --mcc NNNN --account ID:GUID[:01=V]...) [--json]",
  examples: [
    "tapkit merchant set --port /dev/ttyUSB0 --profile merchant.json",
    "tapkit merchant set -p tcp:127.0.0.1:7300 --name CAFE --city LISBOA --country PT --currency 978 --mcc 5812 --account 26:PT.EXAMPLE.PAY:01=123",
  ],
  options: { ...PORT_OPTION, ...PROFILE_OPTIONS, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const profile = profileFromOptions(opts);
    const len = await withDevice(opts, (d) => setMerchantProfile(d, profile));
    out.result({ stored: true, length: len }, (r) => out.line(`merchant profile stored (${r.length} characters of EMV data)`));
  },
};

export const merchantGet: Command = {
  name: "merchant get",
  summary: "read the merchant profile stored on the plaque (--json feeds merchant set --profile)",
  usage: "tapkit merchant get --port PORT [--json]",
  examples: [
    "tapkit merchant get --port /dev/ttyUSB0",
    "tapkit merchant get --port /dev/ttyUSB0 --json > merchant.json   # back up; 'merchant set --profile merchant.json' restores or clones it",
  ],
  options: { ...PORT_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const p = await withDevice(opts, (d) => getMerchantProfile(d));
    out.result(p, (r: StoredProfile) => {
      out.line(`${r.name}, ${r.city} ${r.country}${r.postal ? ` ${r.postal}` : ""}  currency ${r.currency}  MCC ${r.mcc}`);
      for (const a of r.accounts) {
        const id = String(a.id).padStart(2, "0");
        if (a.value !== undefined) out.line(`account ${id}  ${a.value}`);
        else {
          out.line(`account ${id}  GUID ${a.gui ?? "(none)"}`);
          for (const [sub, v] of Object.entries(a.fields ?? {})) out.line(`   ${id}/${sub}  ${v}`);
        }
      }
    });
  },
};

function printShown(out: Parameters<Command["run"]>[2], r: ShownCode): void {
  out.line(`showing v${r.version} at ${r.scale} px/module${r.reference ? `, reference TK${r.reference}` : ""}`);
  out.line(r.payload);
}

export const qrAmount: Command = {
  name: "qr amount",
  summary: "show a dynamic payment code for an amount (what a POS sends)",
  usage: "tapkit qr amount --port PORT AMOUNT [--bill B] [--timeout S] [--json]",
  examples: ["tapkit qr amount --port /dev/ttyUSB0 12.34", "tapkit qr amount -p tcp:127.0.0.1:7300 5.00 --bill INV-7 --timeout 60"],
  positionals: [1, 1],
  options: {
    ...PORT_OPTION,
    bill: { type: "string", help: "bill number (62/01) in the payload" },
    timeout: { type: "string", help: "seconds before the static code returns (default 120)" },
    ...JSON_OPTION,
  },
  async run(opts, [amount], out) {
    const timeoutS = optionalInteger(opts.timeout, "timeout", { min: 1, max: 3600, what: "a number of seconds", hint: "e.g. --timeout 60" });
    const r = await withDevice(opts, (d) => requestAmount(d, amount, { bill: opts.bill, timeoutS }));
    out.result(r, (x) => printShown(out, x));
  },
};

export const qrStatic: Command = {
  name: "qr static",
  summary: "bring the static merchant code back now",
  usage: "tapkit qr static --port PORT [--json]",
  examples: ["tapkit qr static --port /dev/ttyUSB0"],
  options: { ...PORT_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    const r = await withDevice(opts, (d) => showStaticCode(d));
    out.result(r, (x) => printShown(out, x));
  },
};

export const PAYMENT_COMMANDS: Command[] = [merchantSet, merchantGet, qrAmount, qrStatic];
