// How many bytes of an image slot an image may use on a board: the slot (flash region 1
// or 2, boards/*.json flash.partitions) minus the bootloader trailer reserved at its end.
// The image is written verbatim from the slot's first byte; the trailer (upload progress,
// pending/trial/confirmed marks, docs/boot.md) lives in the last pages and is erased and
// programmed separately, so an image must never reach into it.
import type { Board } from "../boards/index.ts";

/** One trailer copy holds at least this much: room for an upload-progress bitmap and NOR-style flag words. */
export const TRAILER_COPY_MIN_BYTES = 4096;
/** Two copies, so a shell can rewrite the trailer by filling the erased copy before erasing the other. */
export const TRAILER_COPIES = 2;

export interface SlotBudget {
  pageSize: number;
  /** bytes of one slot (the board rules make slot-a and slot-b equal; the smaller counts if not) */
  slotBytes: number;
  trailerPages: number;
  trailerBytes: number;
  /** the largest image (.tki, header to module end) the board accepts */
  maxImageBytes: number;
}

export function slotBudget(board: Board): SlotBudget {
  const { pageSize, partitions } = board.flash;
  const slotPages = Math.min(...partitions.filter((p) => p.name === "slot-a" || p.name === "slot-b").map((p) => p.pages));
  const trailerPages = TRAILER_COPIES * Math.ceil(TRAILER_COPY_MIN_BYTES / pageSize);
  const slotBytes = slotPages * pageSize;
  const trailerBytes = trailerPages * pageSize;
  return { pageSize, slotBytes, trailerPages, trailerBytes, maxImageBytes: Math.max(0, slotBytes - trailerBytes) };
}

/** How messages name a board's slots when an image does not fit. */
export function slotDescription(board: Board): string {
  const b = slotBudget(board);
  return `board ${board.name}'s slots (${b.slotBytes} bytes minus the ${b.trailerBytes}-byte boot trailer)`;
}
