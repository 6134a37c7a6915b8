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

// The technician's page (`tapkit web`): the browser half, bundled with the host library it
// shares (link, ops, EMV, NDEF). Node-only modules the shared code imports but the page never
// calls (node:net for TCP, serialport for serial lines, node:fs for replay stores) resolve to stubs.
await build({
  entryPoints: ["host-tools/src/web/page/main.ts"],
  outfile: "dist/web/page.js",
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "chrome110",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  plugins: [
    {
      name: "node-builtins-empty",
      setup(b) {
        b.onResolve({ filter: /^(node:.*|serialport)$/ }, (a) => ({ path: a.path, namespace: "node-empty" }));
        // CommonJS, so any named import resolves; calling one in the page says why it fails.
        b.onLoad({ filter: /.*/, namespace: "node-empty" }, (a) => ({
          contents: `module.exports = new Proxy({}, { get: (_, k) => k === "__esModule" ? false : () => { throw new Error(${JSON.stringify(a.path)} + " is not available in the browser"); } });`,
          loader: "js",
        }));
      },
    },
  ],
});
