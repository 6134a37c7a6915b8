// Every refusal of image verification (docs/image-format.md, "Checks, in order") with an
// image broken in exactly one way: truncated, corrupted, re-signed, wrong board, wrong
// key, downgraded, malleated. Broken images are assembled with outside encoders
// (image-fixture.ts), and each case first shows the unbroken twin is accepted.
import { test } from "vitest";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { p256 } from "@noble/curves/nist.js";
import { Decoder, type Tag } from "cbor-x";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import {
  bootloaderChecks,
  inspectImage,
  isImageError,
  loadPublicKey,
  type PublicKeyInfo,
  readHeader,
  trustAnchor,
  verifyImage,
  type VerifyOptions,
} from "../../host-tools/src/image/index.ts";
import { watToWasm } from "../sim/sim-fixture.ts";
import {
  builtModule,
  COSE_ALG_EDDSA,
  COSE_ALG_ES256,
  craftImage,
  defaultFields,
  docHeader,
  docParts,
  joinDoc,
  sigStructure,
  tempDir,
  testKey,
} from "./image-fixture.ts";
import type { TapkitError } from "../../host-tools/src/errors/index.ts";

const plaque = loadBoard("sim-plaque");

async function refusal(image: Uint8Array, opts: VerifyOptions): Promise<TapkitError> {
  try {
    await verifyImage(image, opts);
  } catch (e) {
    assert.ok(isImageError(e), `expected an image refusal, got ${String(e)}`);
    assert.ok(e.hint.length > 10, "every refusal carries a hint");
    return e;
  }
  assert.fail("the image was accepted but should have been refused");
}

async function setup(t: { onTestFinished(fn: () => void): void }) {
  const dir = tempDir(t);
  const trusted = testKey(dir, COSE_ALG_EDDSA, 0x21);
  const keys: PublicKeyInfo[] = [loadPublicKey(trusted.pubFile)];
  const module = await builtModule("sim-plaque");
  const good = craftImage(module);
  // the unbroken image passes every check, so each refusal below is caused by its one change
  const ok = await verifyImage(good, { keys, board: plaque });
  assert.equal(ok.fields.board, "sim-plaque");
  return { dir, trusted, keys, module, good };
}

/** The header re-made with one field changed and a correct CRC (so only that rule breaks). */
function withHeader(image: Uint8Array, tweak: (v: DataView) => void): Uint8Array {
  const p = docParts(image);
  const out = image.slice();
  out.set(docHeader(p.manifestLen, p.moduleLen, tweak));
  return out;
}

test("truncated: empty file, a partial header, and an image missing its last byte", async (t) => {
  const { keys, good } = await setup(t);
  assert.equal((await refusal(new Uint8Array(0), { keys })).code, "IMAGE_TRUNCATED");
  assert.equal((await refusal(good.subarray(0, 20), { keys })).code, "IMAGE_TRUNCATED");
  const cut = await refusal(good.subarray(0, good.length - 1), { keys, board: plaque });
  assert.equal(cut.code, "IMAGE_TRUNCATED");
  assert.match(cut.message, /1 missing/);
  // a cut in the middle of the manifest is still found by the length, not by a CBOR error
  assert.equal((await refusal(good.subarray(0, 100), { keys })).code, "IMAGE_TRUNCATED");
});

test("bad magic: a bare .wasm, erased flash, a text file, each with its own hint", async (t) => {
  const { keys, module } = await setup(t);
  const wasm = await refusal(module, { keys });
  assert.equal(wasm.code, "IMAGE_BAD_MAGIC");
  assert.match(wasm.hint, /tapkit image sign/);
  const erased = await refusal(new Uint8Array(4096).fill(0xff), { keys });
  assert.equal(erased.code, "IMAGE_BAD_MAGIC");
  assert.match(erased.hint, /erased/);
  assert.equal((await refusal(new TextEncoder().encode("hello, this is not firmware at all"), { keys })).code, "IMAGE_BAD_MAGIC");
});

