// --currency as every command takes it: ISO 4217 numeric ("978", what EMV payloads carry) or
// alphabetic ("EUR", what wallet vouchers carry), in any case; a bad value is a usage error.
import { currencyAlpha, currencyNumeric } from "../emv/currency.ts";
import { usageError } from "./output.ts";

function asUsage<T>(value: unknown, convert: (s: string) => T): T {
  if (value === undefined || value === "") throw usageError("--currency is required", "an ISO 4217 code, numeric or alphabetic: 978 or EUR");
  try {
    return convert(String(value));
  } catch (e) {
    throw usageError((e as Error).message, "an ISO 4217 code, numeric or alphabetic: 978 or EUR, 156 or CNY");
  }
}

/** The alphabetic code (wallet vouchers). */
export function walletCurrencyOption(value: unknown): string {
  return asUsage(value, currencyAlpha);
}

/** The numeric code (EMV object 53). */
export function emvCurrencyOption(value: unknown): string {
  return asUsage(value, currencyNumeric);
}
