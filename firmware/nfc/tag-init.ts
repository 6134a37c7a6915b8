// Boot-time set-up of the tag: registers the NDEF tag application and loads the content the
// store kept (tag-persist.ts). With nothing kept, demo devices serve a SUN URL with the
// simulator's demo keys (slot 2 meta, slot 3 file) so a tap shows a live counter out of the
// box; others an empty, initialized tag.
import { registerNdefTagApp } from "./ndef-tag-app";
import { setNdefMessage } from "./ndef-file";
import { MODE_SUN, setMirror } from "./mirror-config";
import { messageBegin, messageEnd } from "../codec/ndef/ndef-record";
import { addUriRecord } from "../codec/ndef/ndef-build";
import { writeAscii } from "../lib/bytes";
import { stagingBuffer } from "./write-staging";
import { loadTag } from "./tag-persist";

const DEMO_URL = "https://tapkit.dev/t?p=00000000000000000000000000000000&c=0000000000000000";
// File offsets: NLEN(2) + header D1 01 PL 55 (4) + URI code (1) = 7, then "tapkit.dev/t?p=" (15).
const DEMO_PICC_OFFSET: i32 = 7 + 15;
const DEMO_MAC_OFFSET: i32 = DEMO_PICC_OFFSET + 32 + 3;

export function initNfcTag(demo: bool): void {
  registerNdefTagApp();
  // Nothing stages writes at boot, so the staging buffer can carry the saved message.
  if (loadTag(stagingBuffer())) return;
  if (!demo) return;
  // Nothing stages writes at boot: the staging buffer holds the URL text and the message.
  const text = stagingBuffer();
  const message = text + 128;
  const n = writeAscii(text, DEMO_URL);
  messageBegin(message, 128);
  addUriRecord(text, n);
  setNdefMessage(message, messageEnd());
  setMirror(MODE_SUN, 2, 3, 0, DEMO_PICC_OFFSET, 0, 0, 0, 0, 0, DEMO_MAC_OFFSET, DEMO_MAC_OFFSET, 0x1000000);
}
