// Chooses the NFC personality at boot and tells the shell (hal.nfc_configure): Type 4 when
// the board has it, else Type 2, else off. The nfc-test channel can switch a board that has
// both (the plaque) to Type 2 to exercise that personality.
// The UID comes from the board file (nfc.uid, compiled in by tapkit build); `tag.set
// {tag_uid}` replaces it and the store keeps that (tag-persist.ts).
import { nfc_configure } from "../hal/nfc";
import { NFC_T2T, NFC_T4T, UID_0_2, UID_3_4, UID_5_6 } from "../board";

export const PERSONALITY_OFF: i32 = 0;
export const PERSONALITY_TYPE4: i32 = 1;
export const PERSONALITY_TYPE2: i32 = 2;

const DEFAULT_UID = memory.data<u8>([
  <u8>(UID_0_2 >> 16), <u8>(UID_0_2 >> 8), <u8>UID_0_2, <u8>(UID_3_4 >> 8), <u8>UID_3_4, <u8>(UID_5_6 >> 8), <u8>UID_5_6,
]);
let current: i32 = PERSONALITY_OFF;

/** The 7-byte UID the tag presents (Type 2 header, SUN PICCData and session vectors). */
export function tagUid(): usize {
  return DEFAULT_UID;
}

/** Returns the HAL result (0 or a negative E_* code). */
export function configureNfc(): i32 {
  current = NFC_T4T ? PERSONALITY_TYPE4 : NFC_T2T ? PERSONALITY_TYPE2 : PERSONALITY_OFF;
  return nfc_configure(current, DEFAULT_UID, 7);
}

/** Replaces the UID (7 bytes at `ptr`) and tells the shell; the HAL result. */
export function setTagUid(ptr: usize): i32 {
  memory.copy(DEFAULT_UID, ptr, 7);
  return nfc_configure(current, DEFAULT_UID, 7);
}

/** Takes a saved UID at boot, before configureNfc announces it to the shell. */
export function restoreTagUid(ptr: usize): void {
  memory.copy(DEFAULT_UID, ptr, 7);
}

/** Switches to `personality` if the board has it; the HAL result, or E_UNSUPPORTED (-8). */
export function switchPersonality(personality: i32): i32 {
  if (personality == PERSONALITY_TYPE4 && !NFC_T4T) return -8;
  if (personality == PERSONALITY_TYPE2 && !NFC_T2T) return -8;
  const r = nfc_configure(personality, DEFAULT_UID, 7);
  if (r >= 0) current = personality;
  return r;
}
