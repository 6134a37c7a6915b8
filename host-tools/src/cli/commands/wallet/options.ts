// Parsing the wallet commands' own options: sub-wallet numbers and owner PINs (given, or
// read from stdin with `-`). Numbers follow the shared grammar (../../option-values.ts); the
// rules themselves (PIN format, the sub-wallet range) are the wallet library's.
import { readFileSync } from "node:fs";
import { usageError } from "../../output.ts";
import { integerOption } from "../../option-values.ts";
import { isWellFormedPin, LAST_SUB_WALLET, MAIN_WALLET } from "../../../wallet/index.ts";

/** The two ways to reach a card's applet, as shown in usage lines. */
export const NFC_PATH_USAGE = "(--port PORT | --reader NAME)";

/** --sub: MAIN_WALLET..LAST_SUB_WALLET, or from 1 where the main wallet cannot be meant (fund, close); `dflt` when absent. */
export function subOpt(value: string | undefined, min: number, dflt?: number): number {
  return integerOption(
    value,
    "sub",
    {
      min,
      max: LAST_SUB_WALLET,
      what: "a sub-wallet number",
      hint:
        min === MAIN_WALLET
          ? `${MAIN_WALLET} is the main wallet, 1..${LAST_SUB_WALLET} the sub-wallets`
          : `sub-wallets are 1..${LAST_SUB_WALLET}; ${MAIN_WALLET} is the main wallet they are funded from`,
    },
    dflt,
  );
}

let stdinLines: string[] | null = null;

/** A PIN option: the PIN, or `-` for the next line of stdin. Checked here, since the card counts a malformed PIN as a wrong try. */
export function pinOpt(value: string | undefined, name: string): string {
  if (value === undefined) throw usageError(`--${name} is required`, `the owner PIN, 4..8 digits (or --${name} - to read it from stdin)`);
  let pin = value;
  if (value === "-") {
    if (stdinLines === null) {
      try {
        stdinLines = readFileSync(0, "utf8").split(/\r?\n/);
      } catch (e) {
        throw usageError(
          `--${name} -: cannot read stdin (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
          "pipe the PIN in, e.g. `printf '1234\\n' | tapkit wallet fund ... --pin -`",
        );
      }
    }
    pin = (stdinLines.shift() ?? "").trim();
  }
  if (!isWellFormedPin(pin))
    throw usageError(
      `--${name} must be 4..8 digits${value === "-" ? " (read from stdin)" : ""}`,
      "the card would count a malformed PIN as a wrong try, so it is not sent",
    );
  return pin;
}
