// Bundles the tapkit CLI (host-tools/src/cli/main.ts) into dist/tapkit.mjs with esbuild.
// npm packages stay external: serialport carries a native binding and assemblyscript/binaryen
// load their own Wasm, so bundling them would break them and gain nothing.
import { build } from "esbuild";
import { chmodSync } from "node:fs";

await build({
  // One entry (dist/tapkit.mjs) plus chunks that load on demand: commands that need heavy
  // packages (the bench's binaryen) import them dynamically, so every other command starts
  // without paying for them.
  entryPoints: { tapkit: "host-tools/src/cli/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
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
