// The last response sent on each request channel, kept as a raw frame so a retry (the same
// seq AND the same request bytes, compared by the request's CRC-32) is answered byte for
// byte without running the request again. Matching the bytes too means a new host session
// whose first seq happens to equal the old session's last one still gets a fresh answer.
//
// Answers live in one shared arena: a whole frame plus ARENA_SPARE bytes, instead of a whole
// frame per channel, because most answers are a few dozen bytes. An answer is built in place
// at the arena's free end and sent from there (the TX reads it until the frame has left,
// frame-writer.ts txHoldsWithin). Before a request runs, its channel is given room for the
// largest answer it can have (slotOpen): the channel's previous answer goes; when the free end
// is too short the others are packed to the front, and when that is still too little the
// oldest other answers are evicted first.
// An evicted answer keeps its seq and CRC: a retry of that request is answered
// `RESP|ERR {code: "busy"}` (receiver.ts), never run again and never given another answer.
// The log channel's answers (level, recent, unknown channels) are never replayed: its slot is scratch.
import { MAX_FRAME } from "../board";
import { txHoldsWithin } from "./frame-writer";
import { CHANNELS, CH_LOG, CH_NFC_TEST, CRC_LEN, HEADER_LEN } from "./protocol";

// nfc-test `{r: bytes}`: map head, key "r", a 2-byte-length bytes head, 512 bytes of response.
const NFC_TEST_ANSWER: i32 = HEADER_LEN + 1 + 2 + 3 + 512 + CRC_LEN;
const NFC_TEST_CAP: i32 = NFC_TEST_ANSWER < MAX_FRAME ? NFC_TEST_ANSWER : MAX_FRAME;
// The log channel's largest answer is `recent` (log/refusal-log.ts): 8 refusals of at most 59
// text bytes, each {t: u32, msg: text}, under `{total, recent: [...]}`: 604 B of CBOR body, 612
// with header and CRC; 640 leaves room. (128 B, enough for `level`, made `tapkit doctor` fail
// with too-large once the ring held a few refusals.) Errors are cut to fit (answerFailure).
const SCRATCH_CAP: i32 = 640 < MAX_FRAME ? 640 : MAX_FRAME;
// Room the other channels' answers keep while one channel may build a whole frame: a status,
// an info and an APDU answer side by side.
const ARENA_SPARE: i32 = 384;
const ARENA_CAP: i32 = MAX_FRAME + ARENA_SPARE;
const ARENA = memory.data(ARENA_CAP);

const SLOTS: i32 = CHANNELS;
const OFFSETS = memory.data(SLOTS * 4, 4);
const LENGTHS = memory.data(SLOTS * 4, 4);
const SEQS = memory.data(SLOTS * 4, 4);
const CHECKS = memory.data(SLOTS * 4, 4);
const STATES = memory.data(SLOTS);
const NONE: u8 = 0;
const LIVE: u8 = 1;
const EVICTED: u8 = 2;
export const SCRATCH_SLOT: i32 = CH_LOG;
/** slotLookup's answer for a retry whose stored answer was evicted. */
export const SLOT_EVICTED: i32 = -1;

// End of the answers in the arena (everything past it is free).
let arenaEnd: i32 = 0;
// Where the answer of the slot opened last is built.
let openAt: i32 = 0;

function offsetOf(slot: i32): i32 {
  return load<i32>(OFFSETS + (<usize>slot << 2));
}

function lengthOf(slot: i32): i32 {
  return load<i32>(LENGTHS + (<usize>slot << 2));
}

function stateOf(slot: i32): u8 {
  return load<u8>(STATES + <usize>slot);
}

function setState(slot: i32, state: u8): void {
  store<u8>(STATES + <usize>slot, state);
  if (state != LIVE) store<i32>(LENGTHS + (<usize>slot << 2), 0);
}

/** The largest answer the slot's channel can build. */
export function slotCapacity(slot: i32): i32 {
  if (slot == CH_NFC_TEST) return NFC_TEST_CAP;
  if (slot == SCRATCH_SLOT) return SCRATCH_CAP;
  return MAX_FRAME;
}

/** Address of the slot's stored answer (valid while slotLookup finds it). */
export function slotBuffer(slot: i32): usize {
  return ARENA + <usize>offsetOf(slot);
}

/** The live answer that starts lowest in the arena (the oldest, since answers are appended), or -1. */
function lowestLive(after: i32): i32 {
  let best = -1;
  for (let s = 0; s < SLOTS; s++) {
    if (stateOf(s) != LIVE || offsetOf(s) < after) continue;
    if (best < 0 || offsetOf(s) < offsetOf(best)) best = s;
  }
  return best;
}

function liveBytes(): i32 {
  let n = 0;
  for (let s = 0; s < SLOTS; s++) if (stateOf(s) == LIVE) n += lengthOf(s);
  return n;
}

/** Moves the live answers to the front of the arena, in the order they were built. */
function pack(): void {
  let to = 0;
  for (let s = lowestLive(0); s >= 0; s = lowestLive(to)) {
    const from = offsetOf(s);
    if (from != to) memory.copy(ARENA + <usize>to, ARENA + <usize>from, <usize>lengthOf(s));
    store<i32>(OFFSETS + (<usize>s << 2), to);
    to += lengthOf(s);
  }
  arenaEnd = to;
}

/**
 * Where the slot's next answer is built: room for slotCapacity(slot) bytes. Returns 0 when
 * that room is still being read by the UART (an answer still leaving): the request must not
 * run, and nothing was changed.
 */
export function slotOpen(slot: i32): usize {
  const cap = slotCapacity(slot);
  if (txHoldsWithin(ARENA, ARENA_CAP)) {
    // Nothing may move or be overwritten while the UART reads it: only the free end will do.
    if (ARENA_CAP - arenaEnd < cap) return 0;
    setState(slot, NONE);
    openAt = arenaEnd;
    return ARENA + <usize>openAt;
  }
  setState(slot, NONE);
  if (ARENA_CAP - arenaEnd < cap) {
    while (liveBytes() + cap > ARENA_CAP) setState(lowestLive(0), EVICTED);
    pack();
  }
  openAt = arenaEnd;
  return ARENA + <usize>openAt;
}

/** Records that the `len`-byte frame built at the slot's opened room answers the request (`seq`, CRC `check`); len 0: none. */
export function slotStore(slot: i32, seq: i32, check: u32, len: i32): void {
  store<i32>(OFFSETS + (<usize>slot << 2), openAt);
  store<i32>(LENGTHS + (<usize>slot << 2), len);
  store<i32>(SEQS + (<usize>slot << 2), seq);
  store<u32>(CHECKS + (<usize>slot << 2), check);
  setState(slot, len > 0 ? LIVE : NONE);
  if (len > 0) arenaEnd = openAt + len;
}

/**
 * Length of the stored answer to this very request on the slot; SLOT_EVICTED when it was
 * answered but the answer gave its room to others; 0 when this is not a retry.
 */
export function slotLookup(slot: i32, seq: i32, check: u32): i32 {
  const state = stateOf(slot);
  if (state == NONE || load<i32>(SEQS + (<usize>slot << 2)) != seq || load<u32>(CHECKS + (<usize>slot << 2)) != check) return 0;
  return state == EVICTED ? SLOT_EVICTED : lengthOf(slot);
}

/** Forgets every stored answer: a hello starts a new session, which old answers must not reach. */
export function slotForgetAll(): void {
  for (let slot = 0; slot < SLOTS; slot++) setState(slot, NONE);
}
