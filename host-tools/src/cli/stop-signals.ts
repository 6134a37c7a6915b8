// The signals that ask a long-running command (tapkit sim) to stop cleanly: Ctrl-C, `kill`,
// and SIGHUP when its terminal closes, which would otherwise end Node without running any
// cleanup and leave helper processes and files behind. Under `nohup` SIGHUP was ignored when
// we started; a handler would undo that, so then we keep ignoring it.
import { readFileSync } from "node:fs";

export function stopSignals(): Promise<NodeJS.Signals> {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  if (!ignoredAtStart(1)) signals.push("SIGHUP");
  return new Promise((resolve) => {
    // Kept, not once: a closed terminal can send SIGHUP twice (the kernel, then the shell),
    // and the second must not kill us halfway through the cleanup.
    for (const signal of signals) process.on(signal, () => resolve(signal));
  });
}

/** Whether signal `number` was ignored (SIG_IGN) when this process started (Linux /proc). */
function ignoredAtStart(number: number): boolean {
  try {
    const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m !== null && (BigInt(`0x${m[1]}`) >> BigInt(number - 1)) % 2n === 1n;
  } catch {
    return false;
  }
}
