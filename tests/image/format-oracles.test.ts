// The .tki format against outside oracles: the header is what docs/image-format.md says
// (DataView + zlib CRC-32), the manifest decodes with cbor-x and cborg to the signed
// values and re-encodes to its exact bytes, the signature verifies with @noble and with
// openssl over a Sig_structure built by cbor-x (header as external_aad), the module hash
// is openssl's, and the key id is what openssl derives from the public key file.
import { afterAll, test } from "vitest";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Decoder, Tag } from "cbor-x";
import { decode as cborgDecode, encode as cborgEncode, rfc8949EncodeOptions } from "cborg";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { inspectImage, keygen, loadPublicKey, loadSigningKey, signImage, slotBudget, verifyImage } from "../../host-tools/src/image/index.ts";
import {
  ALGS,
  algLabel,
  builtModule,
  cborx,
  COSE_ALG_EDDSA,
  type CoseAlg,
  type TestKey,
  docHeader,
  docParts,
  haveOpenssl,
  joinDoc,
  openssl,
  opensslBytes,
  opensslVerifies,
  sigStructure,
  tempDir,
  testKey,
} from "./image-fixture.ts";

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const board = loadBoard("sim-plaque");
const hasOpenssl = haveOpenssl();
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** One signed image per algorithm (version 2.7.1, security counter 9), shared by the read-only tests. */
const signedOnce = new Map<CoseAlg, Promise<{ image: Uint8Array; key: TestKey; dir: string }>>();
const sharedDir = mkdtempSync(join(tmpdir(), "tapkit-image-oracle-"));
afterAll(() => rmSync(sharedDir, { recursive: true, force: true }));
function signedImage(alg: CoseAlg) {
  if (!signedOnce.has(alg)) {
    signedOnce.set(
      alg,
      (async () => {
        const dir = join(sharedDir, String(alg));
        mkdirSync(dir);
        const key = testKey(dir, alg);
        const { image } = await signImage({
          module: await builtModule("sim-plaque"),
          board,
          key: loadSigningKey(key.keyFile),
          version: [2, 7, 1],
          securityCounter: 9,
        });
        return { image, key, dir };
      })(),
    );
  }
  return signedOnce.get(alg)!;
}

