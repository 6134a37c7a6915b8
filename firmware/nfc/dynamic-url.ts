// Serves the NDEF file with its dynamic mirrors filled in. The tap counter advances when a
// read first reaches dynamic bytes in a reader session (NDEF file selected, field on): that
// is the moment a value becomes visible, so no value is ever shown twice and phones that only
// read NLEN (presence checks) burn nothing. Later reads in the same session return the same
// bytes, so chunked reads see one consistent URL (docs/nfc.md, "When the counter advances").
// Only the window from the MAC input to the end of the MAC is copied and mirrored per tap;
// reads take everything else from the stored file.
import { contentGeneration, ndefFile } from "./ndef-file";
import { MODE_SIGNED, MODE_STATIC, WINDOW_CAP, dynamicEnd, dynamicStart, mirrorMode, windowStart } from "./mirror-config";
import { sunMirror } from "./sun-mirror";
import { signedMirror } from "./signed-mirror";
import { lastTapCounter, takeTapCounter } from "./tap-counter";
import { tagUid } from "./personality";
import { SW_MEMORY, SW_OK } from "./sw";
import { copyWords } from "./byte-copy";

const WINDOW = memory.data(WINDOW_CAP);
let windowGeneration: u32 = 0;
let generated = false;
let lastValue: i64 = 0;

/** A new reader session starts (file selected again, field cycled): the next read takes a new value. */
export function resetMirrorSession(): void {
  generated = false;
}

export function lastMirrorValue(): i64 {
  return lastValue;
}

/** Copies NDEF-file bytes [offset, offset+n) as the reader must see them to `dst`; a status word. */
export function readServed(dst: usize, offset: i32, n: i32): u32 {
  copyWords(dst, ndefFile() + <usize>offset, n);
  if (mirrorMode == MODE_STATIC) return SW_OK;
  if (windowGeneration != contentGeneration()) {
    windowGeneration = contentGeneration();
    generated = false;
  }
  const dynStart = dynamicStart();
  const dynEnd = dynamicEnd();
  if (offset + n <= dynStart || offset >= dynEnd) return SW_OK;
  if (!generated) {
    const start = windowStart();
    // `file` addresses the window as if it were the whole file: mirrors write at file offsets.
    const file = WINDOW - <usize>start;
    copyWords(WINDOW, ndefFile() + <usize>start, dynEnd - start);
    const value = takeTapCounter();
    if (value < 0) return SW_MEMORY;
    const sw = mirrorMode == MODE_SIGNED ? signedMirror(file, value) : sunMirror(file, value, tagUid());
    if (sw != SW_OK) return sw;
    lastValue = value;
    generated = true;
  }
  // Overlay the mirrored part of [offset, offset+n).
  const from = offset > dynStart ? offset : dynStart;
  const to = offset + n < dynEnd ? offset + n : dynEnd;
  copyWords(dst + <usize>(from - offset), WINDOW + <usize>(from - windowStart()), to - from);
  return SW_OK;
}

/** The tap counter as the store has it (for `tag.get`). */
export function storedTapCounter(): i64 {
  return lastTapCounter();
}
