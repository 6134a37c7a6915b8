// `tapkit image verify` as a library, and the reference for what a bootloader checks
// before it instantiates a module (docs/image-format.md, "Checks, in order"): layout,
// slot size, manifest shape, key id against the trust anchors, signature over the header
// and payload, then the signed fields (board, HAL ABI, size, security counter), and last
// the module's SHA-256. Nothing in the payload is believed before its signature verifies.
import { toHexLower as hex } from "../bytes/hex.ts";
import { createHash } from "node:crypto";
import { type Board, isBoardError, loadBoard } from "../boards/index.ts";
import { isBuildError, HAL_ABI_VERSION, checkFirmwareModule } from "../build/index.ts";
import { algName } from "../cose/sig-alg.ts";
import { imageError } from "./image-error.ts";
import { type ImageParts, splitImage } from "./layout.ts";
import { type ManifestFields, decodeManifestPayload, manifestSignatureValid, parseManifest, versionText } from "./manifest.ts";
import type { PublicKeyInfo } from "./signing-key.ts";
import { slotBudget, slotDescription } from "../boards/slot-budget.ts";

export interface VerifyOptions {
  /** the trust anchors: public keys whose images are accepted */
  keys: PublicKeyInfo[];
  /** the board the image must be for (a bootloader: itself); without it, the manifest's board from boards/ */
  board?: Board;
  /** the HAL ABI the shell implements (default: this tapkit's) */
  halAbi?: number;
  /** the security counter the device recorded; lower is a downgrade */
  minSecurityCounter?: number;
  /** also run the build gates over the module (host only; default true) */
  checkModule?: boolean;
}

export interface VerifiedImage {
  fields: ManifestFields;
  alg: number;
  algName: string;
  kid: Uint8Array;
  /** which trust anchor verified it */
  key: string;
  board: Board;
  parts: ImageParts;
}

/**
 * Checks 1..18 of docs/image-format.md: everything a board shell checks before it
 * instantiates a module (synchronous, no build gates), so the simulator's boot path and
 * the host share one implementation.
 */
export function bootloaderChecks(bytes: Uint8Array, opts: Omit<VerifyOptions, "checkModule">, headOnly = false): VerifiedImage {
  const parts = opts.board
    ? splitImage(bytes, slotBudget(opts.board).maxImageBytes, slotDescription(opts.board), headOnly)
    : splitImage(bytes, undefined, undefined, headOnly);

  const sign1 = parseManifest(parts.manifest);
  const anchor = opts.keys.find((k) => hex(k.kid) === hex(sign1.kid));
  if (!anchor) {
    const known = opts.keys.map((k) => `${hex(k.kid)} (${k.source})`).join(", ") || "none given";
    throw imageError(
      "IMAGE_UNKNOWN_KEY",
      `the image is signed by key id ${hex(sign1.kid)}, which is not a trusted key (trusted: ${known})`,
      "verify with the public key of the key that signed it (tapkit image inspect shows its kid), or re-sign the module with your own key",
    );
  }
  if (anchor.alg !== sign1.alg) {
    throw imageError(
      "IMAGE_ALG",
      `the manifest says ${algName(sign1.alg)} but trusted key ${hex(anchor.kid)} is ${algName(anchor.alg)}`,
      "the protected header was altered; sign the module again",
    );
  }
  if (!manifestSignatureValid(sign1, anchor.publicKey, parts.headerBytes)) {
    throw imageError(
      "IMAGE_BAD_SIGNATURE",
      `the manifest signature does not verify under trusted key ${hex(anchor.kid)} (${anchor.source})`,
      "the header or manifest was altered after signing, or the signature is malleated (high-S / non-canonical); get the image from its signer again",
    );
  }

  const fields = decodeManifestPayload(sign1.payload);
  let board = opts.board;
  if (board && fields.board !== board.name) {
    throw imageError(
      "IMAGE_WRONG_BOARD",
      `the image is for board ${fields.board}, not ${board.name}`,
      `build and sign for ${board.name}: tapkit build --board ${board.name} --sign KEY`,
    );
  }
  if (!board) {
    try {
      board = loadBoard(fields.board);
    } catch (e) {
      if (!isBoardError(e)) throw e;
      throw imageError(
        "IMAGE_UNKNOWN_BOARD",
        `the image is for board ${fields.board}, which this tapkit does not know (${e.message.split("\n")[0]})`,
        "pass --board with the board you are going to flash; the image must name it",
      );
    }
    splitImage(bytes, slotBudget(board).maxImageBytes, slotDescription(board), headOnly); // the size check, now that the board is known
  }
  const halAbi = opts.halAbi ?? HAL_ABI_VERSION;
  if (fields.halAbi !== halAbi) {
    throw imageError(
      "IMAGE_HAL_ABI",
      `the image needs HAL ABI ${fields.halAbi}; the shell implements HAL ABI ${halAbi}`,
      fields.halAbi > halAbi
        ? "update the board shell (bootloader) first, then flash this image"
        : "rebuild the firmware against this HAL ABI with a current tapkit",
    );
  }
  if (fields.moduleSize !== parts.header.moduleBytes) {
    throw imageError(
      "IMAGE_SIZE_MISMATCH",
      `the manifest signs a ${fields.moduleSize}-byte module but the header says ${parts.header.moduleBytes}`,
      "the image was assembled by a broken tool; sign the module again",
    );
  }
  if (opts.minSecurityCounter !== undefined && fields.securityCounter < opts.minSecurityCounter) {
    throw imageError(
      "IMAGE_DOWNGRADE",
      `the image's security counter is ${fields.securityCounter} (version ${versionText(fields.version)}); the device requires at least ${opts.minSecurityCounter}`,
      "an image with a lower security counter is refused for good (it may have a known hole); install a newer image",
    );
  }
  if (headOnly) return { fields, alg: sign1.alg, algName: algName(sign1.alg), kid: sign1.kid, key: anchor.source, board, parts };
  const actual = createHash("sha256").update(parts.module).digest();
  if (hex(actual) !== hex(fields.moduleSha256)) {
    throw imageError(
      "IMAGE_HASH_MISMATCH",
      `the module's SHA-256 is ${hex(actual)}, the manifest signs ${hex(fields.moduleSha256)}: the module was altered or damaged`,
      "copy the image again from its source; do not edit a signed image",
    );
  }
  return { fields, alg: sign1.alg, algName: algName(sign1.alg), kid: sign1.kid, key: anchor.source, board, parts };
}

/**
 * Checks 1..17 on an image's head alone (header, manifest, padding: the bytes before the
 * module), so an uploader's first request is refused before anything is erased. The
 * module's hash (check 18) waits for the whole image.
 */
export function imageHeadChecks(head: Uint8Array, opts: Omit<VerifyOptions, "checkModule">): VerifiedImage {
  return bootloaderChecks(head, opts, true);
}

/** All checks, in order: the bootloader's, then (host only, unless checkModule is false) the build gates over the module. */
export async function verifyImage(bytes: Uint8Array, opts: VerifyOptions): Promise<VerifiedImage> {
  const v = bootloaderChecks(bytes, opts);
  if (opts.checkModule ?? true) {
    try {
      // a copy: wabt.js reads the whole underlying buffer of a subarray (it would see the header)
      await checkFirmwareModule(v.parts.module.slice(), v.board);
    } catch (e) {
      if (!isBuildError(e)) throw e;
      throw imageError(
        "IMAGE_MODULE_INVALID",
        `the signed module fails the build gates for board ${v.board.name}: ${e.message}`,
        `the signer did not check it; ${e.hint}`,
      );
    }
  }
  return v;
}
