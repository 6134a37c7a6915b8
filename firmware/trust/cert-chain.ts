// Issuer certificates (docs/vouchers.md, Certificates): checks a card's chain [batch, device]
// against the issuer root a plaque was provisioned with (the acceptor), and reads the batch
// certificate a card keeps to verify sync tokens (the wallet). Each certificate is signed by
// the key above it and names that key as issuer; kid = SHA-256(public key)[0..8]; roles batch
// then device; the device certificate carries currency and envelope. Keys stay where they
// lie in the request buffer; only pointers are kept.
import { sha256 } from "../hal/keystore";
import { bytesEqual } from "../lib/bytes";
import { cursorAt, cursorDone, readContainer, readKey, readNegInt, readString, readUint, stringPtr } from "../codec/cbor/cbor-reader";
import { COSE_EDDSA, COSE_ES256, coseKid, cosePayload, cosePayloadLen, parseSign1 } from "../codec/cose/cose-sign1";
import { verifySign1 } from "./sign1-verify";

export const CHAIN_OK: i32 = 0;
export const CHAIN_ROOT: i32 = 1; // batch not issued by the root, or its signature fails
export const CHAIN_LINK: i32 = 2; // device not issued by the batch key, or its signature fails
export const CHAIN_FORMAT: i32 = 3; // a certificate does not follow the profile

const DIGEST = memory.data(32);
const ROOT_KID = memory.data(8);

// The certificate just read (pointers into its bytes).
export let subjKid: usize = 0;
export let subjAlg: i32 = 0;
export let subjPub: usize = 0;
export let subjPubLen: i32 = 0;
let issuerKid: usize = 0;
let role: i64 = 0;
let hasLimits = false;

// The verified device certificate.
export let deviceKid: usize = 0;
export let deviceAlg: i32 = 0;
export let devicePub: usize = 0;
export let devicePubLen: i32 = 0;
export let deviceCurrency: usize = 0;
export let envMaxBalance: u32 = 0;
export let envPerPayment: u32 = 0;

function pubFits(alg: i32, len: i32): bool {
  return (alg == COSE_EDDSA && len == 32) || (alg == COSE_ES256 && len == 65);
}

/** Reads the payload of the last parsed certificate; false when it breaks the profile. */
function readCert(wantRole: i64): bool {
  cursorAt(cosePayload, cosePayloadLen);
  const pairs = readContainer(5);
  if (pairs < 6 || readKey(0) != 1 || readUint() != 1) return false;
  if (readKey(1) != 2) return false;
  role = readUint();
  if (role != wantRole || readKey(2) != 3 || readString(2) != 8) return false;
  subjKid = stringPtr();
  if (readKey(3) != 4) return false;
  subjAlg = readNegInt();
  if (readKey(4) != 5) return false;
  subjPubLen = readString(2);
  subjPub = stringPtr();
  if (!pubFits(subjAlg, subjPubLen) || readKey(5) != 6 || readString(2) != 8) return false;
  issuerKid = stringPtr();
  sha256(subjPub, subjPubLen, DIGEST);
  if (!bytesEqual(DIGEST, subjKid, 8)) return false;
  let key = 6;
  deviceCurrency = 0;
  for (let i = 6; i < pairs; i++) {
    key = readKey(key);
    if (key == 7) {
      if (readString(3) != 3) return false;
      deviceCurrency = stringPtr();
    } else if (key == 8) {
      if (readContainer(4) != 4) return false;
      const maxBalance = readUint(), per = readUint(), cum = readUint(), count = readUint();
      if (maxBalance < 0 || per < 0 || cum < 0 || count < 0) return false;
      envMaxBalance = <u32>maxBalance;
      envPerPayment = <u32>per;
      hasLimits = true;
    } else if (key == 9) {
      if (readString(3) < 0) return false;
    } else return false;
  }
  return cursorDone();
}

/**
 * Reads the subject key of a batch certificate (subjKid, subjAlg, subjPub) without checking
 * its signature: the card uses the one the issuer stored at provisioning to verify syncs.
 */
export function readBatchCert(ptr: usize, len: i32): bool {
  return parseSign1(ptr, len) && readCert(1);
}

/** Verifies [batch, device] (COSE bytes in place) under the root key; CHAIN_OK or a reason. */
export function checkChain(rootAlg: i32, root: usize, rootLen: i32, batch: usize, batchLen: i32, device: usize, deviceLen: i32): i32 {
  sha256(root, rootLen, DIGEST);
  memory.copy(ROOT_KID, DIGEST, 8);
  if (!parseSign1(batch, batchLen)) return CHAIN_FORMAT;
  if (!bytesEqual(coseKid, ROOT_KID, 8) || !verifySign1(rootAlg, root, rootLen)) return CHAIN_ROOT;
  if (!readCert(1) || !bytesEqual(issuerKid, ROOT_KID, 8)) return CHAIN_FORMAT;
  const batchKid = subjKid, batchAlg = subjAlg, batchPub = subjPub, batchPubLen = subjPubLen;
  if (!parseSign1(device, deviceLen)) return CHAIN_FORMAT;
  if (!bytesEqual(coseKid, batchKid, 8) || !verifySign1(batchAlg, batchPub, batchPubLen)) return CHAIN_LINK;
  hasLimits = false;
  if (!readCert(2) || !bytesEqual(issuerKid, batchKid, 8) || deviceCurrency == 0 || !hasLimits) return CHAIN_FORMAT;
  deviceKid = subjKid;
  deviceAlg = subjAlg;
  devicePub = subjPub;
  devicePubLen = subjPubLen;
  return CHAIN_OK;
}
