// Error codes that mean the bench (cable, port, reader, the link) failed, not the device
// under test. The runner reports them as "bench fault" errors; a case that collects a device's
// refusal codes must let them through rather than compare them as if the device had answered.
import { TapkitError } from "../host-tools/src/errors/index.ts";

export const BENCH_FAULTS: ReadonlySet<string> = new Set([
  "TIMEOUT",
  "LINK_CLOSED",
  "PORT_MISSING",
  "PORT_ERROR",
  "PORT_BUSY",
  "CONNECT_REFUSED",
  "PCSC_NO_READER",
  "PCSC_NO_SERVICE",
  "PCSC_TIMEOUT",
  "PCSC_TOOLS_MISSING",
]);

/** Codes after which no later request can get through: the run stops trying cases. */
export const LINK_GONE: ReadonlySet<string> = new Set(["LINK_CLOSED", "PORT_MISSING", "PORT_ERROR"]);

export function isBenchFault(e: unknown): boolean {
  return e instanceof TapkitError && BENCH_FAULTS.has(e.code);
}
