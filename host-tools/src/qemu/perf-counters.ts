// Reads the C shell's instruction counters (struct tk_perf in shells/cortex-m/perf.c) out of
// a running emulated board's RAM over QMP: per export, calls made and Cortex-M instructions
// counted (the MCU's own work; chip answers and the UART are left out). Only a board started
// with countInstructions has them on.
import type { RunningQemuBoard } from "./qemu-board.ts";
import { elfSymbols } from "./qemu-tools.ts";

/** The shell's export order (enum perf_export in shells/cortex-m/perf.h). */
export const COUNTED_EXPORTS = ["instantiate", "tk_init", "tk_link_rx", "tk_tick", "tk_nfc_field", "tk_nfc_apdu", "tk_nfc_t2t"] as const;
export type CountedExport = (typeof COUNTED_EXPORTS)[number];

const MAGIC = 0x43504b54;
const N = COUNTED_EXPORTS.length;
const BYTES = 24 + N * 8 + N * 4 * 2;

export interface PerfCounters {
  /** the -icount shift the shell counted with */
  shift: number;
  /** the counter's own instructions, taken off every segment */
  overhead: number;
  segments: number;
  total: Record<CountedExport, number>;
  calls: Record<CountedExport, number>;
  last: Record<CountedExport, number>;
}

/** Reads the counters once no counted call is running (the host may see an answer before its call ends). */
export async function readPerfCounters(board: RunningQemuBoard, elfPath: string, timeoutMs = 5000): Promise<PerfCounters> {
  const { tk_perf: addr } = elfSymbols(elfPath, ["tk_perf"]);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mem = await board.readMemory(addr, BYTES);
    const v = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    if (v.getUint32(0, true) !== MAGIC) throw new Error("the shell's instruction counters are not initialised (tk_perf magic missing)");
    if (v.getUint32(4, true) === 0) throw new Error("the shell is not counting: start the board with countInstructions");
    if (v.getUint32(16, true) === 0) {
      const per = (at: number, size: 4 | 8) =>
        Object.fromEntries(
          COUNTED_EXPORTS.map((name, i) => [name, size === 8 ? Number(v.getBigUint64(at + i * 8, true)) : v.getUint32(at + i * 4, true)]),
        ) as Record<CountedExport, number>;
      return {
        shift: v.getUint32(4, true),
        overhead: v.getUint32(8, true),
        segments: v.getUint32(12, true),
        total: per(24, 8),
        calls: per(24 + N * 8, 4),
        last: per(24 + N * 12, 4),
      };
    }
    if (Date.now() > until) throw new Error("a counted export call did not end within the timeout");
    await new Promise((r) => setTimeout(r, 5));
  }
}
