// The emulated board's NFC front-end as a card in a real PC/SC stack: `tapkit sim --board
// qemu-m4 --pcsc` presents the tag to pcscd through vpcd, and the reader's APDUs travel
// vpcd -> front-end (host) -> UART2 -> the C shell -> tk_nfc_apdu and back. Skips LOUDLY
// without the QEMU toolchain or the PC/SC stack (pcscd, vsmartcard-vpcd, pcsc-tools).
import { test } from "vitest";
import assert from "node:assert/strict";
import { VPCD_READER } from "../../host-tools/src/pcsc/index.ts";
import { ensureCli, startSim, tapkit } from "../cli/cli-helpers.ts";
import { ensurePcscd, pcscMissing, settle } from "../nfc/pcscd-fixture.ts";
import { holdReaderForFile } from "../nfc/reader-lock.ts";
import { longTests } from "../support/long-tests.ts";
import { qemuBoardElf, qemuMissing } from "./qemu-fixture.ts";

longTests();
const missing = qemuMissing ?? pcscMissing();
holdReaderForFile(missing !== null);
if (missing && !qemuMissing) console.warn(`\n*** SKIPPING the emulated board's PC/SC test: ${missing} ***\n`);

test("tapkit hil --reader against tapkit sim --board qemu-m4 --pcsc: the tag cases pass through pcscd, vpcd and the NFC front-end", {
  skip: missing !== null,
}, async () => {
  await qemuBoardElf();
  ensureCli();
  const pcscd = await ensurePcscd();
  const sim = await startSim(["--board", "qemu-m4", "--pcsc"]);
  try {
    assert.equal(sim.ready.pcsc, VPCD_READER);
    await settle();
    const apdu = await tapkit(["nfc", "apdu", "--reader", VPCD_READER, "00A4040007D276000085010100", "--json"]);
    assert.equal(apdu.code, 0, apdu.stderr);
    assert.equal(apdu.json.sw, "9000");
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
        "--allow-destructive",
        "--json",
        "--junit",
        "/dev/null",
        "--report",
        "/dev/null",
        "--html",
        "/dev/null",
      ],
      {
        timeoutMs: 180_000,
      },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.json.nfc.kind, "pcsc");
    assert.equal(run.json.failed, 0);
    assert.equal(run.json.skipped, 0);
    assert.ok(run.json.passed >= 7, `${run.json.passed} tag cases over PC/SC`);
  } finally {
    await sim.stop();
    await pcscd.stop();
  }
});