test("header: a flipped length bit fails the CRC; fields changed with a fixed CRC fail their own rule", async (t) => {
  const { keys, good } = await setup(t);
  const flipped = good.slice();
  flipped[16] ^= 0x01; // module_len, CRC left as it was
  assert.equal((await refusal(flipped, { keys })).code, "IMAGE_HEADER_CRC");
  assert.equal(
    (
      await refusal(
        withHeader(good, (v) => v.setUint16(4, 2, true)),
        { keys },
      )
    ).code,
    "IMAGE_FORMAT_VERSION",
  );
  for (const [what, tweak] of [
    ["flags", (v: DataView) => v.setUint32(24, 1, true)],
    ["header length", (v: DataView) => v.setUint16(6, 48, true)],
    ["module offset", (v: DataView) => v.setUint32(12, v.getUint32(12, true) + 16, true)],
    ["image length", (v: DataView) => v.setUint32(20, v.getUint32(20, true) - 1, true)],
    ["manifest length", (v: DataView) => v.setUint32(8, 4096, true)],
  ] as const) {
    const e = await refusal(withHeader(good, tweak), { keys });
    assert.equal(e.code, "IMAGE_HEADER_FIELDS", what);
  }
});

test("trailing bytes and non-zero padding are refused (every byte of an image is fixed)", async (t) => {
  const { keys, good } = await setup(t);
  const longer = new Uint8Array(good.length + 1);
  longer.set(good);
  assert.equal((await refusal(longer, { keys })).code, "IMAGE_TRAILING_BYTES");
  const p = docParts(good);
  assert.ok(p.padding.length > 0, "the fixture has padding to corrupt");
  const padded = good.slice();
  padded[32 + p.manifestLen] = 0x01;
  assert.equal((await refusal(padded, { keys })).code, "IMAGE_PADDING");
});

test("too large for the board's slots: refused before the signature, even for another board", async (t) => {
  const { dir, keys, good } = await setup(t);
  // 16-page slots: 65,536 - 8,192 trailer = 57,344 bytes, less than the sim-plaque image
  const small = structuredClone(plaque) as any;
  small.name = "small-slots";
  small.flash.partitions[1].pages = 16;
  small.flash.partitions[2].pages = 16;
  const file = join(dir, "small-slots.json");
  writeFileSync(file, JSON.stringify(small));
  const e = await refusal(good, { keys, board: loadBoard(file) });
  assert.equal(e.code, "IMAGE_TOO_LARGE");
  assert.match(e.message, /57344/);
});

test("manifest structure: wrong tag, non-deterministic CBOR, signature not 64 bytes, kid not 8 bytes, unknown algorithm", async (t) => {
  const { keys, module, good } = await setup(t);
  const tag = good.slice();
  tag[32] = 0xd3; // tag 19 instead of 18
  assert.equal((await refusal(tag, { keys })).code, "IMAGE_MANIFEST_MALFORMED");
  // the same signed manifest with its 1-byte array head written as a 2-byte head (98 04)
  const p = docParts(good);
  const m = p.manifest;
  const longHead = new Uint8Array(m.length + 1);
  longHead.set([0xd2, 0x98, 0x04]);
  longHead.set(m.subarray(2), 3);
  const nd = joinDoc(docHeader(longHead.length, module.length), longHead, module);
  assert.equal((await refusal(nd, { keys })).code, "IMAGE_MANIFEST_MALFORMED");
  // ES256 as DER-length or truncated signatures, and a 7-byte kid
  assert.equal((await refusal(craftImage(module, { tamperSignature: (sig) => sig.subarray(0, 63) }), { keys })).code, "IMAGE_MANIFEST_MALFORMED");
  assert.equal((await refusal(craftImage(module, { kid: keys[0].kid.subarray(0, 7) }), { keys })).code, "IMAGE_MANIFEST_MALFORMED");
  // ES384 (-35) is a real COSE algorithm, but not one images use
  assert.equal((await refusal(craftImage(module, { alg: -35 }), { keys })).code, "IMAGE_ALG");
});

