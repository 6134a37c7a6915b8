// Known defects, recorded as tests that must FAIL until the fix lands (the suite stays green).
// The body states the behaviour we want; while it throws, the test passes and prints the
// failure as a diagnostic. Once the body passes, the test fails with "now passes": the fix
// has landed, so turn it into a plain test. (vitest's test.fails does the same.)
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";

export function expectedFailure(name: string, reason: string, body: (t: TestContext) => Promise<void> | void): void {
  test(`${name} [expected to fail until fixed: ${reason}]`, async (t) => {
    let passed = false;
    try {
      await body(t);
      passed = true;
    } catch (e) {
      t.diagnostic(`fails as expected: ${(e as Error).message.split("\n")[0]}`);
    }
    if (passed) assert.fail(`now passes: "${reason}" looks fixed; make this a plain test`);
  });
}