for (const alg of ALGS) {
  const name = algLabel(alg);

  test(`${name}: header, padding and module sit where the document says, CRC by zlib; verify accepts it`, async () => {
    const { image, key } = await signedImage(alg);
    const module = await builtModule("sim-plaque");
    const p = docParts(image);
    // the whole header as the document defines it, for this manifest length and module
    assert.deepEqual(p.header, docHeader(p.manifestLen, module.length));
    assert.equal(p.moduleOff % 16, 0);
    assert.ok(p.padding.length < 16 && p.padding.every((b) => b === 0));
    assert.deepEqual(p.module, module);
    assert.equal(image.length, p.moduleOff + module.length);
    // and the assembler written from the document produces the very same file
    assert.deepEqual(joinDoc(p.header, p.manifest, module), image);
    assert.ok(image.length <= slotBudget(board).maxImageBytes);
    // round trip: tapkit's verifier accepts it with the public key file
    const v = await verifyImage(image, { keys: [loadPublicKey(key.pubFile)], board, minSecurityCounter: 9 });
    assert.deepEqual(v.fields.version, [2, 7, 1]);
    assert.equal(v.alg, alg);
  });

  test(`${name}: cbor-x and cborg read the manifest's fields and re-encode its exact bytes`, async () => {
    const { image, key } = await signedImage(alg);
    const module = await builtModule("sim-plaque");
    const { manifest } = docParts(image);
    const outer = decoder.decode(manifest) as Tag;
    assert.ok(outer instanceof Tag);
    assert.equal(outer.tag, 18);
    const [prot, unprot, payload, sig] = outer.value as [Uint8Array, Map<number, unknown>, Uint8Array, Uint8Array];
    assert.equal(unprot.size, 0);
    assert.equal(sig.length, 64);
    const hdr = decoder.decode(prot) as Map<number, unknown>;
    assert.deepEqual([...hdr.keys()], [1, 4]);
    assert.equal(hdr.get(1), alg);
    assert.equal(hex(hdr.get(4) as Uint8Array), hex(key.signer.kid));
    const m = decoder.decode(payload) as Map<number, unknown>;
    assert.deepEqual([...m.keys()], [1, 2, 3, 4, 5, 6]);
    assert.equal(m.get(1), "sim-plaque");
    assert.deepEqual(m.get(2), [2, 7, 1]);
    assert.equal(m.get(3), 1);
    assert.equal(m.get(4), 9);
    assert.equal(m.get(5), module.length);
    // cborg (deterministic mode) decodes to the same values and encodes the same bytes
    const viaCborg = cborgDecode(payload, { useMaps: true }) as Map<number, unknown>;
    assert.deepEqual([...viaCborg.keys()], [1, 2, 3, 4, 5, 6]);
    assert.equal(viaCborg.get(1), m.get(1));
    assert.deepEqual(viaCborg.get(2), m.get(2));
    assert.equal(hex(viaCborg.get(6) as Uint8Array), hex(m.get(6) as Uint8Array));
    assert.equal(hex(cborgEncode(viaCborg, rfc8949EncodeOptions)), hex(payload));
    assert.equal(hex(new Uint8Array(cborx.encode(m))), hex(payload));
    assert.equal(hex(new Uint8Array(cborx.encode(new Tag([prot, new Map(), payload, sig], 18)))), hex(manifest));
    // the fixed byte shape a C shell relies on
    assert.equal(hex(manifest.subarray(0, 3)), "d2844d");
    assert.equal(hex(manifest.subarray(3, 8)), `a201${alg === COSE_ALG_EDDSA ? "27" : "26"}0448`);
    assert.equal(manifest[16], 0xa0);
    assert.equal(manifest[17], 0x58);
    assert.equal(manifest[18], payload.length);
    assert.equal(manifest.length, 85 + payload.length);
    assert.equal(hex(manifest.subarray(19 + payload.length, 21 + payload.length)), "5840");
  });

  test(`${name}: @noble verifies the manifest signature over cbor-x's Sig_structure with the header as external_aad`, async () => {
    const { image, key } = await signedImage(alg);
    const { header, manifest } = docParts(image);
    const [prot, , payload, sig] = (decoder.decode(manifest) as Tag).value as Uint8Array[];
    const tbs = sigStructure(prot, header, payload);
    const ok = (msg: Uint8Array) =>
      alg === COSE_ALG_EDDSA
        ? ed25519.verify(sig, msg, key.signer.publicKey, { zip215: false })
        : p256.verify(sig, msg, key.signer.publicKey, { prehash: true, lowS: true, format: "compact" });
    assert.equal(ok(tbs), true);
    // the header is covered: with an empty external_aad (a voucher's) the same signature fails
    assert.equal(ok(sigStructure(prot, new Uint8Array(0), payload)), false);
    if (alg !== COSE_ALG_EDDSA) {
      const s = p256.Signature.fromBytes(sig, "compact");
      assert.ok(s.s <= p256.Point.CURVE().n / 2n, "ES256 signatures are low-S");
    }
  });

  test(`${name}: openssl verifies the manifest signature (pkeyutl over the Sig_structure bytes), refuses a changed header`, { skip: !hasOpenssl }, async () => {
    const { image, key, dir } = await signedImage(alg);
    const { header, manifest } = docParts(image);
    const [prot, , payload, sig] = (decoder.decode(manifest) as Tag).value as Uint8Array[];
    assert.equal(opensslVerifies(dir, alg, key.pubFile, sigStructure(prot, header, payload), sig), true);
    const otherHeader = header.slice();
    otherHeader[24] ^= 1; // a flag bit: covered by the signature through external_aad
    assert.equal(opensslVerifies(dir, alg, key.pubFile, sigStructure(prot, otherHeader, payload), sig), false);
    const otherPayload = payload.slice();
    otherPayload[otherPayload.length - 1] ^= 1;
    assert.equal(opensslVerifies(dir, alg, key.pubFile, sigStructure(prot, header, otherPayload), sig), false);
  });

  test(`${name}: the manifest's module hash is openssl dgst -sha256 of the module bytes`, { skip: !hasOpenssl }, async () => {
    const { image, dir } = await signedImage(alg);
    const moduleFile = join(dir, "module.wasm");
    writeFileSync(moduleFile, docParts(image).module);
    const digest = openssl(["dgst", "-sha256", "-r", moduleFile]).split(" ")[0];
    const [, , payload] = (decoder.decode(docParts(image).manifest) as Tag).value as Uint8Array[];
    const m = decoder.decode(payload) as Map<number, Uint8Array>;
    assert.equal(hex(m.get(6)!), digest);
    assert.equal(hex(inspectImage(image).moduleSha256!), digest);
  });

  test(`${name}: openssl derives keygen's public key from its private key, and the kid from the public key`, { skip: !hasOpenssl }, async (t) => {
    const dir = tempDir(t);
    const made = keygen(join(dir, "release.pem"), { alg: alg === COSE_ALG_EDDSA ? "ed25519" : "p256" });
    const pubByOpenssl = openssl(["pkey", "-in", made.keyFile, "-pubout"]);
    assert.equal(pubByOpenssl.trim(), readFileSync(made.publicKeyFile, "utf8").trim());
    const der = opensslBytes(["pkey", "-pubin", "-in", made.publicKeyFile, "-outform", "DER"]);
    const raw = der.subarray(der.length - (alg === COSE_ALG_EDDSA ? 32 : 65));
    assert.equal(hex(raw), made.publicKey);
    const kidByOpenssl = openssl(["dgst", "-sha256", "-r"], raw).split(" ")[0].slice(0, 16);
    assert.equal(made.kid, kidByOpenssl);
    assert.equal(hex(loadPublicKey(made.publicKeyFile).kid), kidByOpenssl);
    assert.equal(hex(loadSigningKey(made.keyFile).kid), kidByOpenssl);
  });

  test(`${name}: keys made by openssl sign images that verify with openssl's public key`, { skip: !hasOpenssl }, async (t) => {
    const dir = tempDir(t);
    const keyFile = join(dir, "openssl.pem");
    if (alg === COSE_ALG_EDDSA) openssl(["genpkey", "-algorithm", "ed25519", "-out", keyFile]);
    else openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyFile]); // SEC1 "EC PRIVATE KEY"
    const pubFile = join(dir, "openssl.pub.pem");
    openssl(["pkey", "-in", keyFile, "-pubout", "-out", pubFile]);
    const module = await builtModule("sim-plaque");
    const { image } = await signImage({ module, board, key: loadSigningKey(keyFile), version: [0, 1, 0], securityCounter: 0 });
    const v = await verifyImage(image, { keys: [loadPublicKey(pubFile)], board });
    assert.equal(v.alg, alg);
    const { header, manifest } = docParts(image);
    const [prot, , payload, sig] = (decoder.decode(manifest) as Tag).value as Uint8Array[];
    assert.equal(opensslVerifies(dir, alg, pubFile, sigStructure(prot, header, payload), sig), true);
  });

  test(`${name}: signing is reproducible (same inputs, same bytes)`, async (t) => {
    const dir = tempDir(t);
    const key = loadSigningKey(testKey(dir, alg).keyFile);
    const module = await builtModule("sim-plaque");
    const a = await signImage({ module, board, key, version: [1, 0, 0], securityCounter: 1 });
    const b = await signImage({ module, board, key, version: [1, 0, 0], securityCounter: 1 });
    assert.equal(hex(a.image), hex(b.image));
    const c = await signImage({ module, board, key, version: [1, 0, 1], securityCounter: 1 });
    assert.notEqual(hex(c.image), hex(a.image));
  });
}
