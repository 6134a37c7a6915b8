// Why a firmware image, a signing key or an image argument was refused: a stable code for
// scripts (and, next, for the device's refusals over the link), the reason in words and a
// hint for the hardware maker or technician. Codes are listed in docs/image-format.md; the
// errors are TapkitErrors (errors/), exit 1.
import { TapkitError } from "../errors/index.ts";

export const IMAGE_ERROR_CODES = [
  // layout (docs/image-format.md, "Checks, in order")
  "IMAGE_TRUNCATED",
  "IMAGE_BAD_MAGIC",
  "IMAGE_HEADER_CRC",
  "IMAGE_FORMAT_VERSION",
  "IMAGE_HEADER_FIELDS",
  "IMAGE_TRAILING_BYTES",
  "IMAGE_PADDING",
  "IMAGE_TOO_LARGE",
  // manifest and signature
  "IMAGE_MANIFEST_MALFORMED",
  "IMAGE_ALG",
  "IMAGE_UNKNOWN_KEY",
  "IMAGE_BAD_SIGNATURE",
  "IMAGE_MANIFEST_FIELDS",
  "IMAGE_UNKNOWN_BOARD",
  "IMAGE_WRONG_BOARD",
  "IMAGE_HAL_ABI",
  "IMAGE_SIZE_MISMATCH",
  "IMAGE_DOWNGRADE",
  "IMAGE_HASH_MISMATCH",
  "IMAGE_MODULE_INVALID",
  // files, signing inputs and key files
  "IMAGE_READ",
  "IMAGE_WRITE",
  "IMAGE_ARGUMENT",
  "IMAGE_BOARD_ALG",
  "KEY_EXISTS",
  "KEY_SYMLINK",
  "KEY_WRITE",
  "KEY_READ",
  "KEY_FORMAT",
] as const;

export type ImageErrorCode = (typeof IMAGE_ERROR_CODES)[number];

export function imageError(code: ImageErrorCode, message: string, hint: string): TapkitError {
  return new TapkitError(code, message, hint);
}

/** A refusal of the image library (as opposed to a link, build or board failure). */
export function isImageError(e: unknown): e is TapkitError & { code: ImageErrorCode } {
  return e instanceof TapkitError && (IMAGE_ERROR_CODES as readonly string[]).includes(e.code);
}
