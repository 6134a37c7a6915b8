// Where the dynamic tap URL's mirrors sit in the NDEF file and which keys fill them.
// Offsets are NDEF-file offsets (NLEN included), as in NTAG 424 SDM settings; the host's
// `tapkit ndef build --sun/--signed` computes them from the URL template (docs/nfc.md).

export const MODE_STATIC: i32 = 0;
/** NTAG 424 SDM with encrypted PICCData (32 hex) and SDMMAC (16 hex), optional SDMENCFileData. */
export const MODE_SUN: i32 = 1;
/** NTAG 424 SDM with plain UID (14 hex) and SDMReadCtr (6 hex) mirrors and SDMMAC. */
export const MODE_SUN_PLAIN: i32 = 2;
/** Counter (8 hex), unix time (8 hex) and an Ed25519/P-256 signature (86 base64url). */
export const MODE_SIGNED: i32 = 3;

export const PICC_CHARS: i32 = 32;
export const UID_CHARS: i32 = 14;
export const SUN_CTR_CHARS: i32 = 6;
export const SIGNED_CTR_CHARS: i32 = 8;
export const TIME_CHARS: i32 = 8;
export const MAC_CHARS: i32 = 16;
export const SIG_CHARS: i32 = 86;
export const ENC_MAX_CHARS: i32 = 256;

export let mirrorMode: i32 = MODE_STATIC;
export let metaSlot: i32 = 2;
export let fileSlot: i32 = 3;
export let signSlot: i32 = 0;
export let piccOffset: i32 = 0;
export let uidOffset: i32 = 0;
export let ctrOffset: i32 = 0;
export let timeOffset: i32 = 0;
export let encOffset: i32 = 0;
export let encLength: i32 = 0;
export let macInputOffset: i32 = 0;
export let macOffset: i32 = 0;
/** Counter values per epoch (SUN); NTAG 424's 24-bit SDMReadCtr by default. */
export let counterLimit: u32 = 0x1000000;

export function setMirror(mode: i32, meta: i32, file: i32, sign: i32, picc: i32, uid: i32, ctr: i32, time: i32, enc: i32, encLen: i32, macIn: i32, mac: i32, limit: u32): void {
  mirrorMode = mode;
  metaSlot = meta;
  fileSlot = file;
  signSlot = sign;
  piccOffset = picc;
  uidOffset = uid;
  ctrOffset = ctr;
  timeOffset = time;
  encOffset = enc;
  encLength = encLen;
  macInputOffset = macIn;
  macOffset = mac;
  counterLimit = limit;
}

// One saved copy of the settings, for a change that may have to be taken back (tag.set
// checks the new layout against the message; a saved configuration is checked at boot).
const SAVED = memory.data(13 * 4);

export function snapshotMirror(): void {
  store<i32>(SAVED, mirrorMode);
  store<i32>(SAVED, metaSlot, 4);
  store<i32>(SAVED, fileSlot, 8);
  store<i32>(SAVED, signSlot, 12);
  store<i32>(SAVED, piccOffset, 16);
  store<i32>(SAVED, uidOffset, 20);
  store<i32>(SAVED, ctrOffset, 24);
  store<i32>(SAVED, timeOffset, 28);
  store<i32>(SAVED, encOffset, 32);
  store<i32>(SAVED, encLength, 36);
  store<i32>(SAVED, macInputOffset, 40);
  store<i32>(SAVED, macOffset, 44);
  store<u32>(SAVED, counterLimit, 48);
}

export function restoreMirror(): void {
  setMirror(load<i32>(SAVED), load<i32>(SAVED, 4), load<i32>(SAVED, 8), load<i32>(SAVED, 12), load<i32>(SAVED, 16), load<i32>(SAVED, 20),
    load<i32>(SAVED, 24), load<i32>(SAVED, 28), load<i32>(SAVED, 32), load<i32>(SAVED, 36), load<i32>(SAVED, 40), load<i32>(SAVED, 44), load<u32>(SAVED, 48));
}

/** Length of the MAC/signature placeholder for the current mode. */
export function macChars(): i32 {
  return mirrorMode == MODE_SIGNED ? SIG_CHARS : MAC_CHARS;
}

/** First byte of dynamic data: reading at or past it makes the tag take a counter value. */
export function dynamicStart(): i32 {
  let start = macOffset;
  if (mirrorMode == MODE_SUN && piccOffset < start) start = piccOffset;
  if (mirrorMode == MODE_SUN_PLAIN && uidOffset < start) start = uidOffset;
  if (mirrorMode != MODE_SUN && ctrOffset < start) start = ctrOffset;
  if (mirrorMode == MODE_SIGNED && timeOffset > 0 && timeOffset < start) start = timeOffset;
  if (encLength > 0 && encOffset < start) start = encOffset;
  return start;
}

export function dynamicEnd(): i32 {
  return macOffset + macChars();
}

/** The mirrored window: the MAC/signature input and every mirror, which the tag copies per tap. */
export const WINDOW_CAP: i32 = 384;

export function windowStart(): i32 {
  const start = dynamicStart();
  return macInputOffset < start ? macInputOffset : start;
}

function inside(off: i32, len: i32, fileLen: i32): bool {
  return off >= 2 && off + len <= fileLen;
}

/** Why the configuration does not fit a file of `fileLen` bytes (NLEN included), or "" if it does. */
export function mirrorProblem(fileLen: i32): string {
  if (mirrorMode == MODE_STATIC) return "";
  if (mirrorMode < MODE_STATIC || mirrorMode > MODE_SIGNED) return "unknown mirror mode";
  if (!inside(macOffset, macChars(), fileLen)) return "mac placeholder outside the message";
  if (macInputOffset < 2 || macInputOffset > macOffset) return "mac input must start inside the message, at or before the mac";
  if (mirrorMode == MODE_SUN) {
    if (!inside(piccOffset, PICC_CHARS, fileLen)) return "picc placeholder outside the message";
    if (piccOffset + PICC_CHARS > macOffset && piccOffset < macOffset + MAC_CHARS) return "picc placeholder overlaps the mac";
  }
  if (mirrorMode == MODE_SUN_PLAIN) {
    if (!inside(uidOffset, UID_CHARS, fileLen) || !inside(ctrOffset, SUN_CTR_CHARS, fileLen)) return "uid/ctr placeholders outside the message";
  }
  if (mirrorMode == MODE_SIGNED) {
    if (!inside(ctrOffset, SIGNED_CTR_CHARS, fileLen)) return "ctr placeholder outside the message";
    if (ctrOffset < macInputOffset || ctrOffset + SIGNED_CTR_CHARS > macOffset) return "signature input must cover the counter";
    if (timeOffset != 0 && (!inside(timeOffset, TIME_CHARS, fileLen) || timeOffset < macInputOffset || timeOffset + TIME_CHARS > macOffset)) return "signature input must cover the time";
  }
  if (encLength > 0) {
    if (mirrorMode != MODE_SUN && mirrorMode != MODE_SUN_PLAIN) return "encrypted file data needs a SUN mode";
    if (encLength % 32 != 0 || encLength > ENC_MAX_CHARS) return "enc length must be a multiple of 32, at most 256";
    if (!inside(encOffset, encLength, fileLen)) return "enc placeholder outside the message";
    if (encOffset < macInputOffset || encOffset + encLength > macOffset) return "mac input must cover the encrypted file data";
  }
  if (counterLimit < 2) return "counter limit must be at least 2";
  if (dynamicEnd() - windowStart() > WINDOW_CAP) return "mac input and mirrors span more than 384 bytes";
  return "";
}
