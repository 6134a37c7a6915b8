// The signed firmware image a batch manifest names (/firmware/image, /firmware/signer,
// optional /firmware/sha256 and /firmware/version): read once per batch and checked the way
// the board shell will check it (signature under the named signer, board, HAL ABI, module
// hash), so a wrong or altered image is refused before any device is touched, not on the
// fiftieth device of the line.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { toHexLower } from "../bytes/hex.ts";
import { loadBoard } from "../boards/index.ts";
import { bootloaderChecks, loadPublicKey, versionText, type PublicKeyInfo } from "../image/index.ts";
import type { Manifest } from "./manifest.ts";

export interface BatchImage {
  bytes: Uint8Array;
  /** SHA-256 of the whole .tki file, lower-case hex: what the device's slot listing reports */
  sha256: string;
  version: string;
  securityCounter: number;
  /** the key the image is signed with; the trust anchor a device without one receives */
  signer: PublicKeyInfo;
  path: string;
}

/** The manifest's image, or the problems that refuse it (each naming its field). */
export function readBatchImage(m: Manifest, resolve: (file: string) => string): { image?: BatchImage; problems: string[] } {
  const fw = m.firmware;
  if (!fw?.image) return { problems: fw?.sha256 || fw?.signer ? ["/firmware: sha256 and signer describe an image: give /firmware/image too"] : [] };
  if (!fw.signer) return { problems: ["/firmware/signer: an image needs the public key it is signed with (tapkit image keygen writes NAME.pub.pem)"] };
  const path = resolve(fw.image);
  let bytes: Uint8Array;
  let signer: PublicKeyInfo;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    return { problems: [`/firmware/image: cannot read ${path}: ${(e as Error).message}`] };
  }
  try {
    signer = loadPublicKey(resolve(fw.signer));
  } catch (e) {
    return { problems: [`/firmware/signer: ${(e as Error).message}`] };
  }
  const sha256 = toHexLower(createHash("sha256").update(bytes).digest());
  const problems: string[] = [];
  if (fw.sha256 && fw.sha256.toLowerCase() !== sha256)
    problems.push(`/firmware/sha256: ${path} has SHA-256 ${sha256}, the manifest pins ${fw.sha256.toLowerCase()}`);
  let board;
  try {
    board = loadBoard(m.board);
  } catch {
    return { problems }; // the unknown board is the manifest's own problem, reported there
  }
  try {
    const v = bootloaderChecks(bytes, { keys: [signer], board });
    const version = versionText(v.fields.version);
    if (fw.version && fw.version !== version) problems.push(`/firmware/version: the image is version ${version}, the manifest says ${fw.version}`);
    if (problems.length) return { problems };
    return { image: { bytes, sha256, version, securityCounter: v.fields.securityCounter, signer, path }, problems };
  } catch (e) {
    problems.push(`/firmware/image: ${path}: ${(e as Error).message}`);
    return { problems };
  }
}
