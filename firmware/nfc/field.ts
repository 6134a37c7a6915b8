// RF field state: a tap lasts from field on to field off. Counts taps for diagnostics and
// tells the log at debug level. Field off ends the reader session: the current applet is
// deselected (its reset runs), as a real tag loses its state when it loses power.
import { LEVEL_DEBUG, logLine } from "../log/link-log";
import { selectApplet } from "./applets";
import { resetT2tSession } from "./type2";

let present = false;
let taps: u32 = 0;

export function setField(on: bool): void {
  // Off always ends the reader session, even if no "on" came first (the nfc-test channel
  // injects APDUs without a field).
  if (!on) {
    selectApplet(-1);
    resetT2tSession();
  }
  if (on == present) return;
  present = on;
  if (on) taps++;
  logLine(LEVEL_DEBUG, on ? "nfc field on" : "nfc field off");
}

export function fieldPresent(): bool {
  return present;
}

export function tapCount(): u32 {
  return taps;
}
