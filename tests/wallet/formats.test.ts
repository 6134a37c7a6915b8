// Voucher and certificate formats against outside oracles: cbor-x and cborg decode and
// re-encode the bytes, @noble/curves verifies the signatures over a Sig_structure built by
// cbor-x, and openssl verifies exported vouchers (Ed25519 raw, P-256 DER).
import { test } from "vitest";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decoder, Encoder } from "cbor-x";
import { decode as cborgDecode, encode as cborgEncode, rfc8949EncodeOptions } from "cborg";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { decodeBundle, decodeSign1, signSign1, verifyVoucher } from "../../host-tools/src/wallet/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { bundleBytes, COSE_ALG_EDDSA, COSE_ALG_ES256, payload, testCard, testIssuer, voucherBytes } from "./wallet-fixture.ts";

const cborx = new Decoder({ mapsAsObjects: false, useRecords: false });
const cborxEnc = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });

function sigStructureByCborX(prot: Uint8Array, body: Uint8Array): Uint8Array {
  return new Uint8Array(cborxEnc.encode(["Signature1", prot, new Uint8Array(0), body]));
}

for (const alg of [COSE_ALG_EDDSA, COSE_ALG_ES256] as const) {
  const name = alg === COSE_ALG_EDDSA ? "Ed25519" : "P-256";

  test(`${name} voucher: cbor-x and cborg read the same fields and re-encode the same bytes`, () => {
    const card = testCard(testIssuer(alg), alg);
    const bytes = voucherBytes(card, { time: 1_700_000_000 });
    const outer = cborx.decode(bytes) as { tag: number; value: unknown[] };
    assert.equal(outer.tag, 18);
    const [prot, unprot, body, sig] = outer.value as [Uint8Array, Map<number, unknown>, Uint8Array, Uint8Array];
    assert.equal(sig.length, 64);
    assert.equal(unprot.size, 0);
    const hdr = cborx.decode(prot) as Map<number, unknown>;
    assert.equal(hdr.get(1), alg);
    assert.deepEqual(new Uint8Array(hdr.get(4) as Uint8Array), card.key.kid);
    const m = cborx.decode(body) as Map<number, unknown>;
    const p = payload(card);
    assert.deepEqual([...m.keys()], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(m.get(3), p.counter);
    assert.equal(m.get(4), p.amount);
    assert.equal(m.get(5), "EUR");
    assert.equal(m.get(6), "shop-42");
    assert.equal(m.get(11), 1_700_000_000);
    // cborg, deterministic mode, encodes the decoded map to the very same payload bytes
    const viaCborg = cborgDecode(body, { useMaps: true }) as Map<number, unknown>;
    const plain = new Uint8Array(body);
    assert.deepEqual(cborgEncode(viaCborg, rfc8949EncodeOptions), plain);
    assert.deepEqual(new Uint8Array(cborxEnc.encode(m)), plain);
  });

  test(`${name} voucher: @noble/curves verifies the signature over cbor-x's Sig_structure`, () => {
    const card = testCard(testIssuer(alg), alg);
    const outer = cborx.decode(voucherBytes(card)) as { value: Uint8Array[] };
    const [prot, , body, sig] = outer.value;
    const msg = sigStructureByCborX(prot, body);
    const ok =
      alg === COSE_ALG_EDDSA ? ed25519.verify(sig, msg, card.key.publicKey) : p256.verify(sig, msg, card.key.publicKey, { prehash: true, format: "compact" });
    assert.equal(ok, true);
  });
}

test("openssl verifies exported vouchers: Ed25519 raw over Sig_structure, P-256 as DER over SHA-256", () => {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-voucher-"));
  try {
    for (const alg of [COSE_ALG_EDDSA, COSE_ALG_ES256] as const) {
      const card = testCard(testIssuer(alg), alg);
      const outer = cborx.decode(voucherBytes(card)) as { value: Uint8Array[] };
      const [prot, , body, sig] = outer.value;
      const msg = join(dir, "msg.bin");
      writeFileSync(msg, sigStructureByCborX(prot, body));
      const pem = join(dir, "pub.pem");
      const spkiPrefix = alg === COSE_ALG_EDDSA ? "302a300506032b6570032100" : "3059301306072a8648ce3d020106082a8648ce3d030107034200";
      const der = Buffer.concat([Buffer.from(spkiPrefix, "hex"), card.key.publicKey]);
      writeFileSync(pem, `-----BEGIN PUBLIC KEY-----\n${der.toString("base64")}\n-----END PUBLIC KEY-----\n`);
      const sigFile = join(dir, "sig.bin");
      let out: string;
      if (alg === COSE_ALG_EDDSA) {
        writeFileSync(sigFile, sig);
        out = execFileSync("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin", "-in", msg, "-sigfile", sigFile], { encoding: "utf8" });
      } else {
        writeFileSync(sigFile, p256.Signature.fromBytes(sig, "compact").toBytes("der"));
        out = execFileSync("openssl", ["dgst", "-sha256", "-verify", pem, "-signature", sigFile, msg], { encoding: "utf8" });
      }
      assert.match(out, /Verified (OK|Successfully)/);
      // and openssl refuses a flipped payload byte
      const bad = sigStructureByCborX(prot, body);
      bad[bad.length - 3] ^= 1;
      writeFileSync(msg, bad);
      const args =
        alg === COSE_ALG_EDDSA
          ? ["pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin", "-in", msg, "-sigfile", sigFile]
          : ["dgst", "-sha256", "-verify", pem, "-signature", sigFile, msg];
      assert.throws(() => execFileSync("openssl", args, { stdio: "pipe" }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TapkitError) return e.code;
    throw e;
  }
  return "accepted";
}

test("verifyVoucher accepts a good voucher with its chain and challenge", () => {
  for (const alg of [COSE_ALG_EDDSA, COSE_ALG_ES256] as const) {
    const issuer = testIssuer(alg);
    const card = testCard(issuer, alg);
    const r = verifyVoucher(decodeBundle(bundleBytes(card)), issuer.root.publicKey, { challenge: new Uint8Array(16).fill(0xc4), payee: "shop-42" });
    assert.equal(r.voucher.amount, 250);
    assert.equal(r.device.currency, "EUR");
  }
});

test("rejections: altered payload, wrong root, foreign chain, replayed challenge, envelope, non-deterministic CBOR", () => {
  const issuer = testIssuer();
  const card = testCard(issuer);
  const root = issuer.root.publicKey;
  const good = decodeBundle(bundleBytes(card));
  // altered payload: change the amount byte inside the signed payload (250 = 18 FA -> 18 FB)
  const altered = good.voucher.slice();
  const at = Buffer.from(altered).indexOf(Buffer.from([0x04, 0x18, 0xfa]));
  assert.ok(at > 0);
  altered[at + 2] = 0xfb;
  assert.equal(
    codeOf(() => verifyVoucher({ ...good, voucher: altered }, root)),
    "BAD_SIGNATURE",
  );
  // wrong root key
  assert.equal(
    codeOf(() => verifyVoucher(good, testIssuer(COSE_ALG_EDDSA, 0x66).root.publicKey)),
    "CHAIN_ROOT",
  );
  // a voucher signed by another (uncertified) key presented with this card's chain
  const other = testCard(issuer, COSE_ALG_EDDSA, 0x44);
  assert.equal(
    codeOf(() => verifyVoucher({ voucher: voucherBytes(other), chain: card.chain }, root)),
    "VOUCHER_KID",
  );
  // a device certificate signed by a batch key the root never certified
  const rogue = testCard(testIssuer(COSE_ALG_EDDSA, 0x55), COSE_ALG_EDDSA);
  assert.equal(
    codeOf(() => verifyVoucher({ voucher: voucherBytes(rogue), chain: [card.chain[0], rogue.chain[1]] }, root)),
    "CHAIN_LINK",
  );
  // replayed challenge: the payee expected a fresh one
  assert.equal(
    codeOf(() => verifyVoucher(good, root, { challenge: new Uint8Array(16).fill(0x01) })),
    "CHALLENGE_MISMATCH",
  );
  // beyond the certified per-payment cap (a buggy or hostile card signed it)
  assert.equal(
    codeOf(() => verifyVoucher(decodeBundle(bundleBytes(card, { amount: 2_001 })), root)),
    "ENVELOPE_PER_PAYMENT",
  );
  // non-deterministic encoding of the same voucher: a 2-byte head where 1 byte suffices
  const nd = Buffer.concat([Buffer.from([0xd8, 0x12]), Buffer.from(good.voucher.subarray(1))]);
  assert.equal(
    codeOf(() => verifyVoucher({ ...good, voucher: new Uint8Array(nd) }, root)),
    "CBOR_MALFORMED",
  );
  // a correctly signed payload whose map keys are not sorted (cbor-x keeps insertion order)
  const m = cborx.decode(decodeSign1(good.voucher, "v").payload) as Map<number, unknown>;
  const unsorted = new Map([...m.entries()].reverse());
  const body = new Uint8Array(cborxEnc.encode(unsorted));
  const resigned = signSign1(card.key, body);
  assert.equal(
    codeOf(() => verifyVoucher({ ...good, voucher: resigned }, root)),
    "CBOR_NOT_DETERMINISTIC",
  );
});

test("malleated signatures are refused: high-S P-256 and non-canonical Ed25519 S (S + L)", () => {
  const pIssuer = testIssuer(COSE_ALG_ES256);
  const pCard = testCard(pIssuer, COSE_ALG_ES256);
  const pGood = decodeBundle(bundleBytes(pCard));
  const s1 = decodeSign1(pGood.voucher, "v");
  const n = p256.Point.CURVE().n;
  const sig = p256.Signature.fromBytes(s1.signature, "compact");
  const high = new p256.Signature(sig.r, n - sig.s).toBytes("compact");
  // the malleated signature is mathematically valid (noble accepts it when told lowS: false)...
  const msg = sigStructureByCborX(s1.protectedBytes, s1.payload);
  assert.equal(p256.verify(high, msg, pCard.key.publicKey, { prehash: true, lowS: false, format: "compact" }), true);
  const hv = Buffer.from(pGood.voucher);
  hv.set(high, hv.length - 64);
  // ...and still refused
  assert.equal(
    codeOf(() => verifyVoucher({ ...pGood, voucher: new Uint8Array(hv) }, pIssuer.root.publicKey)),
    "BAD_SIGNATURE",
  );

  const eIssuer = testIssuer();
  const eCard = testCard(eIssuer);
  const eGood = decodeBundle(bundleBytes(eCard));
  const es = decodeSign1(eGood.voucher, "v").signature;
  const L = ed25519.Point.CURVE().n;
  let S = 0n;
  for (let i = 31; i >= 0; i--) S = (S << 8n) | BigInt(es[32 + i]);
  S += L;
  const ev = Buffer.from(eGood.voucher);
  for (let i = 0; i < 32; i++) ev[ev.length - 32 + i] = Number((S >> BigInt(8 * i)) & 0xffn);
  // ZIP-215-style verifiers accept S + L; the strict rule must not
  assert.equal(
    codeOf(() => verifyVoucher({ ...eGood, voucher: new Uint8Array(ev) }, eIssuer.root.publicKey)),
    "BAD_SIGNATURE",
  );
});
