// Checks the last parsed COSE_Sign1 (firmware/codec/cose) with a public key through the
// keystore: canonical signature first, then hal.ks_verify over the Sig_structure in place.
import { ks_verify } from "../hal/keystore";
import { COSE_EDDSA, coseAlg, coseSignature, sigStructureClose, sigStructureLen, sigStructureOpen, signatureCanonical } from "../codec/cose/cose-sign1";

const KS_ED25519: i32 = 1;
const KS_P256: i32 = 2;

/** Verifies the last parsed COSE_Sign1 with `pub` (32-byte Ed25519 or 65-byte P-256). */
export function verifySign1(alg: i32, pub: usize, pubLen: i32): bool {
  if (alg != coseAlg || !signatureCanonical(alg)) return false;
  const start = sigStructureOpen();
  const r = ks_verify(alg == COSE_EDDSA ? KS_ED25519 : KS_P256, pub, pubLen, start, sigStructureLen(), coseSignature, 64);
  sigStructureClose();
  return r == 1;
}
