// NTAG 424 DNA SUN verification (NT4H2421Gx §9.3, AN12196), computed with @noble/ciphers:
// decrypt PICCData with the meta-read key, derive the session keys from SV1/SV2 with the
// file-read key, decrypt SDMENCFileData, and check the truncated SDMMAC (CMAC bytes 1,3,..,15)
// in constant time. Also the epoch keys our tags switch to when a counter epoch is used up.
import { cbc, cmac, ecb } from "@noble/ciphers/aes.js";
import { timingSafeEqual } from "node:crypto";
import { TapkitError } from "../errors/index.ts";

export interface SunResult {
  uid: Uint8Array;
  /** SDMReadCtr as the tag mirrored it */
  counter: number;
  /** decrypted SDMENCFileData, when present */
  fileData?: Uint8Array;
}

const PICC_TAG_AES_UID_CTR = 0xc7;

function sessionVector(first: number, second: number, uid: Uint8Array, counter: number): Uint8Array {
  return Uint8Array.from([first, second, 0x00, 0x01, 0x00, 0x80, ...uid, counter & 0xff, (counter >> 8) & 0xff, (counter >> 16) & 0xff]);
}

function checkKey(key: Uint8Array, name: string): void {
  if (key.length !== 16) throw new TapkitError("BAD_KEY", `${name} must be 16 bytes (AES-128), got ${key.length}`, "give keys as 32 hex characters");
}

/** Decrypts the 16-byte PICCData; throws BAD_PICC if the tag byte is not C7 (wrong key or not our format). */
export function decryptPiccData(picc: Uint8Array, metaKey: Uint8Array): { tag: number; uid: Uint8Array; counter: number } {
  checkKey(metaKey, "meta key");
  if (picc.length !== 16)
    throw new TapkitError(
      "BAD_PICC",
      `PICCData must be 16 bytes (32 hex), got ${picc.length}`,
      "48 hex characters would be LRP mode, which tapkit does not use",
    );
  const plain = cbc(metaKey, new Uint8Array(16), { disablePadding: true }).decrypt(picc);
  if (plain[0] !== PICC_TAG_AES_UID_CTR)
    throw new TapkitError(
      "BAD_PICC",
      `PICCData tag byte is ${plain[0].toString(16).padStart(2, "0")}, not C7`,
      "wrong meta-read key, or the tag mirrors something else",
    );
  return { tag: plain[0], uid: plain.slice(1, 8), counter: plain[8] | (plain[9] << 8) | (plain[10] << 16) };
}

/** SDMMAC: CMAC bytes 1,3,...,15 under KSesSDMFileReadMAC = CMAC(fileKey, SV2). */
export function sdmMac(fileKey: Uint8Array, uid: Uint8Array, counter: number, input: Uint8Array): Uint8Array {
  checkKey(fileKey, "file key");
  const sessionKey = cmac(sessionVector(0x3c, 0xc3, uid, counter), fileKey);
  const full = cmac(input, sessionKey);
  return Uint8Array.from({ length: 8 }, (_, i) => full[2 * i + 1]);
}

/** SDMENCFileData: AES-CBC under KSesSDMFileReadENC with IV = E(KSes, ctr LSB-first || 0^13). */
export function decryptFileData(fileKey: Uint8Array, uid: Uint8Array, counter: number, enc: Uint8Array): Uint8Array {
  checkKey(fileKey, "file key");
  if (enc.length === 0 || enc.length % 16 !== 0)
    throw new TapkitError(
      "BAD_ENC",
      `encrypted file data must be a non-empty multiple of 16 bytes, got ${enc.length}`,
      "pass the hex between enc= and the next parameter",
    );
  const sessionKey = cmac(sessionVector(0xc3, 0x3c, uid, counter), fileKey);
  const ivInput = new Uint8Array(16);
  ivInput.set([counter & 0xff, (counter >> 8) & 0xff, (counter >> 16) & 0xff]);
  const iv = ecb(sessionKey, { disablePadding: true }).encrypt(ivInput);
  return cbc(sessionKey, iv, { disablePadding: true }).decrypt(enc);
}

export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SunInput {
  picc?: Uint8Array;
  /** plain mirror form instead of picc */
  uid?: Uint8Array;
  counter?: number;
  mac: Uint8Array;
  metaKey?: Uint8Array;
  fileKey: Uint8Array;
  enc?: Uint8Array;
  /** the exact ASCII bytes the MAC covers (default: empty, or "<ENC HEX>&cmac=" with enc) */
  macInput?: Uint8Array;
}

export function verifySun(input: SunInput): SunResult {
  let uid: Uint8Array;
  let counter: number;
  if (input.picc) {
    if (!input.metaKey) throw new TapkitError("BAD_KEY", "PICCData needs the meta-read key", "pass --meta-key HEX");
    ({ uid, counter } = decryptPiccData(input.picc, input.metaKey));
  } else {
    if (!input.uid || input.counter === undefined)
      throw new TapkitError("BAD_INPUT", "give PICCData, or the plain UID and counter", "--picc HEX, or --uid HEX --ctr N");
    if (input.uid.length !== 7) throw new TapkitError("BAD_INPUT", `UID must be 7 bytes, got ${input.uid.length}`, "14 hex characters");
    uid = input.uid;
    counter = input.counter;
  }
  if (input.mac.length !== 8)
    throw new TapkitError("BAD_INPUT", `SDMMAC must be 8 bytes (16 hex), got ${input.mac.length}`, "pass the 16 hex characters after c= / cmac=");
  const macInput =
    input.macInput ?? (input.enc ? new TextEncoder().encode(`${Buffer.from(input.enc).toString("hex").toUpperCase()}&cmac=`) : new Uint8Array(0));
  const expected = sdmMac(input.fileKey, uid, counter, macInput);
  if (!macEquals(expected, input.mac))
    throw new TapkitError("BAD_MAC", "SDMMAC does not match", "wrong file-read key, a tampered URL, or a different MAC input range");
  const result: SunResult = { uid, counter };
  if (input.enc) result.fileData = decryptFileData(input.fileKey, uid, counter, input.enc);
  return result;
}

/** Keys for epoch e > 0: CMAC(K, "TKE" || 'M'/'F' || e (u32 BE) || 0^8), as firmware/nfc/sun-mirror.ts derives them. */
export function epochKey(key: Uint8Array, which: "meta" | "file", epoch: number): Uint8Array {
  if (epoch === 0) return key;
  const label = new Uint8Array(16);
  label.set([0x54, 0x4b, 0x45, which === "meta" ? 0x4d : 0x46, (epoch >>> 24) & 0xff, (epoch >>> 16) & 0xff, (epoch >>> 8) & 0xff, epoch & 0xff]);
  return cmac(label, key);
}
