// The reports a lab files (issue 11 item 5): the JSON report holds the run's facts and every
// verdict; the HTML page puts failures first and shows the QR panel pictures; the signed
// summary (COSE_Sign1 over the JSON's SHA-256) verifies offline with the lab's key, read
// back with cbor-x (an outside CBOR decoder), and any edit of the JSON or the signature is caught.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decode, encode } from "cbor-x";
import { ed25519 } from "@noble/curves/ed25519.js";
import { runConformance } from "../../hil-tests/runner.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { selectCases } from "../../hil-tests/select.ts";
import { toJsonReport } from "../../hil-tests/reporters/json.ts";
import { toHtml } from "../../hil-tests/reporters/html.ts";
import { signReport, verifyReport } from "../../hil-tests/reporters/signed-summary.ts";
import { COSE_ALG_EDDSA, signerFromSecret } from "../../host-tools/src/cose/sig-alg.ts";
import { nfcTestPath } from "../../host-tools/src/device/nfc-path.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { bootSim } from "./sim-fixture.ts";

const lab = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x42));

async function smallRun() {
  const { device, close } = await bootSim("sim-plaque");
  try {
    const real = nfcTestPath(device);
    // One deliberate defect so the report has a failure to put first: the CC claims mapping 1.0.
    const nfc = {
      ...real,
      apdu: async (c: Uint8Array) => {
        const a = await real.apdu(c);
        return a.length === 17 && a[2] === 0x20 ? Uint8Array.from([...a.subarray(0, 2), 0x10, ...a.subarray(3)]) : a;
      },
    };
    return await runConformance(device, {
      cases: selectCases(ALL_CASES, { only: ["NFC-CC-001", "NFC-CC-002", "QR-MASK-0", "QR-MASK-1", "WALLET-001", "LINK-001"] }),
      nfc,
      seed: 99,
    });
  } finally {
    await close();
  }
}

test("JSON and HTML reports: facts, verdicts, failures first, QR pictures inline", async () => {
  const suite = await smallRun();
  const json = JSON.parse(toJsonReport(suite));
  assert.equal(json.format, "tapkit-conformance/1");
  assert.equal(json.seed, 99);
  for (const k of ["firmware", "board", "halAbi", "identity", "tapkit", "node", "os", "path"]) assert.ok(k in json.facts, `facts.${k}`);
  assert.match(json.facts.firmware.sha256, /^[0-9a-f]{64}$/);
  assert.equal(json.facts.node, process.version);
  assert.equal(json.facts.identity.kind, "tag-uid");
  assert.match(json.facts.identity.value, /^[0-9a-f]{14}$/);
  assert.ok(Date.parse(json.ended) >= Date.parse(json.started));
  const by = Object.fromEntries(json.cases.map((c: any) => [c.id, c]));
  assert.equal(by["NFC-CC-002"].verdict, "fail");
  assert.equal(by["NFC-CC-001"].verdict, "pass");
  assert.equal(by["WALLET-001"].verdict, "n/a");
  assert.equal(by["QR-MASK-0"].figures.length, 1, "the panel frame is attached");
  const png = Buffer.from(by["QR-MASK-0"].figures[0].png, "base64");
  assert.equal(png.subarray(1, 4).toString(), "PNG");

  const html = toHtml(suite);
  const failuresAt = html.indexOf("<h2>Failures and errors (1)</h2>");
  assert.ok(failuresAt > 0, "a failures section with the count");
  assert.ok(failuresAt < html.indexOf("<h2>nfc"), "failures come before the per-area tables");
  assert.ok(html.indexOf("NFC-CC-002") < html.indexOf("NFC-CC-001"), "the failed case is listed first");
  assert.equal((html.match(/<img [^>]*src="data:image\/png;base64,/g) ?? []).length, 2, "one picture per QR case, inline");
  assert.match(html, new RegExp(json.facts.firmware.sha256));
  assert.doesNotMatch(html, /<script/);
});

test("signed summary: verifies offline; an edited JSON byte or signature byte is caught", async () => {
  const suite = await smallRun();
  const json = Buffer.from(toJsonReport(suite));
  const signed = signReport(suite, json, lab);

  // Read with cbor-x, not our decoder: tag 18, [protected, {}, payload, signature].
  const cose = decode(signed);
  assert.equal(cose.tag, 18);
  const [prot, , payload, sig] = cose.value;
  const summary = decode(payload);
  const get = (k: string) => (summary instanceof Map ? summary.get(k) : summary[k]);
  assert.equal(get("reportSha256"), createHash("sha256").update(json).digest("hex"));
  assert.equal(get("seed"), 99);
  // Ed25519 over Sig_structure by @noble, independently of host-tools/src/cose.
  // (Buffers: cbor-x writes a Uint8Array as tag 64, a Buffer as a plain byte string.)
  const sigStructure = encode(["Signature1", Buffer.from(prot), Buffer.alloc(0), Buffer.from(payload)]);
  assert.ok(ed25519.verify(sig, sigStructure, lab.publicKey), "@noble verifies the signature");

  const ok = verifyReport(json, signed, lab.publicKey, lab.alg);
  assert.equal(ok.board, "sim-plaque");
  assert.equal(ok.counts.fail, 1);

  const editedJson = Buffer.from(json);
  editedJson[editedJson.indexOf('"fail"') + 1] = "p".charCodeAt(0); // "fail" -> "pail"
  assert.throws(
    () => verifyReport(editedJson, signed, lab.publicKey, lab.alg),
    (e: unknown) => e instanceof TapkitError && e.code === "REPORT_INVALID" && /edited/.test(e.message),
  );
  const editedSig = Uint8Array.from(signed);
  editedSig[editedSig.length - 5] ^= 0x01;
  assert.throws(
    () => verifyReport(json, editedSig, lab.publicKey, lab.alg),
    (e: unknown) => e instanceof TapkitError && e.code === "BAD_SIGNATURE",
  );
  const other = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x43));
  assert.throws(
    () => verifyReport(json, signed, other.publicKey, other.alg),
    (e: unknown) => e instanceof TapkitError && e.code === "REPORT_INVALID" && /key id/.test(e.message),
  );
});
