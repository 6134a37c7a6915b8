// The test runner's settings (npm test runs `vitest run` after the build and typecheck).
// Files run in parallel in child processes; tests inside a file run in order, as written.
// Fixtures that share one machine-wide thing (the PC/SC virtual reader) take a cross-process
// lock (tests/nfc/reader-lock.ts); long and CPU-heavy files say so (tests/support/long-tests.ts).
import { defineConfig } from "vitest/config";
import LongFilesFirst from "./tests/support/long-files-first.ts";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // child processes, not threads: tests spawn socat, pcscd and the CLI, open serial
    // ports and lower their own scheduling priority (tests/support/long-tests.ts)
    pool: "forks",
    // one per core: most files spawn the CLI, socat or a simulator beside themselves, so
    // more workers than cores only adds contention
    maxWorkers: 2,
    // node:test's after-hooks ran first-registered-first; the suites were written for that
    // long files first, PC/SC files apart (tests/support/long-files-first.ts)
    sequence: { hooks: "list", sequencer: LongFilesFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ["tests/support/build-once.ts"],
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    coverage: {
      provider: "v8",
      include: ["host-tools/src/**/*.ts", "hil-tests/**/*.ts"],
      reporter: ["text-summary", "html", "lcov"],
      reportsDirectory: "coverage",
    },
  },
});
