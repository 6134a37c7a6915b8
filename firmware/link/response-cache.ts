// The last response sent on each request channel, kept as a raw frame so a retry (the same
// seq AND the same request bytes, compared by the request's CRC-32) is answered byte for
// byte without running the request again. Matching the bytes too means a new host session
// whose first seq happens to equal the old session's last one still gets a fresh answer. Responses are built
// directly in their channel's slot. The log channel carries no replayable requests, so its
// slot doubles as scratch for answers that are never replayed (unknown channels, log level);
// that saves a whole frame of RAM.
import { MAX_FRAME } from "../board";
import { CHANNELS, CH_LOG } from "./protocol";

const SLOTS: i32 = CHANNELS;
const FRAMES = memory.data(SLOTS * MAX_FRAME);
const LENGTHS = memory.data(SLOTS * 4, 4);
const SEQS = memory.data(SLOTS * 4, 4);
const CHECKS = memory.data(SLOTS * 4, 4);
export const SCRATCH_SLOT: i32 = CH_LOG;

export function slotBuffer(slot: i32): usize {
  return FRAMES + <usize>(slot * MAX_FRAME);
}

/** Records that the frame now in the slot answers the request (`seq`, CRC `check`) and is `len` bytes. */
export function slotStore(slot: i32, seq: i32, check: u32, len: i32): void {
  store<i32>(LENGTHS + (<usize>slot << 2), len);
  store<i32>(SEQS + (<usize>slot << 2), seq);
  store<u32>(CHECKS + (<usize>slot << 2), check);
}

/** Length of the stored answer to this very request on the slot, or 0 when there is none. */
export function slotLookup(slot: i32, seq: i32, check: u32): i32 {
  const len = load<i32>(LENGTHS + (<usize>slot << 2));
  if (len <= 0 || load<i32>(SEQS + (<usize>slot << 2)) != seq || load<u32>(CHECKS + (<usize>slot << 2)) != check) return 0;
  return len;
}

/** Forgets every stored answer: a hello starts a new session, which old answers must not reach. */
export function slotForgetAll(): void {
  for (let slot = 0; slot < SLOTS; slot++) store<i32>(LENGTHS + (<usize>slot << 2), 0);
}
