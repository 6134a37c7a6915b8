// The image-slot gate of `tapkit build`: the module, wrapped as the largest signed image can
// be (header, a manifest of the most bytes the format allows, alignment), must fit a slot
// minus the boot trailer (docs/image-format.md, "largest image"), so a build never produces
// firmware that no device of the board can install. `sign` checks the real image again.
import type { Board } from "../boards/index.ts";
import { slotBudget } from "../boards/slot-budget.ts";
import { HEADER_BYTES, MANIFEST_MAX_BYTES, alignUp } from "../image/layout.ts";
import type { GateFailure } from "./build-error.ts";

export function checkSlotFit(moduleBytes: number, board: Board): GateFailure | null {
  const budget = slotBudget(board);
  const image = alignUp(HEADER_BYTES + MANIFEST_MAX_BYTES) + moduleBytes;
  if (image <= budget.maxImageBytes) return null;
  return {
    code: "BUILD_GATE_SLOT",
    problems: [
      `the module is ${moduleBytes} bytes; signed it makes an image of up to ${image} bytes, and board ${board.name}'s slots take at most ${budget.maxImageBytes} (${budget.slotBytes} bytes minus the ${budget.trailerBytes}-byte boot trailer)`,
    ],
    hint: `Make the module smaller, or give slot-a and slot-b at least ${Math.ceil((image + budget.trailerBytes) / budget.pageSize)} pages each in boards/${board.name}.json if the flash has room.`,
  };
}
