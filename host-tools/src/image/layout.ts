// The .tki file layout (docs/image-format.md): a fixed 32-byte little-endian header, the
// COSE_Sign1 manifest, zero padding to a 16-byte boundary, the Wasm module. Everything a
// bootloader needs to find the parts is at a fixed offset in the header, so a C shell
// never needs a general CBOR decoder to locate them. This module only builds and splits
// that layout; what the manifest says is manifest.ts's job.
import { toHexLower as hex } from "../bytes/hex.ts";
import { crc32 } from "../link/crc32.ts";
import { imageError } from "./image-error.ts";

/** "\x89TKI": high bit set (a 7-bit or text-mode copy is caught), neither 00 nor FF (blank flash). */
export const IMAGE_MAGIC = Uint8Array.of(0x89, 0x54, 0x4b, 0x49);
export const IMAGE_FORMAT_VERSION = 1;
export const HEADER_BYTES = 32;
/** Every part starts on this boundary: the largest flash write unit boards/board.schema.json allows. */
export const PART_ALIGN = 16;
/** A format-1 manifest is 137..191 bytes; a shell may read it into a buffer this big. */
export const MANIFEST_MAX_BYTES = 512;

export interface ImageHeader {
  magic: Uint8Array;
  formatVersion: number;
  headerBytes: number;
  manifestBytes: number;
  moduleOffset: number;
  moduleBytes: number;
  imageBytes: number;
  flags: number;
  headerCrc: number;
}

export interface ImageParts {
  header: ImageHeader;
  /** the 32 header bytes as in the file: the manifest signature's external_aad */
  headerBytes: Uint8Array;
  manifest: Uint8Array;
  module: Uint8Array;
}

export const alignUp = (n: number, a: number = PART_ALIGN): number => Math.ceil(n / a) * a;

/** The header for a manifest and a module of the given lengths (offsets derived, CRC filled in). */
export function encodeHeader(manifestBytes: number, moduleBytes: number): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES);
  const v = new DataView(h.buffer);
  const moduleOffset = alignUp(HEADER_BYTES + manifestBytes);
  h.set(IMAGE_MAGIC, 0);
  v.setUint16(4, IMAGE_FORMAT_VERSION, true);
  v.setUint16(6, HEADER_BYTES, true);
  v.setUint32(8, manifestBytes, true);
  v.setUint32(12, moduleOffset, true);
  v.setUint32(16, moduleBytes, true);
  v.setUint32(20, moduleOffset + moduleBytes, true);
  v.setUint32(24, 0, true); // flags: none defined in format 1
  v.setUint32(28, crc32(h.subarray(0, 28)), true);
  return h;
}

/** The header fields as stored, unchecked (inspect shows them even when they are wrong). */
export function readHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < HEADER_BYTES)
    throw imageError(
      "IMAGE_TRUNCATED",
      `the file has ${bytes.length} bytes, less than the ${HEADER_BYTES}-byte image header`,
      "the copy or download was cut short; build or copy the .tki again",
    );
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  return {
    magic: bytes.slice(0, 4),
    formatVersion: v.getUint16(4, true),
    headerBytes: v.getUint16(6, true),
    manifestBytes: v.getUint32(8, true),
    moduleOffset: v.getUint32(12, true),
    moduleBytes: v.getUint32(16, true),
    imageBytes: v.getUint32(20, true),
    flags: v.getUint32(24, true),
    headerCrc: v.getUint32(28, true),
  };
}

function magicHint(bytes: Uint8Array): string {
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d)
    return "this is a bare WebAssembly module; sign it first: tapkit image sign FIRMWARE.wasm --key KEY --board BOARD --version X.Y.Z";
  if (bytes.length > 0 && bytes.subarray(0, 4).every((b) => b === 0xff))
    return "the data starts with FF FF FF FF, which is erased flash: the slot or file holds no image";
  return "this is not a tapkit firmware image (.tki); images start with 89 54 4B 49";
}

/**
 * Splits a file into header, manifest and module, checking the layout rules in the order
 * docs/image-format.md gives (magic, length, header CRC, format, header fields, slot
 * size when `maxImageBytes` is known, file length, padding). Says nothing about the
 * manifest's contents or the signature.
 */
