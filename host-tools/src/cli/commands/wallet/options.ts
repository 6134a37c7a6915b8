// Parsing the wallet commands' options: whole minor-unit amounts, sub-wallet numbers and
// owner PINs (given, or read from stdin with `-`). The rules themselves (PIN format, the
// sub-wallet range) are the wallet library's; this module only names the flag at fault.
import { readFileSync } from "node:fs";
import { usageError } from "../../output.ts";
import { isWellFormedPin, LAST_SUB_WALLET, MAIN_WALLET } from "../../../wallet/index.ts";

/** The two ways to reach a card's applet, as shown in usage lines. */
export const NFC_PATH_USAGE = "(--port PORT | --reader NAME)";

/** A whole number of minor units (0 .. 2^32-1); `dflt` when the option is absent, else required. */
export function uintOpt(value: string | undefined, name: string, dflt?: number): number {
  if (value === undefined) {
    if (dflt !== undefined) return dflt;
    throw usageError(`--${name} is required`, `e.g. --${name} 100`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff)
    throw usageError(`--${name} must be a whole number of minor units (got '${value}')`, "amounts are integers, e.g. 250 for 2.50 EUR");
  return n;
}

/** --sub: MAIN_WALLET..LAST_SUB_WALLET, or from 1 where the main wallet cannot be meant (fund, close). */
export function subOpt(value: string | undefined, min: number): number {
  const s = uintOpt(value, "sub");
  if (s < min || s > LAST_SUB_WALLET) {
    throw usageError(
      `--sub must be ${min}..${LAST_SUB_WALLET} (got ${s})`,
      min === MAIN_WALLET
        ? `${MAIN_WALLET} is the main wallet, 1..${LAST_SUB_WALLET} the sub-wallets`
        : `sub-wallets are 1..${LAST_SUB_WALLET}; ${MAIN_WALLET} is the main wallet they are funded from`,
    );
  }
  return s;
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
