// The conformance suite's tag and wallet cases over a real PC/SC stack: pcscd + vpcd with
// the simulator as the card, every case APDU sent through scriptor in one interactive
// session (new taps are PC/SC warm resets); and `tapkit hil --reader` as a lab runs it.
// Skips LOUDLY when pcscd, vpcd or scriptor are missing.
import { test } from "vitest";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { bootTag } from "./nfc-fixture.ts";
import { ensurePcscd, pcscMissing, settle } from "./pcscd-fixture.ts";
import { servePcsc } from "../../host-tools/src/sim/serve-pcsc.ts";
import { pcscPath, VPCD_READER } from "../../host-tools/src/pcsc/index.ts";
import { runConformance } from "../../hil-tests/runner.ts";
import { ALL_CASES } from "../../hil-tests/cases/index.ts";
import { selectCases } from "../../hil-tests/select.ts";
import { startSim, tapkit, tempDir, ensureCli } from "../cli/cli-helpers.ts";
import { longTests } from "../support/long-tests.ts";
import { holdReaderForFile } from "./reader-lock.ts";

longTests();

const missing = pcscMissing();
holdReaderForFile(missing !== null);
if (missing) console.warn(`\n*** SKIPPING the PC/SC conformance tests: ${missing} ***\n`);

const CASES: Record<string, { only: string[] }> = {
  // Type 2 (NFC-T2-001) stays on nfc-test: a PC/SC reader reaches Type 2 tags only through
  // its own storage-card pseudo-APDUs, which vpcd does not carry.
  // A sample of every tag family (the whole catalogue over scriptor takes minutes): the
  // hand-written Type 4 cases, SELECT and READ tables, classes, a few URI codes, the CC rules.
  "sim-plaque": { only: ["NFC-T4-*", "NFC-SUN-*", "NFC-FUZZ-*", "NFC-SEL-*", "NFC-RB-*", "NFC-CC-*", "ISO-CLA-*", "ISO-LEN-*", "NDEF-URI-00?"] },
  "sim-card": { only: ["WALLET-*"] },
};

for (const board of ["sim-plaque", "sim-card"] as const) {
  test(`${board}: the ${CASES[board].only.join(", ")} cases pass over PC/SC`, { skip: missing !== null }, async () => {
    const pcscd = await ensurePcscd();
    const t = await bootTag(board);
    let apdusOverVpcd = 0;
    const card = await servePcsc(t.device, { onEvent: (e) => void (e.startsWith("apdu ") && apdusOverVpcd++) });
    try {
      await settle();
      const nfc = await pcscPath(VPCD_READER);
      const suite = await runConformance(t.client, { cases: selectCases(ALL_CASES, { only: CASES[board].only }), nfc, allowDestructive: true }).finally(() =>
        nfc.close(),
      );
      assert.equal(suite.nfc.kind, "pcsc");
      const notPassed = suite.cases.filter((c) => c.verdict !== "pass" && c.verdict !== "n/a").map((c) => `${c.id} ${c.verdict}: ${c.message}`);
      assert.deepEqual(notPassed, []);
      assert.ok(suite.cases.length >= 3, `${suite.cases.length} cases ran`);
      assert.ok(apdusOverVpcd >= 2 * suite.cases.length, `${apdusOverVpcd} APDUs reached the card through pcscd and vpcd`);
    } finally {
      await card.close();
      await t.close();
      await pcscd.stop();
    }
  });
}

