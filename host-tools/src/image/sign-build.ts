// `tapkit build --sign KEY`: signs what the build just produced and writes
// build/<board>/firmware.tki next to firmware.wasm, with the package.json version; and the
// check that a module from a build folder is signed for the board it was built for.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Board } from "../boards/index.ts";
import { type BuildResult, packageVersion } from "../build/index.ts";
import type { Signer } from "../cose/sig-alg.ts";
import { imageError } from "./image-error.ts";
import { readBinaryFile, writeImageFile } from "./image-file.ts";
import { type SignedImage, parseVersion, signImage } from "./sign-image.ts";

export interface SignedBuild extends SignedImage {
  path: string;
}

export async function signBuild(build: BuildResult, board: Board, key: Signer, securityCounter: number): Promise<SignedBuild> {
  const module = readBinaryFile(build.wasmPath, "firmware module");
  const signed = await signImage({ module, board, key, version: parseVersion(packageVersion()), securityCounter, modulePath: build.wasmPath });
  const path = join(dirname(build.wasmPath), "firmware.tki");
  writeImageFile(path, signed.image);
  return { ...signed, path };
}

/**
 * The board a module was built for, when the build.json tapkit build wrote beside it
 * describes these very bytes (same SHA-256); null when there is no such record. Each
 * board's module has that board's constants compiled in, so signing it for another board
 * would make an image the other board boots and then misbehaves on.
 */
function builtForBoard(wasmPath: string, module: Uint8Array): string | null {
  const record = join(dirname(wasmPath), "build.json");
  if (!existsSync(record)) return null;
  try {
    const r = JSON.parse(readFileSync(record, "utf8")) as { board?: unknown; sha256?: unknown };
    const sha = createHash("sha256").update(module).digest("hex");
    return typeof r.board === "string" && r.sha256 === sha ? r.board : null;
  } catch {
    return null;
  }
}

export function checkBuiltFor(wasmPath: string, module: Uint8Array, board: Board): void {
  const builtFor = builtForBoard(wasmPath, module);
  if (builtFor !== null && builtFor !== board.name) {
    throw imageError(
      "IMAGE_WRONG_BOARD",
      `${wasmPath} was built for board ${builtFor} (its build.json says so), not ${board.name}`,
      `sign build/${board.name}/firmware.wasm instead, or build it: tapkit build --board ${board.name}`,
    );
  }
}
