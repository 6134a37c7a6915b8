// Board rules that JSON Schema cannot express (they relate two fields, or a field to the
// file name, or to the HAL ABI's minimums). Run only on documents that passed the schema.
import type { BoardProblem } from "./board-error.ts";
import { type Board, MIN_IO_CAPACITY, WASM_PAGE_BYTES, framebufferBytes, ioCapacity, qemuShell } from "./board.ts";

export function checkBoardSemantics(board: Board, fileStem: string): BoardProblem[] {
  const problems: BoardProblem[] = [];

  if (board.name !== fileStem) {
    problems.push({ pointer: "/name", rule: `must equal the file name "${fileStem}" (got "${board.name}"), because the build folder and CLI use one id` });
  }

  if (board.mode === "plaque" && board.display === null) {
    problems.push({ pointer: "/display", rule: `is required when /mode is "plaque" (got null): a plaque shows its QR code on a panel` });
  }

  const io = ioCapacity(board);
  if (board.nfc.maxApdu > io) {
    problems.push({ pointer: "/nfc/maxApdu", rule: `must fit the mailbox of ${io} bytes (got ${board.nfc.maxApdu})` });
  }
  if (io < MIN_IO_CAPACITY) {
    problems.push({
      pointer: "/link/maxFrame",
      rule: `gives a mailbox of ${io} bytes; HAL ABI v1 requires at least ${MIN_IO_CAPACITY} (raise maxFrame to at least ${Math.ceil((MIN_IO_CAPACITY - 256) / 2)})`,
    });
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

  const needed = io + framebufferBytes(board);
  const budget = board.memory.maxPages * WASM_PAGE_BYTES;
  if (needed > budget) {
    problems.push({
      pointer: "/memory/maxPages",
      rule: `gives ${budget} bytes of linear memory, less than the ${needed} bytes the mailbox and framebuffer alone need`,
    });
  }
  const native = qemuShell(board);
  if ((board.runtime === "wasm2c") !== (native !== null)) {
    problems.push({
      pointer: "/runtime",
      rule: native ? `must be "wasm2c" for a board with a C shell (got "${board.runtime}")` : `"wasm2c" needs a C board shell: set /shell/kind to "qemu"`,
    });
  }
  if (native?.linearBytes !== undefined && native.linearBytes > budget) {
    problems.push({ pointer: "/shell/linearBytes", rule: `must not exceed the ${budget} bytes of /memory/maxPages (got ${native.linearBytes})` });
  }
  return problems;
}
