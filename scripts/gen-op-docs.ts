// Rewrites the generated op tables in docs/link-protocol.md from the op catalogue
// (host-tools/src/ops/catalogue.ts). Usage: node --import tsx scripts/gen-op-docs.ts [--check]
// --check: exit 1 when the doc is stale instead of writing it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../host-tools/src/paths.ts";
import { withOpTables } from "../host-tools/src/ops/op-docs.ts";

const path = join(ROOT, "docs", "link-protocol.md");
const doc = readFileSync(path, "utf8");
const fresh = withOpTables(doc);
if (process.argv.includes("--check")) {
  if (fresh !== readFileSync(path, "utf8")) {
    console.error("docs/link-protocol.md: op tables are stale; run node --import tsx scripts/gen-op-docs.ts");
    process.exit(1);
  }
  console.log("docs/link-protocol.md: op tables up to date");
} else if (fresh !== readFileSync(path, "utf8")) {
  writeFileSync(path, fresh);
  console.log("docs/link-protocol.md: op tables rewritten");
} else console.log("docs/link-protocol.md: op tables up to date");
