// Step 1 of `tapkit provision` when the manifest names a signed image (docs/provisioning.md,
// Firmware): over the board shell's boot channel, before the firmware is asked anything,
// compare the device's active slot with the batch image and, when it holds another, flash the
// image with the update library (resuming what an earlier cut run left in the slot), confirm
// it once its firmware answers, and give a device that trusts no signer yet the manifest's.
// The outcome is an audit record of the batch (no serial yet), and its SHA-256 goes into the
// device's record as its firmware hash.
import { toHexLower } from "../bytes/hex.ts";
import { TapkitError } from "../errors/index.ts";
import { appendAudit, type ProvisioningRecords } from "../records/index.ts";
import type { BootClient } from "../update/boot-client.ts";
import { flashImage, type FlashProgress } from "../update/flash-image.ts";
import { auditResultOf, type BatchContext } from "./provision-device.ts";

export interface FirmwareFacts {
  /** SHA-256 of the image the device runs confirmed, lower-case hex */
  sha256: string;
  version: string;
  /** kept: it already ran it; flashed: uploaded from the start; resumed: an earlier run's upload continued */
  action: "kept" | "flashed" | "resumed";
  uploadedBytes: number;
  resumedFrom: number;
  /** the trust anchor was set by this run (a device that trusted no signer) */
  trustSet: boolean;
}

export interface FirmwareStepOptions {
  /** the lifecycle state the running firmware reported (identity.get) before this step, if one answered */
  found?: { state: string; serial?: number };
  /** the run is an authorised re-provisioning: a provisioned device may be flashed */
  reprovision?: boolean;
  onProgress?: (p: FlashProgress) => void;
  onStep?: (text: string) => void;
  /** upload restarts inside this run after a device reset (flashImage's autoResume) */
  autoResume?: number;
}

/** Makes the device run the batch image, confirmed; throws a refusal with a hint otherwise. */
export async function installBatchImage(
  boot: BootClient,
  batch: BatchContext,
  records: ProvisioningRecords,
  opts: FirmwareStepOptions = {},
): Promise<FirmwareFacts> {
  const m = batch.manifest;
  const image = m.image;
  if (!image) throw new TapkitError("INTERNAL", "installBatchImage: the manifest names no image", "call it only when /firmware/image is set");
  const audit = (result: string, data: Record<string, string | number | boolean | null>) =>
    appendAudit(records.db, records.station, { batch: m.batch, serial: null, step: "firmware", result, data });
  try {
    const facts = await install(boot, batch, opts);
    await audit("ok", { ...facts, board: boot.board });
    return facts;
  } catch (e) {
    const code = e instanceof TapkitError ? e.code : "INTERNAL";
    // The database may be what failed: the device's refusal still reaches the operator.
    await audit(auditResultOf(e), { code, error: (e as Error).message, sha256: image.sha256 }).catch(() => {});
    throw e;
  }
}

async function install(boot: BootClient, batch: BatchContext, opts: FirmwareStepOptions): Promise<FirmwareFacts> {
  const m = batch.manifest;
  const image = m.image!;
  if (boot.board !== m.board)
    throw new TapkitError(
      "DEVICE_WRONG_BOARD",
      `the device's shell answers as board '${boot.board}', the manifest is for '${m.board}'`,
      "connect a device of the manifest's board, or use the manifest of this board",
      { board: boot.board, expected: m.board },
    );
  const listing = await boot.slots();
  const active = listing.slots.find((s) => s.state === "active");
  const base = { sha256: image.sha256, version: image.version, uploadedBytes: 0, resumedFrom: 0, trustSet: false };
  if (active?.sha && toHexLower(active.sha) === image.sha256) {
    if (listing.running === "trial") await boot.confirm();
    opts.onStep?.(`slot ${active.slot} already runs ${image.version} (${image.sha256.slice(0, 16)})${listing.running === "trial" ? ", confirmed now" : ""}`);
    return { ...base, action: "kept" };
  }
  // Flashing changes the device: a device this run is going to refuse is left as it is.
  const found = opts.found;
  if (found?.state === "demo")
    throw new TapkitError(
      "DEVICE_NOT_BLANK",
      "the device runs the demo set-up, not blank",
      "start from a blank device (tapkit sim --blank, or a wiped device)",
      {
        state: found.state,
      },
    );
  if ((found?.state === "locked" || found?.state === "provisioned") && !opts.reprovision)
    throw new TapkitError(
      "DEVICE_PROVISIONED",
      `the device is already provisioned (serial ${found.serial ?? "?"}, ${found.state}); its firmware is not replaced by a provisioning run`,
      "a device is provisioned once; to redo it, get a grant signed by the root (tapkit provision authorise) and pass --reprovision SERIAL --grant FILE; to update it, tapkit flash",
      { serial: found.serial ?? null, state: found.state },
    );
  let trustSet = false;
  if (listing.anchor === null) {
    // A factory-fresh shell trusts no signer yet: the manifest's is set once, for good.
    await boot.trust(image.signer.publicKey);
    trustSet = true;
    opts.onStep?.(`the device trusted no image signer; it now trusts ${toHexLower(image.signer.kid)} (${image.signer.source})`);
  } else if (listing.anchor.toLowerCase() !== toHexLower(image.signer.kid))
    throw new TapkitError(
      "FIRMWARE_SIGNER_MISMATCH",
      `the device trusts image signer ${listing.anchor}, the batch image is signed by ${toHexLower(image.signer.kid)}`,
      "sign the batch image with the key these devices trust, or use a manifest for them; a shell's trust anchor is set once",
      { anchor: listing.anchor, signer: toHexLower(image.signer.kid) },
    );
  opts.onStep?.(
    `flashing ${image.version} (${image.bytes.length} B, ${image.sha256.slice(0, 16)}) over ${active?.version ? `version ${active.version}` : "the development firmware"}`,
  );
  const r = await flashImage(boot, image.bytes, { confirm: true, onProgress: opts.onProgress, onStep: opts.onStep, autoResume: opts.autoResume });
  if (r.state !== "confirmed" && r.state !== "already-installed")
    throw new TapkitError("FIRMWARE_NOT_CONFIRMED", `the image runs ${r.state}, not confirmed`, "run tapkit provision again; it confirms the image");
  return { ...base, action: r.resumedFrom > 0 ? "resumed" : "flashed", uploadedBytes: r.uploadedBytes, resumedFrom: r.resumedFrom, trustSet };
}
