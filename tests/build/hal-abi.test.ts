// host-tools/src/abi/hal-abi.ts (the host's one HAL ABI table) against its source of truth: the tables in docs/hal-abi.md.
import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HAL_EXPORTS, HAL_IMPORTS } from "../../host-tools/src/build/index.ts";
import { ROOT } from "../../host-tools/src/paths.ts";

const doc = readFileSync(join(ROOT, "docs/hal-abi.md"), "utf8");

/** `| \`name\` | \`(a, b: i64) -> i32\` | ...` rows; params without a type are i32 per the doc's rules. */
function docRows(section: RegExp): { name: string; params: [string, string][]; results: string[] }[] {
  const text = doc.split(/^## /m).find((s) => section.test(s.split("\n")[0]))!;
  const rows = [...text.matchAll(/^\| `(\w+)` \| `\(([^)]*)\) -> (\w+)` \|/gm)];
  return rows.map(([, name, params, result]) => ({
    name,
    params: params
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const [n, t] = p.split(":").map((x) => x.trim());
        return [n, t ?? "i32"];
      }),
    results: result === "void" ? [] : [result],
  }));
}

test("every hal import in docs/hal-abi.md is transcribed with the same names and types", () => {
  const rows = docRows(/^Imports/);
  assert.equal(rows.length, 29);
  assert.deepEqual(
    HAL_IMPORTS.map((f) => ({ name: f.name, params: f.params.map(([n, t]) => [n, t]), results: [...f.results] })),
    rows,
  );
});

test("every tk_* export in docs/hal-abi.md is transcribed with the same names and types", () => {
  const rows = docRows(/^Exports/);
  assert.equal(rows.length, 9);
  assert.deepEqual(
    HAL_EXPORTS.map((f) => ({ name: f.name, params: f.params.map(([n, t]) => [n, t]), results: [...f.results] })),
    rows,
  );
});
