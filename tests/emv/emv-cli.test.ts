// tapkit emv build|parse|check as a user runs them (the bundled CLI): exit 0 on a valid
// payload, non-zero with the field, rule and a hint on stderr for a broken one; build output
// passes parse.
import { test } from "vitest";
import assert from "node:assert/strict";
import { tapkit } from "../cli/cli-helpers.ts";
import { EMVCO_SAMPLE, HAND_STATIC } from "./vectors.ts";
import { longTests } from "../support/long-tests.ts";

longTests();

test("emv check: 0 for valid payloads, non-zero naming field and rule for a bad one", async () => {
  assert.equal((await tapkit(["emv", "check", EMVCO_SAMPLE])).code, 0);
  const bad = await tapkit(["emv", "check", HAND_STATIC.slice(0, -4) + "0000"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /63 CRC: mismatch/);
  assert.match(bad.stderr, /hint:/);
  const city = await tapkit(["emv", "check", HAND_STATIC.replace("6008BRASILIA", "6016BRASILIA-DF-BRA")]);
  assert.notEqual(city.code, 0);
});

test("emv build output is a payload that parse accepts; bad fields exit non-zero", async () => {
  const built = await tapkit([
    "emv",
    "build",
    "--name",
    "CAFE",
    "--city",
    "LISBOA",
    "--country",
    "PT",
    "--currency",
    "978",
    "--mcc",
    "5812",
    "--account",
    "26:PT.EXAMPLE.PAY:01=123",
    "--account",
    "29:A000000677010111:01=0066812345678",
    "--amount",
    "12.34",
    "--json",
  ]);
  assert.equal(built.code, 0, built.stderr);
  const parsed = await tapkit(["emv", "parse", built.json.payload, "--json"]);
  assert.equal(parsed.code, 0, parsed.stderr);
  assert.equal(parsed.json.initiation, "dynamic");
  assert.equal(Object.keys(parsed.json.templates).length, 2);
  const tooLong = await tapkit([
    "emv",
    "build",
    "--name",
    "X".repeat(26),
    "--city",
    "C",
    "--country",
    "PT",
    "--currency",
    "978",
    "--mcc",
    "5812",
    "--account",
    "26:G:01=1",
  ]);
  assert.notEqual(tooLong.code, 0);
  assert.match(tooLong.stderr, /59 merchant name: 1-25/);
});
