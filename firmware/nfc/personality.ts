// Chooses the NFC personality at boot and tells the shell (hal.nfc_configure): Type 4 when
// the board has it, else Type 2, else off.
// The UID is a fixed default (04 A1 B2 C3 D4 E5 F6) until the store holds a provisioned one;
// the board files' `nfc.uid` is not compiled in yet.
import { nfc_configure } from "../hal/hal";
import { NFC_T2T, NFC_T4T } from "../board";

const PERSONALITY_OFF: i32 = 0;
const PERSONALITY_TYPE4: i32 = 1;
const PERSONALITY_TYPE2: i32 = 2;

const DEFAULT_UID = memory.data<u8>([0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6]);

/** Returns the HAL result (0 or a negative E_* code). */
export function configureNfc(): i32 {
  const personality = NFC_T4T ? PERSONALITY_TYPE4 : NFC_T2T ? PERSONALITY_TYPE2 : PERSONALITY_OFF;
  return nfc_configure(personality, DEFAULT_UID, 7);
}
