// `tapkit image inspect` as a library: what an image file says, read as far as it can be
// read, with every layout problem found on the way. Nothing here is trusted: the signature
// is not checked (that is verify-image.ts), so the report says so.
import { createHash } from "node:crypto";
import { algName } from "../cose/sig-alg.ts";
import { isImageError } from "./image-error.ts";
import { HEADER_BYTES, IMAGE_MAGIC, type ImageHeader, readHeader, splitImage } from "./layout.ts";
import { type ManifestFields, decodeManifestPayload, parseManifest } from "./manifest.ts";

export interface ImageProblem {
  code: string;
  message: string;
  hint: string;
}

export interface ImageReport {
  fileBytes: number;
  header: (ImageHeader & { magicOk: boolean }) | null;
  manifest: {
    alg: number;
    algName: string;
    kid: Uint8Array;
    protectedBytes: number;
    payloadBytes: number;
    signature: Uint8Array;
    fields: ManifestFields | null;
  } | null;
  /** SHA-256 of the module bytes as found, and whether it equals the manifest's */
  moduleSha256: Uint8Array | null;
  moduleHashMatches: boolean | null;
  /** header + manifest + padding */
  overheadBytes: number | null;
  signatureChecked: false;
  problems: ImageProblem[];
}

function problemOf(e: unknown): ImageProblem {
  if (isImageError(e)) return { code: e.code, message: e.message, hint: e.hint };
  throw e;
}

export function inspectImage(bytes: Uint8Array): ImageReport {
  const report: ImageReport = {
    fileBytes: bytes.length,
    header: null,
    manifest: null,
    moduleSha256: null,
    moduleHashMatches: null,
    overheadBytes: null,
    signatureChecked: false,
    problems: [],
  };
  try {
    splitImage(bytes);
  } catch (e) {
    report.problems.push(problemOf(e));
  }
  if (bytes.length < HEADER_BYTES) return report;
  const h = readHeader(bytes);
  report.header = { ...h, magicOk: h.magic.every((b, i) => b === IMAGE_MAGIC[i]) };
  // read the parts where the header says they are, as far as the file reaches
  const manifest = bytes.subarray(HEADER_BYTES, Math.min(bytes.length, HEADER_BYTES + h.manifestBytes));
  const module = bytes.subarray(Math.min(bytes.length, h.moduleOffset), Math.min(bytes.length, h.moduleOffset + h.moduleBytes));
  if (report.header.magicOk) report.overheadBytes = h.moduleOffset;
  try {
    const s = parseManifest(manifest);
    report.manifest = {
      alg: s.alg,
      algName: algName(s.alg),
      kid: s.kid,
      protectedBytes: s.protectedBytes.length,
      payloadBytes: s.payload.length,
      signature: s.signature,
      fields: null,
    };
    report.manifest.fields = decodeManifestPayload(s.payload);
  } catch (e) {
    report.problems.push(problemOf(e));
  }
  if (module.length > 0) {
    report.moduleSha256 = new Uint8Array(createHash("sha256").update(module).digest());
    const signed = report.manifest?.fields?.moduleSha256;
    if (signed) {
      report.moduleHashMatches = Buffer.compare(Buffer.from(signed), Buffer.from(report.moduleSha256)) === 0;
      if (!report.moduleHashMatches && !report.problems.length) {
        report.problems.push({
          code: "IMAGE_HASH_MISMATCH",
          message: "the module's SHA-256 differs from the one in the manifest",
          hint: "the module was altered or damaged; copy the image again",
        });
      }
    }
  }
  return report;
}
