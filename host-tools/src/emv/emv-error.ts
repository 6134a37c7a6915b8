// Why an EMV MPM payload or field was rejected: the data object, the rule it broke, and a
// hint for the person fixing it (code EMV_INVALID; `details.field` and `details.rule`).
import { TapkitError } from "../errors/index.ts";

/**
 * @param field the data object, e.g. "59 merchant name" or "26/00 GUID"
 * @param rule the rule, e.g. "at most 25 characters"
 */
export function emvError(field: string, rule: string, hint: string): TapkitError {
  return new TapkitError("EMV_INVALID", `${field}: ${rule}`, hint, { field, rule });
}
