// The JSON report: the whole SuiteResult, pretty-printed with a trailing newline. These exact
// bytes are what the signed summary's digest covers (reporters/signed-summary.ts), so the
// file must be written once, as produced here, and never re-serialised before verifying.
import type { SuiteResult } from "../runner.ts";

export function toJsonReport(suite: SuiteResult): string {
  return `${JSON.stringify(suite, null, 2)}\n`;
}
