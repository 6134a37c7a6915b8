// How many bytes of an image slot an image may use on a board: the slot (flash region 1
// or 2, boards/*.json flash.partitions) minus the bootloader trailer reserved at its end.
// The image is written verbatim from the slot's first byte; the trailer (upload progress,
// pending/trial/confirmed marks, docs/boot.md) lives in the last pages and is erased and
// programmed separately, so an image must never reach into it. The board rules
// (semantic-rules.ts) refuse a board whose slots cannot hold an image and its trailer.
import type { Board } from "./board.ts";

/** One trailer copy holds at least this much: room for an upload-progress bitmap and NOR-style flag words. */
export const TRAILER_COPY_MIN_BYTES = 4096;
/** Two copies, so a shell can rewrite the trailer by filling the erased copy before erasing the other. */
export const TRAILER_COPIES = 2;

/** Trailer words (docs/boot.md, "Slot trailer"): the record and four flags come before the chunk marks, 16 bytes each. */
export const TRAILER_WORD_BYTES = 16;
export const TRAILER_MARKS_AT = 128;

/** upload.chunk body around its data: {data: bstr(n), off: u32, op: "upload.chunk", sid: u32}. */
export const CHUNK_BODY_OVERHEAD = 48;
/** header + CRC of a raw link frame */
const FRAME_OVERHEAD = 8;
const CHUNK_ALIGN = 16;

/** The upload chunk a device with this maxFrame uses: the most payload a frame carries, in 16-byte steps. */
export function chunkSizeFor(maxFrame: number): number {
  return Math.floor((maxFrame - FRAME_OVERHEAD - CHUNK_BODY_OVERHEAD) / CHUNK_ALIGN) * CHUNK_ALIGN;
}

export interface SlotBudget {
  pageSize: number;
  /** bytes of one slot (the board rules make slot-a and slot-b equal; the smaller counts if not) */
  slotBytes: number;
  trailerPages: number;
  trailerBytes: number;
  /** the largest image (.tki, header to module end) the board accepts */
  maxImageBytes: number;
  /** chunk marks one trailer copy holds: the most chunks an upload may have */
  maxChunks: number;
}

export function slotBudget(board: Board): SlotBudget {
  const { pageSize, partitions } = board.flash;
  const slotPages = Math.min(...partitions.filter((p) => p.name === "slot-a" || p.name === "slot-b").map((p) => p.pages));
  const trailerPages = TRAILER_COPIES * Math.ceil(TRAILER_COPY_MIN_BYTES / pageSize);
  const slotBytes = slotPages * pageSize;
  const trailerBytes = trailerPages * pageSize;
  const maxChunks = Math.floor((trailerBytes / TRAILER_COPIES - TRAILER_MARKS_AT) / TRAILER_WORD_BYTES);
  return { pageSize, slotBytes, trailerPages, trailerBytes, maxImageBytes: Math.max(0, slotBytes - trailerBytes), maxChunks };
}

/** How messages name a board's slots when an image does not fit. */
export function slotDescription(board: Board): string {
  const b = slotBudget(board);
  return `board ${board.name}'s slots (${b.slotBytes} bytes minus the ${b.trailerBytes}-byte boot trailer)`;
}