test("wrong key: signed by an untrusted key (unknown kid); trusted kid but another key's signature", async (t) => {
  const { dir, keys, module } = await setup(t);
  const stranger = craftImage(module, { signSeed: 0x55 });
  const unknown = await refusal(stranger, { keys });
  assert.equal(unknown.code, "IMAGE_UNKNOWN_KEY");
  assert.match(unknown.message, /not a trusted key/);
  // accepted once that key is trusted too (several anchors: key rotation)
  const strangerKey = loadPublicKey(testKey(dir, COSE_ALG_EDDSA, 0x55).pubFile);
  assert.equal((await verifyImage(stranger, { keys: [...keys, strangerKey] })).key, strangerKey.source);
  // re-signed by the stranger while claiming the trusted key's kid
  const impostor = craftImage(module, { signSeed: 0x55, kid: keys[0].kid });
  assert.equal((await refusal(impostor, { keys })).code, "IMAGE_BAD_SIGNATURE");
  // the trusted kid with the other algorithm in the protected header
  assert.equal((await refusal(craftImage(module, { alg: COSE_ALG_ES256, kid: keys[0].kid }), { keys })).code, "IMAGE_ALG");
});

test("bad signature: a flipped signature bit, a payload changed after signing, a P-256 high-S twin", async (t) => {
  const { dir, keys, module, good } = await setup(t);
  const p = docParts(good);
  const sigBit = good.slice();
  sigBit[32 + p.manifestLen - 1] ^= 0x80;
  assert.equal((await refusal(sigBit, { keys })).code, "IMAGE_BAD_SIGNATURE");
  // security counter 5 -> 6 inside the signed payload (04 05 -> 04 06)
  const payloadAt = Buffer.from(good).indexOf(Buffer.from([0x03, 0x01, 0x04, 0x05]));
  assert.ok(payloadAt > 32);
  const raised = good.slice();
  raised[payloadAt + 3] = 0x06;
  assert.equal((await refusal(raised, { keys })).code, "IMAGE_BAD_SIGNATURE");
  // ES256: n - s verifies under lax ECDSA but is not the one canonical (low-S) form
  const pKey = loadPublicKey(testKey(dir, COSE_ALG_ES256, 0x31).pubFile);
  const lowS = craftImage(module, { signAlg: COSE_ALG_ES256, signSeed: 0x31 });
  assert.equal((await verifyImage(lowS, { keys: [pKey] })).alg, COSE_ALG_ES256);
  const n = p256.Point.CURVE().n;
  const highS = craftImage(module, {
    signAlg: COSE_ALG_ES256,
    signSeed: 0x31,
    tamperSignature: (sig) => {
      const s = p256.Signature.fromBytes(sig, "compact");
      return new p256.Signature(s.r, n - s.s).toBytes("compact");
    },
  });
  const hp = docParts(highS);
  const [prot, , payload, sig] = (new Decoder({ mapsAsObjects: false, useRecords: false }).decode(hp.manifest) as Tag).value as Uint8Array[];
  assert.equal(
    p256.verify(sig, sigStructure(prot, hp.header, payload), pKey.publicKey, { prehash: true, lowS: false, format: "compact" }),
    true,
    "the twin is a valid lax ECDSA signature",
  );
  assert.equal((await refusal(highS, { keys: [pKey] })).code, "IMAGE_BAD_SIGNATURE");
});

test("signed but malformed payload: extra key, missing key, wrong type", async (t) => {
  const { keys, module } = await setup(t);
  for (const over of [{ 7: 1 }, { 3: undefined }, { 2: "1.2.3" }, { 6: new Uint8Array(31) }, { 1: "../../etc/passwd" }]) {
    const e = await refusal(craftImage(module, { fields: defaultFields(module, over) }), { keys });
    assert.equal(e.code, "IMAGE_MANIFEST_FIELDS", JSON.stringify(Object.keys(over)));
  }
});

