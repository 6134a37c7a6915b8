// --currency of the wallet commands: ISO 4217 alphabetic ("EUR", what vouchers carry) or
// numeric ("978", what EMV payloads carry), in any case; a bad value is a usage error.
// (Merchant profiles take either form too: emv/mpm.ts converts to the numeric code.)
import { currencyAlpha } from "../emv/currency.ts";
import { usageError } from "./output.ts";

/** The alphabetic code. */
export function walletCurrencyOption(value: unknown): string {
  if (value === undefined || value === "") throw usageError("--currency is required", "an ISO 4217 code, numeric or alphabetic: 978 or EUR");
  try {
    return currencyAlpha(String(value));
  } catch (e) {
    throw usageError((e as Error).message, "an ISO 4217 code, numeric or alphabetic: 978 or EUR, 156 or CNY");
  }
}