export function splitImage(bytes: Uint8Array, maxImageBytes?: number, slotName = "the slot", headOnly = false): ImageParts {
  if (bytes.length === 0) throw imageError("IMAGE_TRUNCATED", "the file is empty", "the copy or download was cut short; build or copy the .tki again");
  const prefix = bytes.subarray(0, 4);
  if (!prefix.every((b, i) => b === IMAGE_MAGIC[i])) {
    throw imageError("IMAGE_BAD_MAGIC", `bad magic: the file starts with ${hex(prefix)}, not 89544b49`, magicHint(bytes));
  }
  const header = readHeader(bytes);
  const crc = crc32(bytes.subarray(0, 28));
  if (crc !== header.headerCrc) {
    throw imageError(
      "IMAGE_HEADER_CRC",
      `header CRC-32 is ${hex32(header.headerCrc)} but bytes 0..27 give ${hex32(crc)}: the header is corrupted or was torn by a power cut`,
      "copy or upload the image again; a slot whose header fails this check holds no bootable image",
    );
  }
  if (header.formatVersion !== IMAGE_FORMAT_VERSION) {
    throw imageError(
      "IMAGE_FORMAT_VERSION",
      `image format ${header.formatVersion} is not known to this tapkit (it reads format ${IMAGE_FORMAT_VERSION})`,
      "update tapkit (and the device's shell) to a version that reads this format, or sign the module with this tapkit",
    );
  }
  const wrong: string[] = [];
  if (header.headerBytes !== HEADER_BYTES) wrong.push(`header length ${header.headerBytes} (format 1: ${HEADER_BYTES})`);
  if (header.flags !== 0) wrong.push(`flags ${hex32(header.flags)} (format 1 defines none: 0)`);
  if (header.manifestBytes === 0 || header.manifestBytes > MANIFEST_MAX_BYTES) wrong.push(`manifest length ${header.manifestBytes} (1..${MANIFEST_MAX_BYTES})`);
  if (header.moduleOffset !== alignUp(HEADER_BYTES + header.manifestBytes))
    wrong.push(`module offset ${header.moduleOffset} (must be ${alignUp(HEADER_BYTES + header.manifestBytes)}: header + manifest rounded up to ${PART_ALIGN})`);
  if (header.moduleBytes === 0) wrong.push("module length 0");
  if (header.imageBytes !== header.moduleOffset + header.moduleBytes)
    wrong.push(`image length ${header.imageBytes} (module offset + module length = ${header.moduleOffset + header.moduleBytes})`);
  if (wrong.length) {
    throw imageError(
      "IMAGE_HEADER_FIELDS",
      `the image header is inconsistent: ${wrong.join("; ")}`,
      "the file was not written by tapkit image sign (or by a buggy tool); sign the module again",
    );
  }
  if (maxImageBytes !== undefined && header.imageBytes > maxImageBytes) {
    throw imageError(
      "IMAGE_TOO_LARGE",
      `the image is ${header.imageBytes} bytes; ${slotName} takes at most ${maxImageBytes}`,
      "shrink the firmware (tapkit bench shows where the bytes go) or give the board larger slot-a/slot-b partitions",
    );
  }
  // headOnly: an uploader's first bytes (header, manifest, padding); the module follows later
  const end = headOnly ? header.moduleOffset : header.imageBytes;
  if (headOnly && bytes.length !== end) {
    throw imageError(
      "IMAGE_TRUNCATED",
      `the image head is ${bytes.length} bytes; header, manifest and padding take ${end}`,
      "send exactly the bytes before the module (the header's module_off)",
    );
  }
  if (!headOnly && bytes.length < header.imageBytes) {
    throw imageError(
      "IMAGE_TRUNCATED",
      `the image is truncated: ${bytes.length} of ${header.imageBytes} bytes present (${header.imageBytes - bytes.length} missing)`,
      "the copy or upload was cut short; copy the .tki again (tapkit flash resumes an interrupted upload)",
    );
  }
  if (!headOnly && bytes.length > header.imageBytes) {
    throw imageError(
      "IMAGE_TRAILING_BYTES",
      `${bytes.length - header.imageBytes} byte(s) follow the end of the image (header says ${header.imageBytes} bytes)`,
      "something was appended to the file; use the .tki exactly as tapkit image sign wrote it",
    );
  }
  const manifestEnd = HEADER_BYTES + header.manifestBytes;
  const padding = bytes.subarray(manifestEnd, header.moduleOffset);
  if (padding.some((b) => b !== 0)) {
    throw imageError(
      "IMAGE_PADDING",
      `the ${padding.length} padding byte(s) between manifest and module (offsets ${manifestEnd}..${header.moduleOffset - 1}) are not all zero`,
      "the file was altered; every byte of an image is fixed by its signer, so sign the module again",
    );
  }
  return {
    header,
    headerBytes: bytes.subarray(0, HEADER_BYTES),
    manifest: bytes.subarray(HEADER_BYTES, manifestEnd),
    module: bytes.subarray(header.moduleOffset, end),
  };
}

/** header ‖ manifest ‖ zero padding ‖ module. */
export function joinImage(header: Uint8Array, manifest: Uint8Array, module: Uint8Array): Uint8Array {
  const h = readHeader(header);
  if (h.manifestBytes !== manifest.length || h.moduleBytes !== module.length) throw new Error("joinImage: header lengths do not match the parts");
  const out = new Uint8Array(h.imageBytes);
  out.set(header, 0);
  out.set(manifest, HEADER_BYTES);
  out.set(module, h.moduleOffset);
  return out;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
