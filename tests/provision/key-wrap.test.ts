// ks_unwrap's sealing (docs/hal-abi.md, docs/provisioning.md) checked against OpenSSL through
// node:crypto (ECDH P-256, HKDF-SHA-256, AES key wrap id-aes128-wrap), in both directions:
// the simulator's keystore opens what OpenSSL sealed, and OpenSSL opens what the host sealed.
// Tampering, the wrong device and a redirected slot are refused.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";
import { Keystore, ALG_AES128, ALG_P256, AES_ECB_ENCRYPT } from "../../host-tools/src/sim/keystore.ts";
import { unwrapInfo } from "../../host-tools/src/abi/ks-unwrap.ts";
import { keyCheckValue, KS_ALG_AES128, sealKeyForDevice } from "../../host-tools/src/provision/key-wrap.ts";
import { HalFault } from "../../host-tools/src/sim/hal-codes.ts";

const KW_IV = Buffer.from("A6A6A6A6A6A6A6A6", "hex");
const board = { slots: 8, algorithms: ["ed25519", "p256", "aes128", "hmac-sha256"] as ("ed25519" | "p256" | "aes128" | "hmac-sha256")[] };

function deviceWithAgreementKey() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const ks = new Keystore(board);
  ks.import(1, ALG_P256, new Uint8Array(ecdh.getPrivateKey()));
  return { ks, ecdh, pub: new Uint8Array(ecdh.getPublicKey()) };
}

function opensslSeal(devicePub: Uint8Array, alg: number, dest: number, key: Uint8Array): Uint8Array {
  const eph = createECDH("prime256v1");
  eph.generateKeys();
  const shared = eph.computeSecret(devicePub);
  const ephPub = new Uint8Array(eph.getPublicKey());
  const kek = Buffer.from(hkdfSync("sha256", shared, Buffer.alloc(0), unwrapInfo(devicePub, ephPub, alg, dest), 16));
  const c = createCipheriv("id-aes128-wrap", kek, KW_IV);
  const wrapped = Buffer.concat([c.update(key), c.final()]);
  return Uint8Array.from([...ephPub, ...wrapped]);
}

test("the keystore unwraps a key OpenSSL sealed to its P-256 key; the key then encrypts as OpenSSL does with it", () => {
  const { ks, pub } = deviceWithAgreementKey();
  const key = new Uint8Array(randomBytes(16));
  ks.unwrap(1, ALG_AES128, opensslSeal(pub, ALG_AES128, 3, key), 3);
  const block = new Uint8Array(randomBytes(16));
  const ref = createCipheriv("aes-128-ecb", key, null).setAutoPadding(false).update(block);
  assert.deepEqual(ks.aes(3, AES_ECB_ENCRYPT, null, block), new Uint8Array(ref));
  assert.equal(ks.info(3), ALG_AES128);
});

test("OpenSSL opens what the host sealed for the device (same KEK), and the key check value is OpenSSL's AES of zeros", () => {
  const { ecdh, pub } = deviceWithAgreementKey();
  const key = new Uint8Array(randomBytes(16));
  const blob = sealKeyForDevice(pub, KS_ALG_AES128, 2, key);
  assert.equal(blob.length, 65 + 24);
  const shared = ecdh.computeSecret(blob.subarray(0, 65));
  const kek = Buffer.from(hkdfSync("sha256", shared, Buffer.alloc(0), unwrapInfo(pub, blob.subarray(0, 65), KS_ALG_AES128, 2), 16));
  const d = createDecipheriv("id-aes128-wrap", kek, KW_IV);
  assert.deepEqual(new Uint8Array(Buffer.concat([d.update(blob.subarray(65)), d.final()])), key);
  const zeros = createCipheriv("aes-128-ecb", key, null).setAutoPadding(false).update(Buffer.alloc(16));
  assert.deepEqual(keyCheckValue(KS_ALG_AES128, key), new Uint8Array(zeros.subarray(0, 3)));
});

test("a wrap for another device, an altered byte or another destination slot is refused (E_ARG) and the slot stays empty", () => {
  const a = deviceWithAgreementKey();
  const b = deviceWithAgreementKey();
  const key = new Uint8Array(randomBytes(16));
  const forB = sealKeyForDevice(b.pub, KS_ALG_AES128, 2, key);
  const refused = (fn: () => void) => assert.throws(fn, (e: unknown) => e instanceof HalFault && e.code === -1);
  refused(() => a.ks.unwrap(1, ALG_AES128, forB, 2));
  const altered = forB.slice();
  altered[70] ^= 1;
  refused(() => b.ks.unwrap(1, ALG_AES128, altered, 2));
  refused(() => b.ks.unwrap(1, ALG_AES128, forB, 4));
  assert.equal(a.ks.info(2), 0);
  assert.equal(b.ks.info(4), 0);
  b.ks.unwrap(1, ALG_AES128, forB, 2);
  assert.equal(b.ks.info(2), ALG_AES128);
});
