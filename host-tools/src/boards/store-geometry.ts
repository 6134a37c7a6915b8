// What a board's store partition (flash region 0) means for the firmware's store
// (firmware/store, docs/store.md): how many keys its RAM index holds, and the geometry rules
// the store's compact RAM tables rely on. The build compiles pages and keys into the firmware
// (BOARD_STORE_PAGES, BOARD_STORE_KEYS), so a board the store cannot serve fails at load
// (BOARD_INVALID) instead of at the device's first mount.
import type { BoardProblem } from "./board-error.ts";
import type { Board } from "./board.ts";

/**
 * Keys the RAM index holds (6 B each), by board mode. A card's own keys: system, NFC, wallet
 * configuration, four sub-wallets and the 64-entry transaction log ring, under 90. A plaque's:
 * system, NFC, EMV and the acceptor's 64 vouchers, 64 paywords and 2 x 16 card certificates,
 * under 180. Both keep room for host-side keys (0x1000 up).
 */
export const STORE_KEYS: Record<Board["mode"], number> = { card: 128, plaque: 256 };

/** firmware/store/layout.ts: PAGE_HEADER; log.ts: MAX_WRITE (a staged transaction) and MAX_RECORD (a 512 B value). */
const PAGE_HEADER = 16;
const MAX_WRITE = 1536;
const MAX_RECORD = 8 + 512;
/** log.ts RESERVE_SLOTS + 2: compaction's reserve, the page being compacted and one to write. */
export const MIN_STORE_PAGES = 4;
/** Index entries and counter blocks keep flash addresses as u16 counts of 4-byte words. */
export const MAX_STORE_BYTES = 65536 * 4;

export function storeKeys(board: Board): number {
  return STORE_KEYS[board.mode];
}

export function storePages(board: Board): number {
  return board.flash.partitions[0].pages;
}

/** Problems with the store partition, for the board's semantic check. */
export function checkStoreGeometry(board: Board): BoardProblem[] {
  const problems: BoardProblem[] = [];
  const pages = storePages(board);
  const { pageSize } = board.flash;
  const minPage = PAGE_HEADER + MAX_WRITE + MAX_RECORD;
  if (pages < MIN_STORE_PAGES) {
    problems.push({
      pointer: "/flash/partitions/0/pages",
      rule: `must be at least ${MIN_STORE_PAGES} (got ${pages}): the store keeps 2 pages free for compaction besides the one it compacts and the one it writes`,
    });
  }
  if (pages * pageSize > MAX_STORE_BYTES) {
    problems.push({
      pointer: "/flash/partitions/0/pages",
      rule: `makes a store of ${pages * pageSize} bytes; its RAM index addresses at most ${MAX_STORE_BYTES} (u16 word addresses), so at most ${Math.floor(MAX_STORE_BYTES / pageSize)} pages of ${pageSize} bytes`,
    });
  }
  if (pageSize < minPage) {
    problems.push({
      pointer: "/flash/pageSize",
      rule: `must be at least ${minPage} bytes for the store (got ${pageSize}): a page holds its ${PAGE_HEADER}-byte header, one ${MAX_WRITE}-byte transaction and one ${MAX_RECORD}-byte record`,
    });
  }
  return problems;
}
