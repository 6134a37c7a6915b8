// The memory budget gate: the module must declare a maximum linear memory, and it must fit
// the board's memory.maxPages, because the device runtime reserves that much RAM up front.
import type { Board } from "../boards/index.ts";
import type { GateFailure } from "./build-error.ts";
import type { WasmInterface } from "./wasm-interface.ts";

export function checkMemoryBudget(iface: WasmInterface, board: Board): GateFailure | null {
  const budget = board.memory.maxPages;
  const hint = `Build with --maximumMemory ${budget} (tapkit build does this from boards/${board.name}.json memory.maxPages), or raise the board's budget if its RAM allows.`;
  const mem = iface.memory;
  const fail = (problem: string): GateFailure => ({ code: "BUILD_GATE_MEMORY", problems: [problem], hint });
  if (!mem) return fail("the module has no linear memory; HAL ABI v1 passes every buffer through exported memory");
  if (mem.imported) return fail("the module imports its memory; HAL ABI v1 needs it defined and exported by the firmware");
  if (mem.maximum === null)
    return fail(`linear memory declares no maximum (initial ${mem.initial} pages); board ${board.name} allows at most ${budget} page(s)`);
  if (mem.maximum > budget)
    return fail(`linear memory maximum is ${mem.maximum} pages (${mem.maximum * 64} KiB); board ${board.name} allows ${budget} page(s) (${budget * 64} KiB)`);
  return null;
}
