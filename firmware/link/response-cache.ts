// The last response sent on each request channel, kept as a raw frame so a retry with the
// same seq is answered byte for byte without running the request again. Responses are built
// directly in their channel's slot. The log channel carries no replayable requests, so its
// slot doubles as scratch for answers that are never replayed (unknown channels, log level);
// that saves a whole frame of RAM.
import { MAX_FRAME } from "../board";
import { CHANNELS, CH_LOG } from "./protocol";

const SLOTS: i32 = CHANNELS;
const FRAMES = memory.data(SLOTS * MAX_FRAME);
const LENGTHS = memory.data(SLOTS * 4, 4);
const SEQS = memory.data(SLOTS * 4, 4);
export const SCRATCH_SLOT: i32 = CH_LOG;

export function slotBuffer(slot: i32): usize {
  return FRAMES + <usize>(slot * MAX_FRAME);
}

/** Records that the frame now in the slot answers `seq` and is `len` bytes. */
export function slotStore(slot: i32, seq: i32, len: i32): void {
  store<i32>(LENGTHS + (<usize>slot << 2), len);
  store<i32>(SEQS + (<usize>slot << 2), seq);
}

/** Length of the stored answer to `seq` on the slot, or 0 when there is none. */
export function slotLookup(slot: i32, seq: i32): i32 {
  const len = load<i32>(LENGTHS + (<usize>slot << 2));
  if (len <= 0 || load<i32>(SEQS + (<usize>slot << 2)) != seq) return 0;
  return len;
}
