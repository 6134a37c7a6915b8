// Assertion shared by the link tests: a promise rejects with a LinkError of a given code,
// and every such error carries a hint for the user.
import assert from "node:assert/strict";
import { LinkError } from "../../host-tools/src/link/errors.ts";

export async function rejectsWith(p: Promise<unknown>, code: string): Promise<LinkError> {
  const err = await p.then(
    () => assert.fail(`expected LinkError ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof LinkError, `not a LinkError: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.ok(err.hint.length > 0, "the error has a hint");
  return err;
}
