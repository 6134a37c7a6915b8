// The Board type (mirrors boards/board.schema.json) and the few numbers derived from a
// board that more than one tool needs (the build compiles them in, the simulator sizes
// its mailbox with them), so every tool derives them the same way.

export type BoardMode = "plaque" | "card";
export type BoardRuntime = "wamr" | "wasm3" | "wasm2c";
export type LinkBaud = 9600 | 19200 | 38400 | 57600 | 115200 | 230400 | 460800 | 921600 | 1000000 | 2000000;
export type NfcPersonality = "type4" | "type2";
export type KeyAlgorithm = "ed25519" | "p256" | "aes128" | "hmac-sha256";
export type FlashPageSize = 256 | 512 | 1024 | 2048 | 4096 | 8192;
export type FlashWriteUnit = 1 | 2 | 4 | 8 | 16;

export interface BoardDisplay {
  type: "epaper" | "lcd" | "oled";
  width: number;
  height: number;
  bitsPerPixel: 1;
  partialRefresh: boolean;
}

/** How the board runs: the Node reference shell (default) or a C board shell in QEMU. */
export type BoardShell = { kind: "node" } | QemuShell;

export interface QemuShell {
  kind: "qemu";
  /** folder of the C board shell, relative to the repository root */
  source: string;
  machine: "mps2-an386";
  cpu: "cortex-m4";
  /**
   * bytes of linear memory the shell backs (accesses above trap); when omitted, the module's
   * exported `__heap_base`: exactly its static data, since the firmware allocates nothing
   */
  linearBytes?: number;
  /** native stack for the shell and the compiled firmware */
  stackBytes: number;
  /** Wasm call depth at which the compiled firmware traps */
  callDepth: number;
}

export interface FlashPartition<N extends string = string> {
  name: N;
  /** size in flash pages */
  pages: number;
}

export interface Board {
  $schema?: string;
  /** board id; equals the file name and the build folder name */
  name: string;
  description?: string;
  simulated?: boolean;
  mode: BoardMode;
  runtime: BoardRuntime;
  shell?: BoardShell;
  memory: {
    /** budget for the module's declared maximum linear memory, 64 KiB pages */
    maxPages: number;
    /** linear memory the firmware may actually use (static data + writes above __heap_base), bytes */
    budgetBytes?: number;
  };
  link: { baud: LinkBaud /** largest raw link frame, bytes */; maxFrame: number };
  display: BoardDisplay | null;
  nfc: { personalities: NfcPersonality[] /** 14 upper-case hex digits */; uid: string; maxApdu: number };
  flash: {
    pageSize: FlashPageSize;
    writeUnit: FlashWriteUnit;
    eraseCycles: number;
    partitions: [FlashPartition<"store">, FlashPartition<"slot-a">, FlashPartition<"slot-b">];
  };
  keystore: { slots: number; algorithms: KeyAlgorithm[] };
}

export const WASM_PAGE_BYTES = 65536;

/** The board's QEMU shell settings, or null for boards the Node simulator runs. */
export function qemuShell(board: Board): QemuShell | null {
  return board.shell?.kind === "qemu" ? board.shell : null;
}
/** docs/hal-abi.md: tk_io_capacity is at least 512 bytes. */
export const MIN_IO_CAPACITY = 512;

/**
 * Mailbox size compiled into the firmware (BOARD_IO_CAPACITY): the largest APDU plus its
 * status word and header, and never under the ABI's 512 bytes. Link bytes need no more:
 * every shell hands UART bytes over in pieces of at most the capacity (tk_link_rx), and the
 * receiver gathers frames in its own buffer, so a 1 KiB frame arrives over several calls.
 */
export function ioCapacity(board: Board): number {
  return Math.max(MIN_IO_CAPACITY, board.nfc.maxApdu + 16);
}

/** Bytes of a 1-bit framebuffer for the board's panel (rows padded to whole bytes), 0 without a panel. */
export function framebufferBytes(board: Board): number {
  const d = board.display;
  return d ? Math.ceil(d.width / 8) * d.height : 0;
}
