// Why a firmware image, a signing key or an image argument was refused: a stable code for
// scripts (and, next, for the device's refusals over the link), the reason in words and a
// hint for the hardware maker or technician. Codes are listed in docs/image-format.md.

export type ImageErrorCode =
  // layout (docs/image-format.md, "Checks, in order")
  | "IMAGE_TRUNCATED"
  | "IMAGE_BAD_MAGIC"
  | "IMAGE_HEADER_CRC"
  | "IMAGE_FORMAT_VERSION"
  | "IMAGE_HEADER_FIELDS"
  | "IMAGE_TRAILING_BYTES"
  | "IMAGE_PADDING"
  | "IMAGE_TOO_LARGE"
  // manifest and signature
  | "IMAGE_MANIFEST_MALFORMED"
  | "IMAGE_ALG"
  | "IMAGE_UNKNOWN_KEY"
  | "IMAGE_BAD_SIGNATURE"
  | "IMAGE_MANIFEST_FIELDS"
  | "IMAGE_UNKNOWN_BOARD"
  | "IMAGE_WRONG_BOARD"
  | "IMAGE_HAL_ABI"
  | "IMAGE_SIZE_MISMATCH"
  | "IMAGE_DOWNGRADE"
  | "IMAGE_HASH_MISMATCH"
  | "IMAGE_MODULE_INVALID"
  // files, signing inputs and key files
  | "IMAGE_READ"
  | "IMAGE_WRITE"
  | "IMAGE_ARGUMENT"
  | "IMAGE_BOARD_ALG"
  | "KEY_EXISTS"
  | "KEY_SYMLINK"
  | "KEY_WRITE"
  | "KEY_READ"
  | "KEY_FORMAT";

export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "ImageError";
  }
}
