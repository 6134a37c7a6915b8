// The signed tap URL: counter (8 hex) and unix time (8 hex) mirrored into the template, then
// an Ed25519 or ECDSA P-256 signature (keystore slot, 64 bytes r||s) over the file bytes from
// the signature-input offset up to the signature, written as 86 base64url characters. The
// template carries the merchant id and amount as text inside the signed range, so a verifier
// needs only the public key and the URL (docs/nfc.md, "Signed tap URLs").
import { clock_unix } from "../hal/clock";
import { ks_sign } from "../hal/keystore";
import { writeBase64Url, writeHexNumber } from "./ascii-mirror";
import { SIGNED_CTR_CHARS, TIME_CHARS, ctrOffset, macInputOffset, macOffset, signSlot, timeOffset } from "./mirror-config";
import { SW_OK, SW_SECURITY } from "./sw";

const SIGNATURE = memory.data(64);

export function signedMirror(out: usize, value: i64): u32 {
  if (value > 0xffffffff) return SW_SECURITY;
  writeHexNumber(out + <usize>ctrOffset, <u64>value, SIGNED_CTR_CHARS);
  if (timeOffset != 0) {
    const now = clock_unix();
    writeHexNumber(out + <usize>timeOffset, now > 0 ? <u64>now : 0, TIME_CHARS);
  }
  if (ks_sign(signSlot, out + <usize>macInputOffset, macOffset - macInputOffset, SIGNATURE, 64) != 64) return SW_SECURITY;
  writeBase64Url(out + <usize>macOffset, SIGNATURE, 64);
  return SW_OK;
}
