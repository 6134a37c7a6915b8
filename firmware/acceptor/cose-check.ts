// Verifies one COSE_Sign1 (docs/vouchers.md profile) where it lies in the request buffer,
// without copying it: the Sig_structure ["Signature1", protected, h'', payload] differs
// from the COSE bytes only by a 12-byte prefix before the protected header and one byte
// (the empty unprotected map A0 becomes the empty bstr 40), so those 13 bytes are swapped
// in, the keystore verifies, and they are put back. Before the keystore is asked, the
// signature must be in its one canonical form (Ed25519 S < L and R's y < p; P-256 low-S),
// because the simulated keystore, like many, accepts malleated signatures.
import { ks_verify } from "../hal/keystore";
import { cursorAt, cursorPos, readContainer, readNegInt, readString, readUint, stringPtr } from "./cbor-cursor";

export const COSE_EDDSA: i32 = -8;
export const COSE_ES256: i32 = -7;
const KS_ED25519: i32 = 1;
const KS_P256: i32 = 2;

// "\x84\x6aSignature1": array(4) and text(10) heads of the Sig_structure.
const PREFIX = memory.data<u8>([0x84, 0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31]);
const PREFIX_LEN: i32 = 12;
const SAVED = memory.data(PREFIX_LEN);

// Canonical-signature bounds. Ed25519 L little-endian; P-256 n/2 big-endian.
const ED_L = memory.data<u8>([0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]);
const P256_HALF_N = memory.data<u8>([0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8]);

// The last parsed COSE_Sign1.
export let coseAlg: i32 = 0;
export let coseKid: usize = 0;
export let cosePayload: usize = 0;
export let cosePayloadLen: i32 = 0;
let protHead: usize = 0; // first byte of the protected bstr's head
let unprotected: usize = 0; // the A0 byte
let sigPtr: usize = 0;

/** Parses a tagged COSE_Sign1 at ptr; false when it does not follow the profile. */
export function parseSign1(ptr: usize, len: i32): bool {
  if (len < 80 || load<u8>(ptr) != 0xd2 || load<u8>(ptr + 1) != 0x84) return false;
  cursorAt(ptr + 2, len - 2);
  protHead = cursorPos();
  const pl = readString(2);
  if (pl < 0 || pl > 23) return false;
  const prot = stringPtr();
  unprotected = cursorPos();
  if (readContainer(5) != 0) return false;
  cosePayloadLen = readString(2);
  if (cosePayloadLen < 0) return false;
  cosePayload = stringPtr();
  if (readString(2) != 64) return false;
  sigPtr = stringPtr();
  if (cursorPos() != ptr + <usize>len) return false;
  // protected = {1: alg, 4: kid(8)}
  cursorAt(prot, pl);
  if (readContainer(5) != 2 || readUint() != 1) return false;
  coseAlg = readNegInt();
  if (coseAlg != COSE_EDDSA && coseAlg != COSE_ES256) return false;
  if (readUint() != 4 || readString(2) != 8) return false;
  coseKid = stringPtr();
  return cursorPos() == prot + <usize>pl;
}

/** a < b, both big-endian n bytes. */
function lessBE(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const x = load<u8>(a + i), y = load<u8>(b + i);
    if (x != y) return x < y;
  }
  return false;
}

/** a < b, both little-endian 32 bytes. */
function lessLE(a: usize, b: usize): bool {
  for (let i = 31; i >= 0; i--) {
    const x = load<u8>(a + i), y = load<u8>(b + i);
    if (x != y) return x < y;
  }
  return false;
}

function canonical(alg: i32): bool {
  if (alg == COSE_EDDSA) {
    if (!lessLE(sigPtr + 32, ED_L)) return false;
    // R's y must be below p = 2^255 - 19 (the sign bit is bit 255).
    if ((load<u8>(sigPtr + 31) & 0x7f) != 0x7f) return true;
    for (let i = 30; i >= 1; i--) if (load<u8>(sigPtr + i) != 0xff) return true;
    return load<u8>(sigPtr) < 0xed;
  }
  // low-S: s <= n/2, i.e. not (n/2 < s)
  return !lessBE(P256_HALF_N, sigPtr + 32, 32);
}

/** Verifies the last parsed COSE_Sign1 with `pub` (32-byte Ed25519 or 65-byte P-256). */
export function verifySign1(alg: i32, pub: usize, pubLen: i32): bool {
  if (alg != coseAlg || !canonical(alg)) return false;
  const start = protHead - <usize>PREFIX_LEN;
  memory.copy(SAVED, start, PREFIX_LEN);
  memory.copy(start, PREFIX, PREFIX_LEN);
  store<u8>(unprotected, 0x40);
  const msgLen = <i32>(cosePayload + <usize>cosePayloadLen - start);
  const r = ks_verify(alg == COSE_EDDSA ? KS_ED25519 : KS_P256, pub, pubLen, start, msgLen, sigPtr, 64);
  store<u8>(unprotected, 0xa0);
  memory.copy(start, SAVED, PREFIX_LEN);
  return r == 1;
}
