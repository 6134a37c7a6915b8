// tapkit image keygen | sign | inspect | verify: imgtool's jobs for .tki firmware images
// (library: host-tools/src/image, format: docs/image-format.md), and the signing step of
// `tapkit build --sign`. A refused image exits 1 with the reason's code (IMAGE_...) and a
// hint; bad arguments exit 2; a module failing the build gates exits 8; an unknown board 9.
import { toHexLower as hex } from "../../bytes/hex.ts";
import { resolve } from "node:path";
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { table, usageError } from "../output.ts";
import { integerOption } from "../option-values.ts";
import { EXIT } from "../../errors/index.ts";
import { type Board, loadBoard } from "../../boards/index.ts";
import type { BuildResult } from "../../build/index.ts";
import {
  DEFAULT_SECURITY_COUNTER,
  isImageError,
  type KeyAlgName,
  type SignedImage,
  checkBuiltFor,
  inspectImage,
  keygen,
  loadPublicKey,
  loadSigningKey,
  parseSecurityCounter,
  parseVersion,
  readBinaryFile,
  signBuild,
  signImage,
  slotBudget,
  verifyImage,
  versionText,
  writeImageFile,
} from "../../image/index.ts";
import type { Signer } from "../../cose/sig-alg.ts";

/** An argument the library refuses (IMAGE_ARGUMENT) is a usage error: exit 2. */
function asUsage<T>(fn: () => T, help: string): T {
  try {
    return fn();
  } catch (e) {
    if (isImageError(e) && e.code === "IMAGE_ARGUMENT") throw usageError(e.message, `${e.hint}; see ${help}`);
    throw e;
  }
}

function required(opts: Record<string, unknown>, name: string, cmd: string, example: string): string {
  const v = opts[name];
  if (typeof v !== "string" || v === "") throw usageError(`--${name} is required`, `e.g. ${example}; see tapkit ${cmd} --help`);
  return v;
}

function counterOption(value: string | undefined, cmd: string): number {
  return value === undefined ? DEFAULT_SECURITY_COUNTER : asUsage(() => parseSecurityCounter(value), `tapkit ${cmd} --help`);
}

/** What sign and build --sign report about one image. */
function signedSummary(path: string, s: SignedImage) {
  return {
    file: path,
    imageBytes: s.image.length,
    moduleBytes: s.fields.moduleSize,
    overheadBytes: s.overheadBytes,
    manifestBytes: s.manifestBytes,
    maxImageBytes: s.maxImageBytes,
    board: s.fields.board,
    version: versionText(s.fields.version),
    halAbi: s.fields.halAbi,
    securityCounter: s.fields.securityCounter,
    alg: s.alg,
    algName: s.algName,
    kid: hex(s.kid),
    moduleSha256: hex(s.fields.moduleSha256),
  };
}

const SECURITY_COUNTER_HELP = `security counter (default ${DEFAULT_SECURITY_COUNTER}: no anti-rollback floor); raise it when devices must refuse every older image`;

export const imageKeygen: Command = {
  name: "image keygen",
  summary: "make an image-signing key pair: private key (PKCS#8 PEM, mode 0600) and public key (SPKI PEM)",
  usage: "tapkit image keygen KEYFILE [--alg ed25519|p256] [--pub FILE] [--force] [--json]",
  examples: [
    "tapkit image keygen keys/release.pem                 # also writes keys/release.pub.pem",
    "tapkit image keygen keys/release-p256.pem --alg p256",
    "openssl pkey -in keys/release.pem -pubout           # the same public key, by openssl",
  ],
  positionals: [1, 1],
  options: {
    alg: { type: "string", help: "ed25519 (default; COSE EdDSA -8) or p256 (COSE ES256 -7)" },
    pub: { type: "string", help: "public key file (default: KEYFILE with .pem replaced by .pub.pem)" },
    force: { type: "boolean", help: "replace existing key files (regular files only; a symlink is always refused)" },
    ...JSON_OPTION,
  },
  async run(opts, [keyFile], out) {
    const alg = opts.alg ?? "ed25519";
    if (alg !== "ed25519" && alg !== "p256") throw usageError(`--alg must be ed25519 or p256 (got '${alg}')`, "tapkit image keygen KEYFILE --alg p256");
    const r = asUsage(() => keygen(keyFile, { alg: alg as KeyAlgName, publicKeyFile: opts.pub, force: Boolean(opts.force) }), "tapkit image keygen --help");
    out.result(r, (v) => {
      out.line(`private key  ${v.keyFile}  (${v.algName}, mode 0600): keep it secret and backed up`);
      out.line(`public key   ${v.publicKeyFile}`);
      out.line(`key id       ${v.kid}`);
      out.line(`raw public   ${v.publicKey}  (the trust anchor a board shell is provisioned with)`);
    });
  },
};

