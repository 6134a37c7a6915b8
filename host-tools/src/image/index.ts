// Signed firmware images (.tki, docs/image-format.md): layout, manifest, signing keys,
// signing, inspection and verification. The CLI (tapkit image ..., tapkit build --sign)
// and, next, the board shell's boot check and the flasher build on this.
export { imageError, isImageError, IMAGE_ERROR_CODES, type ImageErrorCode } from "./image-error.ts";
export * from "./layout.ts";
export * from "../boards/slot-budget.ts";
export * from "./manifest.ts";
export * from "./signing-key.ts";
export { checkWritable, writeNewFile } from "./key-file-write.ts";
export * from "./keygen.ts";
export * from "./sign-image.ts";
export * from "./sign-build.ts";
export * from "./verify-image.ts";
export * from "./inspect-image.ts";
export * from "./image-file.ts";
