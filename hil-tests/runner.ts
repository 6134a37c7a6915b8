// Runs conformance cases against one connected device and collects verdicts a lab can file:
// pass/fail/skip per case with timing, the failure reason, and notes the case recorded.
import type { DeviceClient } from "../host-tools/src/device/client.ts";
import { nfcTestPath, type NfcPath } from "../host-tools/src/device/nfc-path.ts";
import type { CaseContext, ConformanceCase } from "./case.ts";
import { SkipCase } from "./case.ts";
import { ALL_CASES } from "./cases/index.ts";

export interface CaseResult {
  id: string;
  area: string;
  title: string;
  status: "pass" | "fail" | "skip";
  ms: number;
  message?: string;
  notes: Record<string, string | number>;
}

export interface SuiteResult {
  device: { port: string; board: string; fw: string; abi: number; shell: string };
  /** How the tag was reached: "nfc-test" or "pcsc", and the port or reader name. */
  nfc: { kind: string; path: string };
  started: string;
  ms: number;
  cases: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunOptions {
  /** Only cases whose id or area contains one of these strings. */
  filter?: string[];
  cases?: ConformanceCase[];
  onResult?: (r: CaseResult) => void;
  /** APDU path for the tag cases; the link's nfc-test channel when not given. */
  nfc?: NfcPath;
}

export async function runConformance(device: DeviceClient, opts: RunOptions = {}): Promise<SuiteResult> {
  const cases = (opts.cases ?? ALL_CASES).filter((c) => !opts.filter?.length || opts.filter.some((f) => c.id.includes(f) || c.area.includes(f)));
  const started = new Date();
  const results: CaseResult[] = [];
  const nfc = opts.nfc ?? nfcTestPath(device);
  for (const c of cases) {
    const notes: Record<string, string | number> = {};
    const ctx: CaseContext = {
      device,
      nfc,
      board: device.hello.board,
      note: (k, v) => (notes[k] = v),
      skip: (reason) => {
        throw new SkipCase(reason);
      },
    };
    const t0 = performance.now();
    let status: CaseResult["status"] = "pass";
    let message: string | undefined;
    try {
      await c.run(ctx);
    } catch (e) {
      if (e instanceof SkipCase) {
        status = "skip";
        message = e.message;
      } else {
        status = "fail";
        message = e instanceof Error ? e.message : String(e);
      }
    }
    const r: CaseResult = { id: c.id, area: c.area, title: c.title, status, ms: Math.round(performance.now() - t0), message, notes };
    results.push(r);
    opts.onResult?.(r);
  }
  const hello = device.hello;
  return {
    device: { port: device.port, board: hello.board, fw: hello.fw, abi: hello.abi, shell: hello.shell },
    nfc: { kind: nfc.kind, path: nfc.description },
    started: started.toISOString(),
    ms: Date.now() - started.getTime(),
    cases: results,
    passed: results.filter((r) => r.status === "pass").length,
    failed: results.filter((r) => r.status === "fail").length,
    skipped: results.filter((r) => r.status === "skip").length,
  };
}