export const imageSign: Command = {
  name: "image sign",
  summary: "sign a firmware module (.wasm) into a .tki image for one board",
  usage: "tapkit image sign FIRMWARE.wasm --key KEYFILE --board NAME --version X.Y.Z [--security-counter N] [--out FILE.tki] [--json]",
  examples: [
    "tapkit image sign build/sim-plaque/firmware.wasm --key keys/release.pem --board sim-plaque --version 1.4.0",
    "tapkit image sign fw.wasm --key keys/release.pem --board sim-card --version 2.0.0 --security-counter 3 --out fw-2.0.0.tki --json",
  ],
  positionals: [1, 1],
  options: {
    key: { type: "string", short: "k", help: "private key file (tapkit image keygen, or openssl genpkey -algorithm ed25519)" },
    board: { type: "string", short: "b", help: "board the image is for (boards/NAME.json); checked against the module and the board's slots" },
    version: { type: "string", help: "firmware version MAJOR.MINOR.PATCH" },
    "security-counter": { type: "string", help: SECURITY_COUNTER_HELP },
    out: { type: "string", short: "o", help: "output file (default: FIRMWARE with .wasm replaced by .tki)" },
    ...JSON_OPTION,
  },
  async run(opts, [wasmPath], out) {
    const cmd = "image sign";
    const keyFile = required(opts, "key", cmd, "--key keys/release.pem");
    const boardName = required(opts, "board", cmd, "--board sim-plaque");
    const version = asUsage(() => parseVersion(required(opts, "version", cmd, "--version 1.4.0")), `tapkit ${cmd} --help`);
    const securityCounter = counterOption(opts["security-counter"], cmd);
    const outPath = opts.out ?? (wasmPath.endsWith(".wasm") ? `${wasmPath.slice(0, -5)}.tki` : `${wasmPath}.tki`);
    if (resolve(outPath) === resolve(wasmPath)) throw usageError("--out is the input module itself", "write the image to a .tki file");
    const board = loadBoard(boardName);
    const key = loadSigningKey(keyFile);
    const module = readBinaryFile(wasmPath, "firmware module");
    checkBuiltFor(wasmPath, module, board);
    const signed = await signImage({ module, board, key, version, securityCounter, modulePath: wasmPath });
    writeImageFile(outPath, signed.image);
    out.result(signedSummary(outPath, signed), printSigned(out));
  },
};

function printSigned(out: { line(t?: string): void }) {
  return (v: ReturnType<typeof signedSummary>) => {
    out.line(`signed ${v.file}: ${v.imageBytes} bytes (module ${v.moduleBytes} + ${v.overheadBytes} header/manifest/padding; slot takes ${v.maxImageBytes})`);
    out.line(`  board ${v.board}, version ${v.version}, HAL ABI ${v.halAbi}, security counter ${v.securityCounter}, ${v.algName} key id ${v.kid}`);
  };
}

export const imageInspect: Command = {
  name: "image inspect",
  summary: "show a .tki image's header and manifest (does not check the signature)",
  usage: "tapkit image inspect FILE.tki [--json]",
  examples: ["tapkit image inspect build/sim-plaque/firmware.tki", "tapkit image inspect fw.tki --json | jq .manifest.fields"],
  positionals: [1, 1],
  options: { ...JSON_OPTION },
  async run(_opts, [file], out) {
    const r = inspectImage(readBinaryFile(file, "image"));
    const fields = r.manifest?.fields;
    const json = {
      file,
      fileBytes: r.fileBytes,
      header: r.header,
      manifest: r.manifest && { ...r.manifest, fields: fields && { ...fields, version: versionText(fields.version) } },
      moduleSha256: r.moduleSha256,
      moduleHashMatches: r.moduleHashMatches,
      overheadBytes: r.overheadBytes,
      signatureChecked: false,
      problems: r.problems,
    };
    out.result(json, () => {
      out.line(`${file}: ${r.fileBytes} bytes; signature NOT checked (use tapkit image verify)`);
      if (r.header) {
        const h = r.header;
        out.line("header (32 bytes, little-endian)");
        out.line(
          table([
            ["  0", "magic", `${hex(h.magic)}${h.magicOk ? "" : "  (wrong: 89544b49 expected)"}`],
            ["  4", "format", String(h.formatVersion)],
            ["  6", "header length", String(h.headerBytes)],
            ["  8", "manifest length", `${h.manifestBytes}  (bytes 32..${32 + h.manifestBytes - 1})`],
            [" 12", "module offset", String(h.moduleOffset)],
            [" 16", "module length", String(h.moduleBytes)],
            [" 20", "image length", String(h.imageBytes)],
            [" 24", "flags", `0x${h.flags.toString(16).padStart(8, "0")}`],
            [" 28", "header CRC-32", `0x${h.headerCrc.toString(16).padStart(8, "0")}`],
          ]),
        );
      }
      if (r.manifest) {
        const m = r.manifest;
        out.line("manifest (COSE_Sign1)");
        const rows = [
          ["  alg", `${m.algName} (${m.alg})`],
          ["  key id", hex(m.kid)],
        ];
        if (fields) {
          rows.push(
            ["  board", fields.board],
            ["  version", versionText(fields.version)],
            ["  HAL ABI", String(fields.halAbi)],
            ["  security counter", String(fields.securityCounter)],
            ["  module size", String(fields.moduleSize)],
            ["  module SHA-256", hex(fields.moduleSha256)],
          );
        }
        out.line(table(rows));
      }
      if (r.moduleHashMatches !== null) out.line(`module hash ${r.moduleHashMatches ? "matches the manifest" : "DOES NOT match the manifest"}`);
      if (r.overheadBytes !== null) out.line(`overhead ${r.overheadBytes} bytes before the module (header, manifest, padding)`);
      for (const p of r.problems) out.line(`problem [${p.code}] ${p.message}\n  hint: ${p.hint}`);
    });
    return r.problems.length ? EXIT.failure : EXIT.ok;
  },
};

