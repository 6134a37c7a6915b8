// Rewrites the generated tables in docs/link-protocol.md (op tables) and docs/security.md
// (capability table per lifecycle state) from the op catalogue
// (host-tools/src/ops/catalogue.ts). Usage: node --import tsx scripts/gen-op-docs.ts [--check]
// --check: exit 1 when a doc is stale instead of writing it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../host-tools/src/paths.ts";
import { withCapabilityTable, withOpTables } from "../host-tools/src/ops/op-docs.ts";

const check = process.argv.includes("--check");
let stale = false;
for (const [name, rewrite] of [
  ["link-protocol.md", withOpTables],
  ["security.md", withCapabilityTable],
] as const) {
  const path = join(ROOT, "docs", name);
  const doc = readFileSync(path, "utf8");
  const fresh = rewrite(doc);
  if (fresh === doc) console.log(`docs/${name}: generated tables up to date`);
  else if (check) {
    console.error(`docs/${name}: generated tables are stale; run node --import tsx scripts/gen-op-docs.ts`);
    stale = true;
  } else {
    writeFileSync(path, fresh);
    console.log(`docs/${name}: generated tables rewritten`);
  }
}
if (stale) process.exit(1);
