// Process entry of the tapkit CLI (bundled to dist/tapkit.mjs); all logic is in app.ts.
import { main } from "./app.ts";
import { exitQuietlyOnBrokenPipe } from "./pipe-guard.ts";

exitQuietlyOnBrokenPipe();
process.exitCode = await main(process.argv.slice(2));
