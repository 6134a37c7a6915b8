// Lets wallet code encode CBOR into its own buffers with the link encoder while a link
// answer may be half-encoded (an APDU arriving on the nfc-test channel): saves the link
// encoder's state, and puts it back when done. Not re-entrant: one borrow at a time.
import { encoderEnd, encoderOverflow, encoderPos, encoderRestore, encoderStart } from "../codec/cbor/cbor-writer";

let savedPos: usize = 0;
let savedEnd: usize = 0;
let savedOverflow = false;
let start: usize = 0;

export function borrowEncoder(ptr: usize, cap: i32): void {
  savedPos = encoderPos();
  savedEnd = encoderEnd();
  savedOverflow = encoderOverflow();
  start = ptr;
  encoderStart(ptr, cap);
}

/** Bytes written since borrowEncoder, or -1 on overflow; the link encoder is restored. */
export function returnEncoder(): i32 {
  const n = encoderOverflow() ? -1 : <i32>(encoderPos() - start);
  encoderRestore(savedPos, savedEnd, savedOverflow);
  return n;
}
