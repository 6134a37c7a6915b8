// Tap verification: NTAG 424 SUN messages, signed tap URLs, the URL shape a tag serves, and
// the on-disk replay store.
export { decryptFileData, decryptPiccData, epochKey, macEquals, sdmMac, verifySun, type SunInput, type SunResult } from "./sun.ts";
export { checkSignature, signedFields, verifySignedUrl, type SignedAlg, type SignedTap } from "./signed.ts";
export { parseReplayStore, replayRefusal, ReplayStore } from "./replay-store.ts";
export { shapeFromTemplate, shapeFromUrl, type TapShape } from "./tap-shape.ts";
export { checkTapUrl, loadKeysFile, verifyTapUrl, type ReplayGuard, type TagKeys, type TapCheckHooks, type TapVerdict } from "./tap-url.ts";