test("wrong board: an image for sim-card refused by sim-plaque; an unknown board without --board", async (t) => {
  const { keys, module } = await setup(t);
  const forCard = craftImage(module, { fields: defaultFields(module, { 1: "sim-card" }) });
  const wrong = await refusal(forCard, { keys, board: plaque });
  assert.equal(wrong.code, "IMAGE_WRONG_BOARD");
  assert.match(wrong.message, /for board sim-card, not sim-plaque/);
  const unknown = await refusal(craftImage(module, { fields: defaultFields(module, { 1: "no-such-board" }) }), { keys });
  assert.equal(unknown.code, "IMAGE_UNKNOWN_BOARD");
});

test("HAL ABI mismatch: an image for ABI 2, and a shell that implements ABI 2", async (t) => {
  const { keys, module, good } = await setup(t);
  const e = await refusal(craftImage(module, { fields: defaultFields(module, { 3: 2 }) }), { keys });
  assert.equal(e.code, "IMAGE_HAL_ABI");
  assert.match(e.hint, /update the board shell/);
  assert.equal((await refusal(good, { keys, halAbi: 2 })).code, "IMAGE_HAL_ABI");
});

test("size mismatch: the manifest signs another module size than the header gives", async (t) => {
  const { keys, module } = await setup(t);
  assert.equal((await refusal(craftImage(module, { fields: defaultFields(module, { 5: module.length + 1 }) }), { keys })).code, "IMAGE_SIZE_MISMATCH");
});

test("downgrade: security counter 5 is refused where 6 is recorded, accepted at 5", async (t) => {
  const { keys, good } = await setup(t);
  const e = await refusal(good, { keys, minSecurityCounter: 6 });
  assert.equal(e.code, "IMAGE_DOWNGRADE");
  assert.match(e.message, /security counter is 5/);
  assert.equal((await verifyImage(good, { keys, minSecurityCounter: 5 })).fields.securityCounter, 5);
});

test("hash mismatch: one module byte changed (inspect shows it too)", async (t) => {
  const { keys, good } = await setup(t);
  const bad = good.slice();
  bad[bad.length - 10] ^= 0x01;
  const e = await refusal(bad, { keys });
  assert.equal(e.code, "IMAGE_HASH_MISMATCH");
  const r = inspectImage(bad);
  assert.equal(r.moduleHashMatches, false);
  assert.deepEqual(
    r.problems.map((p) => p.code),
    ["IMAGE_HASH_MISMATCH"],
  );
});

test("module invalid: a correctly signed module that imports env.abort fails the build gates", async (t) => {
  const { keys } = await setup(t);
  const bad = await watToWasm(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory (export "memory") 1 1))`);
  const e = await refusal(craftImage(bad), { keys });
  assert.equal(e.code, "IMAGE_MODULE_INVALID");
  assert.match(e.message, /env\.abort/);
  // a bootloader does not run the gates: the same image passes the device's checks
  assert.equal((await verifyImage(craftImage(bad), { keys, checkModule: false })).fields.moduleSize, bad.length);
});

test("in a slot: the bootloader's checks run synchronously on the image cut to image_len from the header", async (t) => {
  const { keys, good } = await setup(t);
  const slot = new Uint8Array(122880).fill(0xff); // erased flash, then the image written from byte 0
  slot.set(good);
  const anchor = trustAnchor(keys[0].publicKey, "keystore slot 0");
  assert.equal((await refusal(slot, { keys: [anchor], board: plaque })).code, "IMAGE_TRAILING_BYTES");
  const v = bootloaderChecks(slot.subarray(0, readHeader(slot).imageBytes), { keys: [anchor], board: plaque, minSecurityCounter: 5 });
  assert.equal(v.key, "keystore slot 0");
  assert.equal(v.parts.module.length, v.fields.moduleSize);
  // an erased slot is no image
  assert.equal((await refusal(new Uint8Array(4096).fill(0xff), { keys: [anchor], board: plaque })).code, "IMAGE_BAD_MAGIC");
});
