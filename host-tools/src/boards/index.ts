// Boards as data: the Board type, loading and checking boards/<name>.json.
export type { Board, BoardShell, QemuShell, BoardDisplay, BoardMode, BoardRuntime, FlashPartition, KeyAlgorithm, NfcPersonality } from "./board.ts";
export { ioCapacity, framebufferBytes, qemuShell, WASM_PAGE_BYTES, MIN_IO_CAPACITY } from "./board.ts";
export { boardError, isBoardError, BOARD_ERROR_CODES, type BoardProblem, type BoardErrorCode } from "./board-error.ts";
export { loadBoard, listBoards } from "./load-board.ts";
export { BOARD_SCHEMA_PATH } from "./schema-check.ts";
export { storeKeys, storePages, checkStoreGeometry, STORE_KEYS, MIN_STORE_PAGES, MAX_STORE_BYTES } from "./store-geometry.ts";
