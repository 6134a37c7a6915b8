// The facts that make a conformance run reproducible and citable: which firmware (SHA-256,
// and the signed manifest when the lab gave a .tki image), which board, HAL ABI and device
// identity, which tapkit (version and git commit), Node and OS, and which reader path.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { arch, release, type } from "node:os";
import { dirname, join, relative } from "node:path";
import type { DeviceClient } from "../host-tools/src/device/client.ts";
import type { NfcPath } from "../host-tools/src/device/nfc-path.ts";
import { TapkitError } from "../host-tools/src/errors/index.ts";
import { inspectImage } from "../host-tools/src/image/inspect-image.ts";
import { getTag } from "../host-tools/src/ndef/index.ts";
import { firmwarePath, ROOT } from "../host-tools/src/paths.ts";
import { readWalletInfoIfAny } from "../host-tools/src/wallet/card-link.ts";
import type { Role } from "./case.ts";

export interface RunFacts {
  firmware: {
    /** the file hashed, and how it was chosen */
    file: string | null;
    source: "--firmware" | "simulator build output" | "not given";
    sha256: string | null;
    /** the signed manifest's fields when the file is a .tki image */
    manifest: Record<string, string | number> | null;
    /** qemu-m4: QEMU runs the native ELF that embeds the module; both are hashed */
    elf?: { file: string; sha256: string } | null;
  };
  board: string;
  role: Role | "unknown";
  halAbi: number;
  fw: string;
  shell: string;
  /** what identifies this very device: the wallet key id (card) or the tag UID (plaque) */
  identity: { kind: "wallet-kid" | "tag-uid" | "none"; value: string | null };
  tapkit: { version: string; commit: string | null };
  node: string;
  os: string;
  /** the path the tag's APDUs took: "nfc-test channel over PORT", "PC/SC reader NAME" */
  path: { link: string; nfc: string; nfcKind: string };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function tapkitVersion(): string {
  return JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
}

function gitCommit(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

export function firmwareFacts(board: string, given?: string): RunFacts["firmware"] {
  let file = given ?? null;
  let source: RunFacts["firmware"]["source"] = given ? "--firmware" : "not given";
  if (!file && (board.startsWith("sim-") || board === "qemu-m4") && existsSync(firmwarePath(board))) {
    file = firmwarePath(board);
    source = "simulator build output";
  }
  if (!file) return { file: null, source, sha256: null, manifest: null };
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new TapkitError("FILE_UNREADABLE", `--firmware ${file}: ${(e as Error).message}`, "pass the .wasm module or .tki image the device runs");
  }
  let manifest: RunFacts["firmware"]["manifest"] = null;
  if (file.endsWith(".tki")) {
    const r = inspectImage(bytes);
    const f = r.manifest?.fields;
    if (f)
      manifest = {
        board: f.board,
        version: f.version.join("."),
        halAbi: f.halAbi,
        securityCounter: f.securityCounter,
        moduleSha256: hex(f.moduleSha256),
        signer: r.manifest ? hex(r.manifest.kid) : "",
      };
  }
  const show = (f: string) => (f.startsWith(ROOT) ? relative(ROOT, f) : f);
  const facts: RunFacts["firmware"] = { file: show(file), source, sha256: createHash("sha256").update(bytes).digest("hex"), manifest };
  if (board === "qemu-m4") {
    // The wasm is what the build hashes; the ELF beside it is what QEMU executes.
    const elf = join(dirname(file), "firmware.elf");
    facts.elf = existsSync(elf) ? { file: show(elf), sha256: createHash("sha256").update(readFileSync(elf)).digest("hex") } : null;
  }
  return facts;
}

async function identity(device: DeviceClient, role: Role | "unknown"): Promise<RunFacts["identity"]> {
  if (role === "card") {
    const w = await readWalletInfoIfAny(device);
    if (w) return { kind: "wallet-kid", value: hex(new Uint8Array(w.info.kid)) };
  }
  try {
    return { kind: "tag-uid", value: hex((await getTag(device)).tag_uid) };
  } catch {
    return { kind: "none", value: null };
  }
}

export async function collectRunFacts(device: DeviceClient, nfc: NfcPath, role: Role | "unknown", firmware?: string): Promise<RunFacts> {
  const h = device.hello;
  return {
    firmware: firmwareFacts(h.board, firmware),
    board: h.board,
    role,
    halAbi: h.abi,
    fw: h.fw,
    shell: h.shell,
    identity: await identity(device, role),
    tapkit: { version: tapkitVersion(), commit: gitCommit() },
    node: process.version,
    os: `${type()} ${release()} ${arch()}`,
    path: { link: device.port, nfc: nfc.description, nfcKind: nfc.kind },
  };
}
