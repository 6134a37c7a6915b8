// Test support for updates: a simulated board whose shell is the bootloader (in memory or in
// a state directory), images signed from the real built module with fixed-seed keys, and a
// boot-channel client over the in-process UART.
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { BootClient } from "../../host-tools/src/update/boot-client.ts";
import { signImage } from "../../host-tools/src/image/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { COSE_ALG_EDDSA, signerFromSecret, type Signer } from "../../host-tools/src/cose/sig-alg.ts";
import { builtModule } from "../image/image-fixture.ts";
import { selfTestFailingModule } from "../../host-tools/src/torture/update-images.ts";

export const BOARD = "sim-card";
export const board = loadBoard(BOARD);

export const releaseKey: Signer = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x51));
export const otherKey: Signer = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x52));

const cache = new Map<string, Uint8Array>();

/**
 * The built module signed as version `version` with security counter `sc` (cached per test
 * file). With selfTest "fails" its firmware never confirms itself: it stays on trial for the host.
 */
export async function image(
  version: [number, number, number],
  sc = 0,
  key: Signer = releaseKey,
  boardName = BOARD,
  selfTest: "passes" | "fails" = "passes",
): Promise<Uint8Array> {
  const id = `${version.join(".")}/${sc}/${Buffer.from(key.publicKey).toString("hex")}/${boardName}/${selfTest}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const built = await builtModule(boardName);
  const module = selfTest === "fails" ? selfTestFailingModule(built) : built;
  const signed = await signImage({ module, board: loadBoard(boardName), key, version, securityCounter: sc });
  cache.set(id, signed.image);
  return signed.image;
}

export async function bootDevice(opts: { stateDir?: string; seed?: number } = {}): Promise<SimDevice> {
  return SimDevice.create({ board, wasm: firmwarePath(BOARD), bootFromSlots: true, tickMs: 0, stateDir: opts.stateDir, seed: opts.seed });
}

export async function bootClient(device: SimDevice): Promise<BootClient> {
  return BootClient.over(inProcessTransport(device), "sim", { timeoutMs: 300, retries: 1 });
}

/** A device that trusts releaseKey and runs `first` confirmed. */
export async function deviceRunning(first: Uint8Array, opts: { stateDir?: string } = {}): Promise<SimDevice> {
  const { flashImage } = await import("../../host-tools/src/update/flash-image.ts");
  const device = await bootDevice(opts);
  const c = await bootClient(device);
  await c.trust(releaseKey.publicKey);
  await flashImage(c, first, { confirm: true });
  await c.close();
  return device;
}

/** The slot image the device runs, or null (development module, recovery). */
export function running(device: SimDevice) {
  return typeof device.running === "object" && device.running ? device.running : null;
}
