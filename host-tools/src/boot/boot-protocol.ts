// The boot channel's wire constants (docs/link-protocol.md, "boot channel"), shared by the
// shell that serves it (boot-service.ts) and the host that flashes (update/): channel 4,
// served by the board shell itself, so it answers even when no firmware image runs.
import { CHANNEL } from "../link/frame.ts";

export const BOOT_CHANNEL = CHANNEL.BOOT;

export const BOOT_OPS = ["hello", "slots", "trust", "upload.begin", "upload.chunk", "upload.finish", "confirm", "revert", "reset"] as const;
export type BootOp = (typeof BOOT_OPS)[number];

/** upload.chunk body around its data: {data: bstr(n), off: u32, op: "upload.chunk", sid: u32}. */
export const CHUNK_BODY_OVERHEAD = 48;
/** header + CRC of a raw frame */
const FRAME_OVERHEAD = 8;
const CHUNK_ALIGN = 16;

/** The chunk size a device with this maxFrame uses: the most payload a frame carries, in 16-byte steps. */
export function chunkSizeFor(maxFrame: number): number {
  return Math.floor((maxFrame - FRAME_OVERHEAD - CHUNK_BODY_OVERHEAD) / CHUNK_ALIGN) * CHUNK_ALIGN;
}

/** How long an upload holds the slot against another host's upload.begin after its last request. */
export const UPLOAD_HOLD_MS = 3000;

export const SLOT_REPORT_NAMES = ["slot-a", "slot-b"] as const;

export type SlotState = "empty" | "partial" | "pending" | "active" | "confirmed" | "rejected";

export interface SlotReport {
  slot: number;
  name: string;
  state: SlotState;
  /** the running image is on trial (reverts at the next reset unless confirmed) */
  trial?: boolean;
  /** the running image's firmware confirmed it after its self-test at this boot (docs/boot.md) */
  self?: boolean;
  version?: string;
  sc?: number;
  sha?: Uint8Array;
  len?: number;
  /** bytes held of an upload in progress */
  held?: number;
  seq?: number;
}
