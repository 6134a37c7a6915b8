// Bundles the tapkit CLI (host-tools/src/cli/main.ts) into dist/tapkit.mjs with esbuild.
// npm packages stay external: serialport carries a native binding and assemblyscript/binaryen
// load their own Wasm, so bundling them would break them and gain nothing.
import { build } from "esbuild";
import { chmodSync } from "node:fs";

await build({
  entryPoints: ["host-tools/src/cli/main.ts"],
  outfile: "dist/tapkit.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  banner: { js: "#!/usr/bin/env node" },
  sourcemap: "linked",
  logLevel: "warning",
});
chmodSync("dist/tapkit.mjs", 0o755);
