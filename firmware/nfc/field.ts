// RF field state: a tap lasts from field on to field off. Counts taps for diagnostics and
// tells the log at debug level.
import { LEVEL_DEBUG, logLine } from "../log/link-log";

let present = false;
let taps: u32 = 0;

export function setField(on: bool): void {
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
