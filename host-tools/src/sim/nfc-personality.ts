// NFC personalities by HAL number (docs/hal-abi.md, nfc_configure) and the board check both
// the simulator and the emulated boards' NFC front-end apply when the firmware picks one.
import type { Board, NfcPersonality } from "../boards/board.ts";
import { E_UNSUPPORTED, HalFault } from "./hal-codes.ts";

export type NfcPersonalityId = 0 | 1 | 2;
const NAMES: (NfcPersonality | "")[] = ["", "type4", "type2"];

/** Throws HalFault(E_UNSUPPORTED) when the board lacks the personality (0, off, is always there). */
export function requirePersonality(board: Board, personality: number): NfcPersonalityId {
  const name = NAMES[personality];
  if (personality !== 0 && !(name && board.nfc.personalities.includes(name))) {
    throw new HalFault(E_UNSUPPORTED, `board ${board.name} has no ${name || `#${personality}`} personality`);
  }
  return personality as NfcPersonalityId;
}
