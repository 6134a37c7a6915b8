// `tapkit flash` as a library: upload a signed image into the slot that is not running,
// resuming from what the device already holds of the same image (keyed by its SHA-256),
// with several chunks in flight; let the device hash and verify it and mark it pending;
// reset into it on trial; and, when asked, confirm it once its firmware answers (docs/boot.md).
// No Node-only module here: the technician's page (web/page) runs this same upload in the browser.
import { sha256 } from "@noble/hashes/sha2.js";
import { toHexLower } from "../bytes/hex.ts";
import { CHANNEL } from "../link/index.ts";
import { TapkitError } from "../errors/index.ts";
import { splitImage, HEADER_BYTES } from "../image/layout.ts";
import { decodeManifestPayload, parseManifest, versionText } from "../image/manifest.ts";
import type { BootClient, SlotListing } from "./boot-client.ts";
import { shortSha } from "./boot-client.ts";
import { VERSION } from "../link/frame.ts";

export const DEFAULT_FLASH_WINDOW = 8;

export interface FlashProgress {
  /** bytes the device holds */
  held: number;
  total: number;
  /** bytes it held before this run (a resumed upload) */
  resumedFrom: number;
  elapsedMs: number;
}

export interface FlashOptions {
  confirm?: boolean;
  window?: number;
  /** begin again when the device restarted mid-upload (default 3 times; 0: fail with BOOT_NO_UPLOAD) */
  autoResume?: number;
  onProgress?: (p: FlashProgress) => void;
  onStep?: (text: string) => void;
}

export interface FlashReport {
  port: string;
  board: string;
  version: string;
  securityCounter: number;
  sha256: string;
  imageBytes: number;
  slot: number;
  /** bytes the device already held (resume), 0 for a fresh upload */
  resumedFrom: number;
  uploadedBytes: number;
  uploadSeconds: number;
  /** times this run began again after the device restarted mid-upload */
  restarts: number;
  /** payload bytes per second of this run's upload */
  bytesPerSecond: number;
  /** what runs at the end: the new image on trial, confirmed, or it was already running */
  state: "trial" | "confirmed" | "already-installed";
}

export async function flashImage(client: BootClient, bytes: Uint8Array, opts: FlashOptions = {}): Promise<FlashReport> {
  const step = opts.onStep ?? (() => {});
  const parts = splitImage(bytes);
  const fields = decodeManifestPayload(parseManifest(bytes.subarray(HEADER_BYTES, HEADER_BYTES + parts.header.manifestBytes)).payload);
  const sha = sha256(bytes);
  const head = bytes.subarray(0, parts.header.moduleOffset);
  const base = {
    port: client.port,
    board: client.board,
    version: versionText(fields.version),
    securityCounter: fields.securityCounter,
    sha256: toHexLower(sha),
    imageBytes: bytes.length,
  };
  let begun = await client.begin(sha, bytes.length, head);
  if (begun.installed) {
    step(`the device already runs this image (${shortSha(sha)}) in slot ${begun.slot}`);
    const listing = await client.slots();
    let state: FlashReport["state"] = "already-installed";
    if (opts.confirm && listing.running === "trial") {
      await client.confirm();
      state = "confirmed";
    }
    return { ...base, slot: begun.slot, resumedFrom: bytes.length, uploadedBytes: 0, uploadSeconds: 0, bytesPerSecond: 0, restarts: 0, state };
  }
  const resumedFrom = begun.off;
  if (resumedFrom > 0 && !begun.done) step(`resuming: the device holds ${resumedFrom} of ${bytes.length} bytes of this image`);
  const t0 = performance.now();
  let restarts = 0;
  for (;;) {
    const from = begun.done ? bytes.length : begun.off;
    const items: { sid: number; off: number; data: Uint8Array }[] = [];
    for (let off = from; off < bytes.length; off += begun.chunk) items.push({ sid: begun.sid!, off, data: bytes.subarray(off, off + begun.chunk) });
    const report = (done: number) =>
      opts.onProgress?.({ held: Math.min(bytes.length, from + done * begun.chunk), total: bytes.length, resumedFrom, elapsedMs: performance.now() - t0 });
    report(0);
    try {
      if (items.length) {
        const held = await client.chunks(items, opts.window ?? DEFAULT_FLASH_WINDOW, report);
        if (held !== bytes.length)
          throw new TapkitError("BOOT_INCOMPLETE", `the device acknowledged ${held} of ${bytes.length} bytes`, "run tapkit flash again; it resumes");
      }
      break;
    } catch (e) {
      if (!(e instanceof TapkitError && e.code === "BOOT_NO_UPLOAD") || restarts >= (opts.autoResume ?? 3)) throw e;
      restarts++;
      step("the device restarted during the upload; resuming ...");
      await client.rehello();
      begun = await client.begin(sha, bytes.length, head);
    }
  }
  const sid = begun.sid!;
  const uploadSeconds = (performance.now() - t0) / 1000;
  const uploadedBytes = bytes.length - resumedFrom;
  step("verifying on the device (hash, signature, board, HAL ABI, security counter) ...");
  const finished = await client.finish(sid);
  step(`slot ${finished.slot} pending; resetting into it on trial ...`);
  await client.reset();
  await client.rehello();
  const listing = await client.slots();
  const now = listing.slots[finished.slot];
  if (!(now?.state === "active" && now.trial)) throw trialFailed(listing, finished.slot);
  let state: FlashReport["state"] = "trial";
  if (opts.confirm) {
    // The firmware answering its own hello is the host's self-test before it confirms.
    await client.session.request(CHANNEL.SHELL, "hello", { v: [VERSION], n: Math.floor(Math.random() * 0x1_0000_0000) });
    await client.confirm();
    state = "confirmed";
  }
  return {
    ...base,
    slot: finished.slot,
    resumedFrom,
    uploadedBytes,
    uploadSeconds,
    restarts,
    bytesPerSecond: uploadSeconds > 0 ? uploadedBytes / uploadSeconds : 0,
    state,
  };
}

function trialFailed(listing: SlotListing, slot: number): TapkitError {
  const active = listing.slots.find((s) => s.state === "active");
  return new TapkitError(
    "BOOT_TRIAL_FAILED",
    `the new image in slot ${slot} did not come up on trial; the shell reverted to ${active ? `slot ${active.slot} (version ${active.version})` : "nothing bootable (recovery)"}`,
    "the firmware failed to start (see tapkit sim --verbose or the device's log); fix it and flash again",
    { listing },
  );
}
