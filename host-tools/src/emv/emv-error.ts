// Why an EMV MPM payload or field was rejected: the data object, the rule it broke, and a
// hint for the person fixing it.
export class EmvError extends Error {
  constructor(
    /** the data object, e.g. "59 merchant name" or "26/00 GUID" */
    readonly field: string,
    /** the rule, e.g. "at most 25 characters" */
    readonly rule: string,
    readonly hint: string,
    readonly code = "emv-invalid",
  ) {
    super(`${field}: ${rule}`);
  }
}
