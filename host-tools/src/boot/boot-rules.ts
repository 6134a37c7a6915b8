// The boot rules of docs/boot.md, as the reference shell runs them at every reset: read both
// slot trailers, revert a trial that ended without confirmation, try a new pending image on
// trial, otherwise run the newest confirmed image, and verify size, signature, signed
// fields, security counter and hash (image-format.md checks 1..18) before anything is
// instantiated. Each numbered step here is the rule with the same number in docs/boot.md.
import type { Board } from "../boards/board.ts";
import { toHexLower as hex } from "../bytes/hex.ts";
import { bootloaderChecks, type VerifiedImage } from "../image/verify-image.ts";
import { HAL_ABI_VERSION } from "../build/index.ts";
import type { BootStore } from "./boot-store.ts";
import type { SlotIndex, SlotTrailer, SlotTrailers } from "./trailer.ts";

export type BootMode = "trial" | "confirmed";

export interface BootChoice {
  slot: SlotIndex;
  mode: BootMode;
  image: VerifiedImage;
  /** SHA-256 of the whole image (the trailer's key) */
  sha256: Uint8Array;
  /** the module bytes as read and hashed (instantiate these, never a re-read) */
  module: Uint8Array;
}

export interface BootRefusal {
  slot: SlotIndex;
  code: string;
  message: string;
}

export interface BootDecision {
  /** null: nothing bootable (recovery: only the boot channel answers) */
  choice: BootChoice | null;
  /** images passed over and why (the shell logs them) */
  refused: BootRefusal[];
  /** trial slots reverted by rule 2 at this boot */
  reverted: SlotIndex[];
}

/** Runs rules 1..7 of docs/boot.md. Writes only flags (rules 2, 4, 5) and the counter (rule 6). */
export function chooseBoot(trailers: SlotTrailers, store: BootStore, board: Board, instantiable: (module: Uint8Array) => string | null): BootDecision {
  const refused: BootRefusal[] = [];
  const reverted: SlotIndex[] = [];
  // 1. Read both trailers; a slot without a valid record holds nothing bootable.
  let slots = ([0, 1] as SlotIndex[]).map((s) => trailers.read(s));
  // 2. A trial that ended in a reset without confirmation is reverted: mark it rejected.
  for (const t of slots) {
    if (t.record && t.flags.trial && !t.flags.confirmed && !t.flags.rejected) {
      trailers.setFlag(t.slot, "rejected");
      reverted.push(t.slot);
    }
  }
  if (reverted.length) slots = ([0, 1] as SlotIndex[]).map((s) => trailers.read(s));
  const live = slots.filter((t) => t.record && t.flags.pending && !t.flags.rejected);
  const bySeq = (a: SlotTrailer, b: SlotTrailer) => b.record!.seq - a.record!.seq;
  const confirmed = live.filter((t) => t.flags.confirmed).sort(bySeq);
  const newestConfirmed = confirmed.length ? confirmed[0]!.record!.seq : -1;
  // 3. A pending image not yet tried, newer than every confirmed one, is tried first.
  const fresh = live.filter((t) => !t.flags.trial && !t.flags.confirmed && t.record!.seq > newestConfirmed).sort(bySeq);
  for (const t of fresh) {
    const checked = verifySlot(trailers, store, board, t, instantiable);
    if ("code" in checked) {
      // 4. It fails a check: rejected for good, never tried again.
      refused.push(checked);
      trailers.setFlag(t.slot, "rejected");
      continue;
    }
    // 5. Mark it on trial before it runs: a reset from here on reverts it (rule 2).
    trailers.setFlag(t.slot, "trial");
    return { choice: { ...checked, mode: "trial" }, refused, reverted };
  }
  // 6. Otherwise the newest confirmed image that passes the checks; its counter is recorded.
  for (const t of confirmed) {
    const checked = verifySlot(trailers, store, board, t, instantiable);
    if ("code" in checked) {
      refused.push(checked);
      continue;
    }
    store.raiseCounter(checked.image.fields.securityCounter);
    return { choice: { ...checked, mode: "confirmed" }, refused, reverted };
  }
  // 7. Nothing bootable: recovery (the boot channel only).
  return { choice: null, refused, reverted };
}

function verifySlot(
  trailers: SlotTrailers,
  store: BootStore,
  board: Board,
  t: SlotTrailer,
  instantiable: (module: Uint8Array) => string | null,
): Omit<BootChoice, "mode"> | BootRefusal {
  const record = t.record!;
  if (record.imageBytes > trailers.maxImageBytes)
    return { slot: t.slot, code: "IMAGE_TOO_LARGE", message: `the trailer says ${record.imageBytes} bytes, more than a slot holds` };
  const bytes = trailers.readImage(t.slot, record.imageBytes);
  try {
    const image = bootloaderChecks(bytes, { keys: store.anchors, board, halAbi: HAL_ABI_VERSION, minSecurityCounter: store.securityCounter });
    const problem = instantiable(image.parts.module);
    if (problem) return { slot: t.slot, code: "IMAGE_MODULE_INVALID", message: problem };
    return { slot: t.slot, image, sha256: record.sha256, module: image.parts.module };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return {
      slot: t.slot,
      code: err.code ?? "IMAGE_INVALID",
      message: `${err.message ?? String(e)} (slot ${t.slot}, image ${hex(record.sha256).slice(0, 16)})`,
    };
  }
}
