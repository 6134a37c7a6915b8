// `tapkit hil --firmware FILE` before a run: the file must be a firmware the lab can cite
// (a Wasm module or a signed .tki image, not a report or a key) and it must be what the
// connected device runs. The device says its board and version in hello; a bootloader shell
// also says which slot image runs (its SHA-256 in the boot channel's `slots`). A .tki must
// match all three; a bare .wasm (a development build, which carries no signed hash) must be
// built for the device's board (the board name is the module's own static data, which
// hello answers from) and cannot stand in for a signed image the device runs.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { DeviceClient } from "../host-tools/src/device/client.ts";
import { TapkitError } from "../host-tools/src/errors/index.ts";
import { inspectImage } from "../host-tools/src/image/inspect-image.ts";
import { CHANNEL, LinkError } from "../host-tools/src/link/index.ts";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export interface FirmwareFile {
  path: string;
  kind: "wasm" | "tki";
  bytes: Uint8Array;
  sha256: string;
  /** the signed manifest's board and version (a .tki) */
  manifest: { board: string; version: string } | null;
}

const HINT = "pass the .wasm module (build/BOARD/firmware.wasm) or the signed .tki image the device runs";

/** Reads and classifies --firmware FILE; a usage error for a missing file or one that is no firmware. */
export function readFirmwareFile(path: string): FirmwareFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new TapkitError("USAGE", `--firmware ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, HINT);
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (WASM_MAGIC.every((b, i) => bytes[i] === b)) return { path, kind: "wasm", bytes, sha256, manifest: null };
  const report = inspectImage(bytes);
  const f = report.manifest?.fields;
  if (report.header && f) return { path, kind: "tki", bytes, sha256, manifest: { board: f.board, version: f.version.join(".") } };
  throw new TapkitError("USAGE", `--firmware ${path} is not a firmware image (neither a Wasm module nor a .tki image with a manifest)`, HINT);
}

/** The SHA-256 of the slot image a bootloader shell runs; null for a development module or a shell without a boot channel. */
async function runningImageSha(device: DeviceClient): Promise<string | null> {
  let slots: unknown;
  try {
    slots = await device.session.request(CHANNEL.BOOT, "slots");
  } catch (e) {
    if (e instanceof LinkError && e.code === "DEVICE_ERROR") return null; // no boot channel
    throw e;
  }
  const active = ((slots as { slots?: { state?: string; sha?: Uint8Array }[] }).slots ?? []).find((s) => s.state === "active");
  return active?.sha instanceof Uint8Array ? hex(active.sha) : null;
}

/** Refuses (usage error, before any case runs) a firmware file that is not what `device` runs. */
export async function checkFirmwareMatchesDevice(fw: FirmwareFile, device: DeviceClient): Promise<void> {
  const h = device.hello;
  const refuse = (why: string) =>
    new TapkitError(
      "FIRMWARE_MISMATCH",
      `--firmware ${fw.path} is not the firmware this device runs: ${why}`,
      "pass the file the device was flashed with, or drop --firmware",
      {
        file: fw.path,
        fileSha256: fw.sha256,
      },
    );
  const running = await runningImageSha(device);
  if (fw.kind === "tki") {
    const m = fw.manifest!;
    if (m.board !== h.board) throw refuse(`the image is for board ${m.board}, the device is ${h.board}`);
    if (running && running !== fw.sha256) throw refuse(`the device runs image ${running}, the file's SHA-256 is ${fw.sha256}`);
    if (!running && m.version !== h.fw) throw refuse(`the image is version ${m.version}, the device reports ${h.fw}`);
    return;
  }
  if (!Buffer.from(fw.bytes).includes(Buffer.from(h.board)))
    throw refuse(`the module is not built for board ${h.board} (the board name it answers hello with is not in it; file SHA-256 ${fw.sha256})`);
  if (running) throw refuse(`the device runs the signed image ${running}; a bare module (SHA-256 ${fw.sha256}) cannot be matched to it: pass that .tki`);
}