export const imageVerify: Command = {
  name: "image verify",
  summary: "check a .tki image as a bootloader would: layout, key, signature, board, HAL ABI, size, security counter, SHA-256",
  usage: "tapkit image verify FILE.tki --key PUBKEY [--key PUBKEY ...] [--board NAME] [--min-security-counter N] [--hal-abi N] [--json]",
  examples: [
    "tapkit image verify build/sim-plaque/firmware.tki --key keys/release.pub.pem --board sim-plaque",
    "tapkit image verify fw.tki --key old.pub.pem --key new.pub.pem --min-security-counter 3 --json",
  ],
  positionals: [1, 1],
  options: {
    key: { type: "string", short: "k", multiple: true, help: "trusted public key (SPKI PEM, or raw hex); repeat for several" },
    board: { type: "string", short: "b", help: "board the image must be for (default: the board the manifest names, which must be in boards/)" },
    "min-security-counter": { type: "string", help: "the security counter the device recorded; a lower one is a downgrade and refused" },
    "hal-abi": { type: "string", help: "HAL ABI version the shell implements (default: this tapkit's)" },
    ...JSON_OPTION,
  },
  async run(opts, [file], out) {
    const keyFiles: string[] = opts.key ?? [];
    if (!keyFiles.length) throw usageError("--key is required: the public key(s) the image must be signed by", "e.g. --key keys/release.pub.pem");
    const minSecurityCounter = opts["min-security-counter"] === undefined ? undefined : counterOption(opts["min-security-counter"], "image verify");
    let halAbi: number | undefined;
    if (opts["hal-abi"] !== undefined) {
      halAbi = integerOption(opts["hal-abi"], "hal-abi", { min: 1, max: 0xffff, what: "a HAL ABI version", hint: "e.g. --hal-abi 1" });
    }
    const board: Board | undefined = opts.board ? loadBoard(opts.board) : undefined;
    const keys = keyFiles.map((f) => loadPublicKey(f));
    const v = await verifyImage(readBinaryFile(file, "image"), { keys, board, halAbi, minSecurityCounter });
    const b = slotBudget(v.board);
    out.result(
      {
        valid: true,
        file,
        board: v.fields.board,
        version: versionText(v.fields.version),
        halAbi: v.fields.halAbi,
        securityCounter: v.fields.securityCounter,
        moduleBytes: v.fields.moduleSize,
        moduleSha256: hex(v.fields.moduleSha256),
        imageBytes: v.parts.header.imageBytes,
        maxImageBytes: b.maxImageBytes,
        alg: v.alg,
        algName: v.algName,
        kid: hex(v.kid),
        key: v.key,
      },
      (r) => {
        out.line(`valid: ${r.file} is signed by ${r.key} (${r.algName}, key id ${r.kid})`);
        out.line(`  board ${r.board}, version ${r.version}, HAL ABI ${r.halAbi}, security counter ${r.securityCounter}`);
        out.line(`  module ${r.moduleBytes} bytes, SHA-256 ${r.moduleSha256}; image ${r.imageBytes} of ${r.maxImageBytes} slot bytes`);
      },
    );
  },
};

/** `tapkit build --sign KEY`: the key and counter, checked before anything is built. */
export function buildSigningOptions(opts: Record<string, any>): { key: Signer; securityCounter: number } | null {
  if (opts.sign === undefined) {
    if (opts["security-counter"] !== undefined)
      throw usageError("--security-counter needs --sign KEY", "tapkit build --board sim-plaque --sign keys/release.pem --security-counter 2");
    return null;
  }
  return { key: loadSigningKey(opts.sign), securityCounter: counterOption(opts["security-counter"], "build") };
}

/** Signs one build's module into build/<board>/firmware.tki; returns what build prints. */
export async function signBuiltFirmware(r: BuildResult, board: Board, signing: { key: Signer; securityCounter: number }) {
  const s = await signBuild(r, board, signing.key, signing.securityCounter);
  return signedSummary(s.path, s);
}

export const BUILD_SIGN_OPTIONS = {
  sign: { type: "string" as const, help: "also sign each module with this private key into build/<board>/firmware.tki (version from package.json)" },
  "security-counter": { type: "string" as const, help: `with --sign: ${SECURITY_COUNTER_HELP}` },
};

export const IMAGE_COMMANDS: Command[] = [imageKeygen, imageSign, imageInspect, imageVerify];
