// The last response sent on each request channel, kept as a raw frame so a retry (the same
// seq AND the same request bytes, compared by the request's CRC-32) is answered byte for
// byte without running the request again. Matching the bytes too means a new host session
// whose first seq happens to equal the old session's last one still gets a fresh answer.
// Responses are built directly in their channel's slot and sent from there (the TX reads the
// slot until the frame has left, frame-writer.ts txHolds).
// Slots are sized to what their channel can answer: shell and app answers may fill a whole
// frame; nfc-test answers carry at most one command's response from the ops' 512-byte
// scratch; the log channel carries no replayable requests, so its small slot is scratch for
// answers that are never replayed (unknown channels, level, their errors).
import { MAX_FRAME } from "../board";
import { CHANNELS, CH_APP, CH_LOG, CH_NFC_TEST, CH_SHELL, CRC_LEN, HEADER_LEN } from "./protocol";

// nfc-test `{r: bytes}`: map head, key "r", a 2-byte-length bytes head, 512 bytes of response.
const NFC_TEST_ANSWER: i32 = HEADER_LEN + 1 + 2 + 3 + 512 + CRC_LEN;
const NFC_TEST_CAP: i32 = NFC_TEST_ANSWER < MAX_FRAME ? NFC_TEST_ANSWER : MAX_FRAME;
// `{}` for level, or an error whose message is cut to fit (receiver.ts answerFailure).
const SCRATCH_CAP: i32 = 128 < MAX_FRAME ? 128 : MAX_FRAME;
const SLOTS: i32 = CHANNELS;
const SHELL_AT: i32 = 0;
const APP_AT: i32 = SHELL_AT + MAX_FRAME;
const NFC_TEST_AT: i32 = APP_AT + MAX_FRAME;
const SCRATCH_AT: i32 = NFC_TEST_AT + NFC_TEST_CAP;
const FRAMES = memory.data(SCRATCH_AT + SCRATCH_CAP);
const LENGTHS = memory.data(SLOTS * 4, 4);
const SEQS = memory.data(SLOTS * 4, 4);
const CHECKS = memory.data(SLOTS * 4, 4);
export const SCRATCH_SLOT: i32 = CH_LOG;

export function slotBuffer(slot: i32): usize {
  if (slot == CH_SHELL) return FRAMES + <usize>SHELL_AT;
  if (slot == CH_APP) return FRAMES + <usize>APP_AT;
  if (slot == CH_NFC_TEST) return FRAMES + <usize>NFC_TEST_AT;
  return FRAMES + <usize>SCRATCH_AT;
}

/** Bytes the slot holds: the largest answer that can be built in it. */
export function slotCapacity(slot: i32): i32 {
  if (slot == CH_SHELL || slot == CH_APP) return MAX_FRAME;
  if (slot == CH_NFC_TEST) return NFC_TEST_CAP;
  return SCRATCH_CAP;
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
