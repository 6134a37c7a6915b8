// Vitest global setup: makes sure the CLI bundle (dist/tapkit.mjs) and every board's
// firmware (build/<board>/firmware.wasm) exist before any test file starts, so files that
// run in parallel never race to build the same output. `npm test` builds first, so this
// only does work when a developer runs `npx vitest run <filter>` on a fresh tree; it does
// not rebuild stale outputs (run `npm run build` after changing the firmware).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { listBoards } from "../../host-tools/src/boards/index.ts";
import { firmwarePath, ROOT } from "../../host-tools/src/paths.ts";

export default function buildOnce(): void {
  const missing = [join(ROOT, "dist", "tapkit.mjs"), ...listBoards().map(firmwarePath)].filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  console.log(`build-once: ${missing.length} build output(s) missing (${missing.map((p) => p.slice(ROOT.length + 1)).join(", ")}); running npm run build`);
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}); the tests need its outputs`);
}
