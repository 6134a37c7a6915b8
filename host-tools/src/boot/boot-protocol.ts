// The boot channel's wire constants (docs/link-protocol.md, "boot channel"), shared by the
// shell that serves it (boot-service.ts) and the host that flashes (update/): channel 4,
// served by the board shell itself, so it answers even when no firmware image runs.
import { CHANNEL } from "../link/frame.ts";

export const BOOT_CHANNEL = CHANNEL.BOOT;

export const BOOT_OPS = ["hello", "slots", "trust", "upload.begin", "upload.chunk", "upload.finish", "confirm", "revert", "reset"] as const;
export type BootOp = (typeof BOOT_OPS)[number];

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
