// Board constants compiled into this firmware, and the board's name.
//
// The numbers come from `tapkit build` as asc flags (`--use NAME=integer`), one set per board:
//   --use BOARD_MAX_FRAME=1024 --use BOARD_IO_CAPACITY=2304
//   --use BOARD_DISPLAY_W=200 --use BOARD_DISPLAY_H=200      (0 and 0 without a panel)
//   --use BOARD_NFC_T4T=1 --use BOARD_NFC_T2T=1 --use BOARD_KS_SLOTS=8 --use BOARD_MODE_CARD=0
//   --use BOARD_MEM_PAGES=1 (memory.maxPages)
//   --use BOARD_STORE_PAGES=20 --use BOARD_STORE_KEYS=128 (store partition; keys it indexes)
//   --use BOARD_UID_0_2=0x04A1B2 --use BOARD_UID_3_4=0xC3D4 --use BOARD_UID_5_6=0xE5F6 (nfc.uid)
//   --use FW_VERSION_MAJOR=0 --use FW_VERSION_MINOR=1 --use FW_VERSION_PATCH=0
// The options every board shares (-Oz, stub runtime, MVP-only features, abort, memory) are in
// asconfig.json at the repo root, one target per board; build/<board>/asconfig.json is what
// was compiled.
// The name arrives at module start from the generated build/<board>/entry.ts, which calls
// setBoardName() before anything else runs. Everything else reads the constants from here
// so the flag names appear in one file only.

import { textBytes } from "./lib/text";

export const MAX_FRAME: i32 = BOARD_MAX_FRAME;
export const IO_CAPACITY: i32 = BOARD_IO_CAPACITY;
export const DISPLAY_W: i32 = BOARD_DISPLAY_W;
export const DISPLAY_H: i32 = BOARD_DISPLAY_H;
export const HAS_DISPLAY: bool = BOARD_DISPLAY_W > 0 && BOARD_DISPLAY_H > 0;
export const NFC_T4T: bool = BOARD_NFC_T4T != 0;
export const NFC_T2T: bool = BOARD_NFC_T2T != 0;
export const KS_SLOTS: i32 = BOARD_KS_SLOTS;
/** Pages of the store partition (flash region 0) and the keys its RAM index holds (host-tools/src/boards/store-geometry.ts). */
export const STORE_PAGES: i32 = BOARD_STORE_PAGES;
export const STORE_KEYS: i32 = BOARD_STORE_KEYS;
/** Linear memory pages (the board's memory.maxPages); constant, because the module never grows. */
export const MEM_PAGES: i32 = BOARD_MEM_PAGES;
export const MODE_CARD: bool = BOARD_MODE_CARD != 0;
/** The board file's NFC UID (nfc.uid), in three parts: bytes 0-2, 3-4 and 5-6, big-endian. */
export const UID_0_2: i32 = BOARD_UID_0_2;
export const UID_3_4: i32 = BOARD_UID_3_4;
export const UID_5_6: i32 = BOARD_UID_5_6;
export const FW_MAJOR: i32 = FW_VERSION_MAJOR;
export const FW_MINOR: i32 = FW_VERSION_MINOR;
export const FW_PATCH: i32 = FW_VERSION_PATCH;

// Board names are short ([a-z0-9-]{2,32} in the schema): ASCII, like every literal on the device.
const NAME_CAP: i32 = 64;
const NAME = memory.data(NAME_CAP);
let nameLen: i32 = 0;

/** Called once at module start by the generated entry; keeps the name's bytes. */
export function setBoardName(name: string): void {
  const n = name.length < NAME_CAP ? name.length : NAME_CAP;
  memory.copy(NAME, textBytes(name), n);
  nameLen = n;
}

export function boardNamePtr(): usize {
  return NAME;
}

export function boardNameLen(): i32 {
  return nameLen;
}
