// `tapkit build --sign KEY`: signs what the build just produced and writes
// build/<board>/firmware.tki next to firmware.wasm, with the package.json version.
import { join, dirname } from "node:path";
import type { Board } from "../boards/index.ts";
import { type BuildResult, packageVersion } from "../build/index.ts";
import type { Signer } from "../wallet/sig-alg.ts";
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
