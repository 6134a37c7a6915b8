// `tapkit image sign` as a library: checks the module with the build's gates (valid Wasm,
// HAL-only imports, ABI exports, MVP features, the board's memory budget), checks the key
// against the board's keystore and the image against the board's slot, then writes
// header ‖ manifest ‖ padding ‖ module. Same inputs give the same bytes (Ed25519 and
// RFC 6979 ECDSA are deterministic), so a release can be re-signed and compared.
import { createHash } from "node:crypto";
import type { Board } from "../boards/index.ts";
import { HAL_ABI_VERSION, checkFirmwareModule } from "../build/index.ts";
import { algName, type Signer } from "../cose/sig-alg.ts";
import { imageError } from "./image-error.ts";
import { encodeHeader, joinImage, splitImage } from "./layout.ts";
import { type FirmwareVersion, type ManifestFields, encodeManifestPayload, manifestLength, signManifest } from "./manifest.ts";
import { keyAlgName } from "./signing-key.ts";
import { slotBudget, slotDescription } from "../boards/slot-budget.ts";

export interface SignRequest {
  module: Uint8Array;
  board: Board;
  key: Signer;
  version: FirmwareVersion;
  securityCounter: number;
  /** where the module came from, for messages (and so the feature gate can skip a temp file) */
  modulePath?: string;
}

export interface SignedImage {
  image: Uint8Array;
  fields: ManifestFields;
  alg: number;
  algName: string;
  kid: Uint8Array;
  manifestBytes: number;
  /** image bytes beyond the module: header, manifest and padding */
  overheadBytes: number;
  maxImageBytes: number;
}

/** Default security counter of tapkit image sign and tapkit build --sign: 0 sets no anti-rollback floor. */
export const DEFAULT_SECURITY_COUNTER = 0;

/** "1.2.3" -> [1, 2, 3]; prerelease or build suffixes are refused (the security counter, not the version, orders images). */
export function parseVersion(text: string): FirmwareVersion {
  const m = /^(0|[1-9]\d{0,9})\.(0|[1-9]\d{0,9})\.(0|[1-9]\d{0,9})$/.exec(text);
  const v = m ? ([Number(m[1]), Number(m[2]), Number(m[3])] as const) : null;
  if (!v || !v.every((n) => n <= 0xffff_ffff)) {
    throw imageError(
      "IMAGE_ARGUMENT",
      `version ${JSON.stringify(text)} is not MAJOR.MINOR.PATCH (each 0..4294967295, no suffix)`,
      "e.g. --version 1.4.0; a prerelease tag belongs in your release notes, not in the image",
    );
  }
  return v;
}

export function parseSecurityCounter(text: string): number {
  if (!/^(0|[1-9]\d{0,9})$/.test(text) || Number(text) > 0xffff_ffff) {
    throw imageError(
      "IMAGE_ARGUMENT",
      `security counter ${JSON.stringify(text)} is not an integer 0..4294967295`,
      "raise it only when devices must refuse every older image (a security fix); docs/image-format.md, Security counter",
    );
  }
  return Number(text);
}

export async function signImage(req: SignRequest): Promise<SignedImage> {
  const { board, key } = req;
  const keyAlg = keyAlgName(key.alg);
  if (!board.keystore.algorithms.includes(keyAlg)) {
    throw imageError(
      "IMAGE_BOARD_ALG",
      `board ${board.name} cannot verify ${algName(key.alg)} signatures (keystore algorithms: ${board.keystore.algorithms.join(", ")})`,
      `sign with a key of an algorithm the board has: tapkit image keygen --alg ${board.keystore.algorithms.includes("ed25519") ? "ed25519" : "p256"}`,
    );
  }
  // a BUILD_GATE_... error (exit 8) names the failed gate; a copy, as wabt.js reads a subarray's whole buffer
  await checkFirmwareModule(req.module.slice(), board, req.modulePath);
  const fields: ManifestFields = {
    board: board.name,
    version: req.version,
    halAbi: HAL_ABI_VERSION,
    securityCounter: req.securityCounter,
    moduleSize: req.module.length,
    moduleSha256: new Uint8Array(createHash("sha256").update(req.module).digest()),
  };
  const payload = encodeManifestPayload(fields);
  const header = encodeHeader(manifestLength(key, payload), req.module.length);
  const manifest = signManifest(key, payload, header);
  const image = joinImage(header, manifest, req.module);
  const budget = slotBudget(board);
  splitImage(image, budget.maxImageBytes, slotDescription(board)); // IMAGE_TOO_LARGE, worded as verify words it
  return {
    image,
    fields,
    alg: key.alg,
    algName: algName(key.alg),
    kid: key.kid,
    manifestBytes: manifest.length,
    overheadBytes: image.length - req.module.length,
    maxImageBytes: budget.maxImageBytes,
  };
}
