// tapkit emv build|parse|check as a user runs them: exit 0 on a valid payload, non-zero with
// the field and rule on stderr for a broken one; build output passes check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../host-tools/src/paths.ts";
import { EMVCO_SAMPLE, HAND_STATIC } from "./vectors.ts";

const tapkit = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "host-tools/src/cli/main.ts"), ...args], { encoding: "utf8", cwd: ROOT });

test("emv check: 0 for valid payloads, non-zero naming field and rule for a bad one", () => {
  assert.equal(tapkit("emv", "check", EMVCO_SAMPLE).status, 0);
  const bad = tapkit("emv", "check", HAND_STATIC.replace("6008BRASILIA", "6016BRASILIA-DF-BRAZIL").slice(0, -4) + "0000");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /60|63/);
  assert.match(bad.stderr, /hint:/);
});

test("emv build output is a payload that parse and check accept", () => {
  const built = tapkit("emv", "build", "--name", "CAFE", "--city", "LISBOA", "--country", "PT", "--currency", "978", "--mcc", "5812",
    "--account", "26:PT.EXAMPLE.PAY:01=123", "--account", "29:A000000677010111:01=0066812345678", "--amount", "12.34", "--json");
  assert.equal(built.status, 0, built.stderr);
  const payload = JSON.parse(built.stdout).payload as string;
  const parsed = tapkit("emv", "parse", payload, "--json");
  assert.equal(parsed.status, 0, parsed.stderr);
  assert.equal(JSON.parse(parsed.stdout).initiation, "dynamic");
  const tooLong = tapkit("emv", "build", "--name", "X".repeat(26), "--city", "C", "--country", "PT", "--currency", "978", "--mcc", "5812", "--account", "26:G:01=1");
  assert.notEqual(tooLong.status, 0);
  assert.match(tooLong.stderr, /59 merchant name: 1-25/);
});
