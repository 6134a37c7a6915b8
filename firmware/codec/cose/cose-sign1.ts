// COSE_Sign1 of the docs/vouchers.md profile, read where it lies (no copy):
// 18([protected {1: alg, 4: kid(8)}, unprotected {}, payload, signature(64)]).
// The Sig_structure ["Signature1", protected, h'', payload] differs from those bytes only by
// a 12-byte prefix before the protected header and one byte (the empty unprotected map A0
// becomes the empty bstr 40): sigStructureOpen() swaps those 13 bytes in so a keystore can
// sign-check the structure in place, sigStructureClose() puts them back. A signature must
// also be in its one canonical form (Ed25519 S < L and R's y < p; P-256 low-S) before anyone
// asks a keystore, because keystores (the simulated one too) accept malleated signatures.
// The encode* functions write the same structures with the CBOR writer (a card signing).
import { cursorAt, cursorPos, readContainer, readNegInt, readString, readUint, stringPtr } from "../cbor/cbor-reader";
import { encodeArray, encodeBytes, encodeInt, encodeMap, encodeUint, encoderReserve } from "../cbor/cbor-writer";

export const COSE_EDDSA: i32 = -8;
export const COSE_ES256: i32 = -7;

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
export let coseSignature: usize = 0;
let protHead: usize = 0; // first byte of the protected bstr's head
let unprotected: usize = 0; // the A0 byte

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
  coseSignature = stringPtr();
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

/** True when the last parsed signature is in the one canonical form of `alg`. */
export function signatureCanonical(alg: i32): bool {
  const sig = coseSignature;
  if (alg == COSE_EDDSA) {
    if (!lessLE(sig + 32, ED_L)) return false;
    // R's y must be below p = 2^255 - 19 (the sign bit is bit 255).
    if ((load<u8>(sig + 31) & 0x7f) != 0x7f) return true;
    for (let i = 30; i >= 1; i--) if (load<u8>(sig + i) != 0xff) return true;
    return load<u8>(sig) < 0xed;
  }
  // low-S: s <= n/2, i.e. not (n/2 < s)
  return !lessBE(P256_HALF_N, sig + 32, 32);
}

/** Turns the last parsed COSE_Sign1 into its Sig_structure in place; returns where it starts. */
export function sigStructureOpen(): usize {
  const start = protHead - <usize>PREFIX_LEN;
  memory.copy(SAVED, start, PREFIX_LEN);
  memory.copy(start, PREFIX, PREFIX_LEN);
  store<u8>(unprotected, 0x40);
  return start;
}

/** Bytes of the Sig_structure sigStructureOpen() returned. */
export function sigStructureLen(): i32 {
  return <i32>(cosePayload + <usize>cosePayloadLen - (protHead - <usize>PREFIX_LEN));
}

/** Puts the COSE bytes back after sigStructureOpen(). */
export function sigStructureClose(): void {
  store<u8>(unprotected, 0xa0);
  memory.copy(protHead - <usize>PREFIX_LEN, SAVED, PREFIX_LEN);
}

// ---- writing (into whatever buffer the CBOR writer holds) ----

/** The protected header {1: alg, 4: kid(8)}. */
export function encodeProtectedHeader(alg: i32, kid: usize): void {
  encodeMap(2);
  encodeUint(1);
  encodeInt(alg);
  encodeUint(4);
  encodeBytes(kid, 8);
}

/** ["Signature1", protected, h'', payload]: the bytes a signer signs. */
export function encodeSigStructure(prot: usize, protLen: i32, payload: usize, payloadLen: i32): void {
  const at = encoderReserve(PREFIX_LEN);
  if (at) memory.copy(at, PREFIX, PREFIX_LEN);
  encodeBytes(prot, protLen);
  encodeBytes(0, 0);
  encodeBytes(payload, payloadLen);
}

/** The tagged COSE_Sign1 with a 64-byte signature. */
export function encodeSign1(prot: usize, protLen: i32, payload: usize, payloadLen: i32, signature: usize): void {
  const tag = encoderReserve(1);
  if (tag) store<u8>(tag, 0xd2); // tag 18
  encodeArray(4);
  encodeBytes(prot, protLen);
  encodeMap(0);
  encodeBytes(payload, payloadLen);
  encodeBytes(signature, 64);
}