test("tapkit hil --reader: a lab's run over PC/SC against `tapkit sim --pcsc`, reported in JUnit", { skip: missing !== null }, async (t) => {
  ensureCli();
  const pcscd = await ensurePcscd();
  const sim = await startSim(["--no-pty", "--pcsc"]);
  try {
    await settle();
    const junit = join(tempDir(t), "pcsc.xml");
    const run = await tapkit(
      [
        "hil",
        "--port",
        sim.port,
        "--reader",
        VPCD_READER,
        "--only",
        "NFC-T4-*",
        "--only",
        "NFC-SUN-*",
        "--only",
        "NFC-T2-00[1-3]",
        "--allow-destructive",
        "--junit",
        junit,
        "--json",
      ],
      {
        timeoutMs: 120000,
      },
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(run.json.failed, 0);
    assert.equal(run.json.skipped, 0);
    assert.equal(run.json.nfc.kind, "pcsc");
    assert.equal(run.json.facts.path.link, sim.port);
    assert.equal(run.json.facts.path.nfcKind, "pcsc");
    assert.ok(run.json.facts.path.nfc.includes(VPCD_READER), `the report names the PC/SC reader: ${run.json.facts.path.nfc}`);
    // Each case says the path it used: Type 4 through the reader, Type 2 over the link (vpcd carries Type 4 only).
    const t2 = run.json.cases.filter((c: any) => c.id.startsWith("NFC-T2-"));
    assert.equal(t2.length, 3);
    for (const c of t2) assert.match(c.path, /\(nfc-test channel\): the PC\/SC reader presents the Type 4 personality only/, c.id);
    for (const c of run.json.cases.filter((c: any) => c.id.startsWith("NFC-T4-"))) assert.equal(c.path, run.json.facts.path.nfc, c.id);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(junit, "utf8"));
    const props = [[xml.testsuites.testsuite].flat()[0].properties.property].flat();
    assert.ok(
      props.some((p: any) => p.name === "nfc.kind" && p.value === "pcsc"),
      "the report says the tag was read over PC/SC",
    );

    const noReader = await tapkit([
      "hil",
      "--port",
      sim.port,
      "--reader",
      "No Such Reader 00 00",
      "--only",
      "NFC-T4-001",
      "--junit",
      join(tempDir(t), "none.xml"),
      "--json",
    ]);
    assert.equal(noReader.code, 3, "a missing reader exits like a missing port");
    assert.equal(noReader.json.error.code, "PCSC_NO_READER");
    assert.match(noReader.json.error.hint, /pcsc_scan/);
  } finally {
    await sim.stop();
    await pcscd.stop();
  }
});

test("tapkit wallet pay, issuer sync, wallet status and nfc apdu --reader: a payment through pcscd verifies against the issuer root; the sync moves the epoch", {
  skip: missing !== null,
}, async (t) => {
  ensureCli();
  const pcscd = await ensurePcscd();
  // --blank-wallet: this test certifies the card with its own issuer (a fresh sim card has the DEMO one)
  const sim = await startSim(["--board", "sim-card", "--no-pty", "--pcsc", "--blank-wallet"]);
  try {
    await settle();
    const dir = tempDir(t);
    const iss = join(dir, "iss");
    assert.equal((await tapkit(["issuer", "init", iss])).code, 0);
    const cert = await tapkit(["issuer", "certify", "--port", sim.port, "--issuer", iss, "--currency", "EUR", "--balance", "10000", "--pin", "1234", "--json"]);
    assert.equal(cert.code, 0, cert.stderr);
    const out = join(dir, "v.voucher");
    const pay = await tapkit(["wallet", "pay", "--reader", VPCD_READER, "--amount", "250", "--currency", "EUR", "--payee", "shop-42", "--out", out, "--json"]);
    assert.equal(pay.code, 0, pay.stderr);
    const v = await tapkit(["verify", "voucher", out, "--root", join(iss, "root.pub"), "--challenge", pay.json.challenge, "--payee", "shop-42", "--json"]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.json.balanceAfter, 9_750);

    // The issuer syncs the card through the reader: next epoch, top-up credited.
    const sync = await tapkit(["issuer", "sync", "--reader", VPCD_READER, "--issuer", iss, "--top-up", "1000", "--settled-counter", "1", "--json"]);
    assert.equal(sync.code, 0, sync.stderr);
    assert.deepEqual([sync.json.epochBefore, sync.json.epoch, sync.json.balanceBefore, sync.json.balance], [0, 1, 9_750, 10_750]);
    const again = await tapkit(["wallet", "status", "--reader", VPCD_READER, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual([again.json.epoch, again.json.limits.spent, again.json.limits.count], [1, 0, 0], "the sync reset the use since the last sync");

    const apdu = await tapkit(["nfc", "apdu", "--reader", VPCD_READER, "00A4040007D276000085010100", "--json"]);
    assert.equal(apdu.code, 0, apdu.stderr);
    assert.equal(apdu.json.sw, "9000");
  } finally {
    await sim.stop();
    await pcscd.stop();
  }
});
