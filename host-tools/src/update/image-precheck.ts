// What a technician sees of a signed image before anything is sent, and whether this device
// would take it: the manifest as signed (board, version, security counter, signer key id,
// HAL ABI) checked against the device's hello and its boot listing (trust anchor, recorded
// security counter). The device makes the same checks on the image's head before it erases
// anything (image/verify-image.ts, bootloaderChecks); this copy runs first so a refusal is
// shown in words without a round trip, and it uses only what the device tells anyone (no
// public key needed). The signature itself is the device's to check. No Node-only code: the
// web page runs it.
import { toHexLower } from "../bytes/hex.ts";
import { TapkitError } from "../errors/index.ts";
import { decodeManifestPayload, parseManifest, versionText } from "../image/manifest.ts";
import { HEADER_BYTES, splitImage } from "../image/layout.ts";
import { imageError } from "../image/image-error.ts";
import type { SlotListing } from "./boot-client.ts";

export interface ImageSummary {
  board: string;
  version: string;
  securityCounter: number;
  halAbi: number;
  /** the signer's key id (hex), as `tapkit image list` shows the trust anchor */
  kid: string;
  imageBytes: number;
  moduleBytes: number;
}

/** Reads the manifest of a .tki; refuses a file that is not a well-formed signed image. */
export function summarizeImage(bytes: Uint8Array): ImageSummary {
  const parts = splitImage(bytes);
  const sign1 = parseManifest(bytes.subarray(HEADER_BYTES, HEADER_BYTES + parts.header.manifestBytes));
  const f = decodeManifestPayload(sign1.payload);
  return {
    board: f.board,
    version: versionText(f.version),
    securityCounter: f.securityCounter,
    halAbi: f.halAbi,
    kid: toHexLower(sign1.kid),
    imageBytes: bytes.length,
    moduleBytes: f.moduleSize,
  };
}

export interface DeviceFacts {
  board: string;
  /** the HAL ABI its shell implements (hello `abi`) */
  abi: number;
  listing: Pick<SlotListing, "anchor" | "counter">;
}

/** The reason this device will refuse the image (same codes as the device), or null when it should take it. */
export function imageRefusal(image: ImageSummary, device: DeviceFacts): TapkitError | null {
  if (device.listing.anchor === null)
    return new TapkitError(
      "BOOT_NO_ANCHOR",
      "this device trusts no signing key yet, so it refuses every image",
      "provision your release key once: tapkit image trust --port P --key release.pub.pem",
    );
  if (image.board !== device.board)
    return imageError(
      "IMAGE_WRONG_BOARD",
      `this image is for board ${image.board}; the device is a ${device.board}`,
      `pick an image built and signed for ${device.board}`,
    );
  if (image.kid !== device.listing.anchor)
    return imageError(
      "IMAGE_UNKNOWN_KEY",
      `this image is signed by key ${image.kid}; the device trusts only key ${device.listing.anchor}`,
      "pick an image signed with the device's release key (tapkit image inspect shows an image's key id)",
    );
  if (image.securityCounter < device.listing.counter)
    return imageError(
      "IMAGE_DOWNGRADE",
      `this image has security counter ${image.securityCounter} (version ${image.version}); the device requires at least ${device.listing.counter}, so it is a downgrade`,
      "images below the recorded security counter are refused for good; pick a newer image",
    );
  if (image.halAbi !== device.abi)
    return imageError(
      "IMAGE_HAL_ABI",
      `this image needs HAL ABI ${image.halAbi}; the device's shell implements ${device.abi}`,
      image.halAbi > device.abi ? "update the board shell (bootloader) first" : "rebuild the firmware with a current tapkit",
    );
  return null;
}
