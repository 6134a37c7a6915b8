// Serves the NDEF file with its dynamic mirrors filled in. The tap counter advances when a
// read first reaches dynamic bytes in a reader session (NDEF file selected, field on): that
// is the moment a value becomes visible, so no value is ever shown twice and phones that only
// read NLEN (presence checks) burn nothing. Later reads in the same session return the same
// bytes, so chunked reads see one consistent URL (docs/nfc.md, "When the counter advances").
import { NDEF_FILE_SIZE, contentGeneration, ndefFile } from "./ndef-file";
import { MODE_SIGNED, MODE_STATIC, dynamicEnd, dynamicStart, mirrorMode } from "./mirror-config";
import { sunMirror } from "./sun-mirror";
import { signedMirror } from "./signed-mirror";
import { lastTapCounter, takeTapCounter } from "./tap-counter";
import { tagUid } from "./personality";
import { SW_MEMORY, SW_OK } from "./sw";
import { copyWords } from "./byte-copy";

const OUT = memory.data(NDEF_FILE_SIZE);
let outGeneration: u32 = 0;
let generated = false;
let lastValue: i64 = 0;

/** The file a READ serves: the stored one for static tags, else the mirrored copy. */
export function servedFile(): usize {
  return mirrorMode == MODE_STATIC ? ndefFile() : OUT;
}

/** A new reader session starts (file selected again, field cycled): the next read takes a new value. */
export function resetMirrorSession(): void {
  generated = false;
}

export function lastMirrorValue(): i64 {
  return lastValue;
}

/** Makes the bytes [offset, offset+n) of servedFile() current; returns a status word. */
export function prepareRead(offset: i32, n: i32): u32 {
  if (mirrorMode == MODE_STATIC) return SW_OK;
  if (outGeneration != contentGeneration()) {
    copyWords(OUT, ndefFile(), NDEF_FILE_SIZE);
    outGeneration = contentGeneration();
    generated = false;
  }
  if (generated || offset + n <= dynamicStart() || offset >= dynamicEnd()) return SW_OK;
  // Fresh placeholders so every mirror is computed from the template, not the last tap
  // (only the dynamic range differs between the two copies).
  const start = dynamicStart();
  copyWords(OUT + <usize>start, ndefFile() + <usize>start, dynamicEnd() - start);
  const value = takeTapCounter();
  if (value < 0) return SW_MEMORY;
  const sw = mirrorMode == MODE_SIGNED ? signedMirror(OUT, value) : sunMirror(OUT, value, tagUid());
  if (sw != SW_OK) {
    copyWords(OUT + <usize>start, ndefFile() + <usize>start, dynamicEnd() - start);
    return sw;
  }
  lastValue = value;
  generated = true;
  return SW_OK;
}

/** The tap counter as the store has it (for `tag.get`). */
export function storedTapCounter(): i64 {
  return lastTapCounter();
}
