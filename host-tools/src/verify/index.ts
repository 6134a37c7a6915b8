// Tap verification: NTAG 424 SUN messages, signed tap URLs, and the on-disk replay store.
export { decryptFileData, decryptPiccData, epochKey, macEquals, sdmMac, verifySun, type SunInput, type SunResult } from "./sun.ts";
export { verifySignedUrl, type SignedAlg, type SignedTap } from "./signed.ts";
export { ReplayStore } from "./replay-store.ts";
export { loadKeysFile, verifyTapUrl, type TagKeys, type TapVerdict } from "./tap-url.ts";
