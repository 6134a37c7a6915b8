// CI torture, part 1: `tapkit torture store --cuts 5000 --seed 1 --json` on sim-card
// through the command itself; every failure count must be zero.
import { test } from "vitest";
import assert from "node:assert/strict";
import { torture } from "../../host-tools/src/cli/commands/torture.ts";
import type { TortureReport } from "../../host-tools/src/torture/store-torture.ts";
import type { Output } from "../../host-tools/src/cli/output.ts";
import { assertClean } from "./torture-assertions.ts";
import { cpuHeavyTests } from "../support/long-tests.ts";

cpuHeavyTests();

test("tapkit torture store --cuts 5000 --seed 1 --json: all failure counts zero", async () => {
  let result: TortureReport | undefined;
  const out: Output = {
    json: true,
    line() {},
    status() {},
    result(v) {
      result = v as TortureReport;
    },
  };
  const code = await torture.run({ cuts: "5000", seed: "1", board: "sim-card", json: true }, [], out);
  assert.equal(code ?? 0, 0);
  assertClean(result!, 5000);
});
