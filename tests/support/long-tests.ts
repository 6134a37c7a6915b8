// Timeouts and CPU priority for test files whose tests run long. vitest stops a test after
// 60 s (vitest.config.ts); the files that call these helpers have tests that took 10-104 s
// each when run one file at a time on the shared 2-core machine, and over 300 s next to
// other files and other engineers' runs. The timeout is a guard against hangs, not a budget.
//
// CPU-heavy files (power-cut campaigns, store torture, fuzzing, QR soaks) also renice their
// own process by 10: with files in parallel they then take the CPU only when nothing else
// wants it, so tests that wait on timers, child processes, pseudo-terminals or pcscd's
// polling are not starved into timeouts. Vitest's forks pool runs every file in a fresh
// process, so the lower priority ends with the file.
import { getPriority, setPriority } from "node:os";
import { vi } from "vitest";

export const LONG_TEST_TIMEOUT_MS = 600_000;

/** Raises this file's test timeout to 10 minutes. */
export function longTests(): void {
  vi.setConfig({ testTimeout: LONG_TEST_TIMEOUT_MS });
}

/** longTests() at background CPU priority. */
export function cpuHeavyTests(): void {
  longTests();
  setPriority(Math.min(19, getPriority() + 10));
}
