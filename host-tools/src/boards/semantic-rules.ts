// Board rules that JSON Schema cannot express (they relate two fields, or a field to the
// file name, or to the HAL ABI's minimums). Run only on documents that passed the schema.
import type { BoardProblem } from "./board-error.ts";
import { type Board, WASM_PAGE_BYTES, framebufferBytes, ioCapacity, qemuShell } from "./board.ts";
import { chunkSizeFor, slotBudget } from "./slot-budget.ts";
import { checkStoreGeometry } from "./store-geometry.ts";

/** The smallest image worth a slot: the 32-byte header, a manifest (at most 512 B) and a minimal module, 1 KiB in all. */
const MIN_IMAGE_BYTES = 1024;

export function checkBoardSemantics(board: Board, fileStem: string): BoardProblem[] {
  const problems: BoardProblem[] = [];

  if (board.name !== fileStem) {
    problems.push({ pointer: "/name", rule: `must equal the file name "${fileStem}" (got "${board.name}"), because the build folder and CLI use one id` });
  }

  if (board.mode === "plaque" && board.display === null) {
    problems.push({ pointer: "/display", rule: `is required when /mode is "plaque" (got null): a plaque shows its QR code on a panel` });
  }

  const [, slotA, slotB] = board.flash.partitions;
  if (slotA.pages !== slotB.pages) {
    problems.push({
      pointer: "/flash/partitions/2/pages",
      rule: `must equal slot-a's ${slotA.pages} pages (got ${slotB.pages}): A/B updates install either slot with the same image`,
    });
  }
  const slotBytes = slotA.pages * board.flash.pageSize;
  if (slotBytes > 0x7fffffff) {
    problems.push({ pointer: "/flash/partitions/1/pages", rule: `makes a slot of ${slotBytes} bytes; HAL flash offsets are i32` });
  }

  // An A/B slot holds one image and, in its last pages, the boot trailer (docs/boot.md), whose
  // chunk marks must cover the largest image an upload can bring.
  const budget = slotBudget(board);
  if (budget.maxImageBytes < MIN_IMAGE_BYTES) {
    problems.push({
      pointer: "/flash/partitions/1/pages",
      rule: `gives slots of ${budget.slotBytes} bytes, which cannot hold the ${budget.trailerBytes}-byte boot trailer and an image of at least ${MIN_IMAGE_BYTES} bytes (raise slot-a and slot-b to at least ${Math.ceil((budget.trailerBytes + MIN_IMAGE_BYTES) / board.flash.pageSize)} pages)`,
    });
  } else {
    const chunk = chunkSizeFor(board.link.maxFrame);
    const chunks = Math.ceil(budget.maxImageBytes / chunk);
    if (chunks > budget.maxChunks) {
      problems.push({
        pointer: "/flash/partitions/1/pages",
        rule: `gives a largest image of ${budget.maxImageBytes} bytes, ${chunks} upload chunks of ${chunk} bytes, more than the ${budget.maxChunks} chunk marks the boot trailer holds (at most ${Math.floor((budget.maxChunks * chunk + budget.trailerBytes) / board.flash.pageSize)} pages per slot, or a larger link.maxFrame)`,
      });
    }
  }

  const needed = ioCapacity(board) + framebufferBytes(board);
  const memoryBudget = board.memory.maxPages * WASM_PAGE_BYTES;
  if (needed > memoryBudget) {
    problems.push({
      pointer: "/memory/maxPages",
      rule: `gives ${memoryBudget} bytes of linear memory, less than the ${needed} bytes the mailbox and framebuffer alone need`,
    });
  }
  const native = qemuShell(board);
  if ((board.runtime === "wasm2c") !== (native !== null)) {
    problems.push({
      pointer: "/runtime",
      rule: native ? `must be "wasm2c" for a board with a C shell (got "${board.runtime}")` : `"wasm2c" needs a C board shell: set /shell/kind to "qemu"`,
    });
  }
  if (native?.linearBytes !== undefined && native.linearBytes > memoryBudget) {
    problems.push({ pointer: "/shell/linearBytes", rule: `must not exceed the ${memoryBudget} bytes of /memory/maxPages (got ${native.linearBytes})` });
  }
  problems.push(...checkStoreGeometry(board));
  return problems;
}
