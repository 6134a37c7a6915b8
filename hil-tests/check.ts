// The assertions conformance cases use: node:assert/strict, counted. The runner reads the
// count after each case, so a case that returns without checking anything is reported as
// an error ("ran no checks"), never as a pass. Cases import `assert` from here, not from node.
import strict from "node:assert/strict";

let made = 0;

/** How many checks ran since the last reset. */
export function checksMade(): number {
  return made;
}

export function resetChecks(): void {
  made = 0;
}

/** node:assert/strict with every call (assert(), assert.equal, assert.rejects, ...) counted. */
export const assert: typeof strict = new Proxy(strict, {
  apply(target, thisArg, args) {
    made++;
    return Reflect.apply(target, thisArg, args);
  },
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver);
    if (typeof v !== "function" || prop === "AssertionError" || prop === "strict") return v;
    return (...args: unknown[]) => {
      made++;
      return Reflect.apply(v, target, args);
    };
  },
});
export default assert;
