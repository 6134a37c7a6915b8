// The IMG-* conformance cases against a device whose shell has a trust anchor and a
// confirmed image (so refusals come from the image checks, not from "no anchor"), and
// against a shell without a boot channel (they do not apply: n/a, saying why).
import { test } from "vitest";
import assert from "node:assert/strict";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { runConformance } from "../../hil-tests/runner.ts";
import { IMAGE_CASES } from "../../hil-tests/cases/image.ts";
import { board, BOARD, deviceRunning, image } from "./update-fixture.ts";

test("IMG cases pass on a provisioned bootloader shell, each refusal with the image check's own code", async () => {
  const sim = await deviceRunning(await image([1, 0, 0]));
  const device = await DeviceClient.over(inProcessTransport(sim), "sim", { timeoutMs: 300 });
  try {
    const suite = await runConformance(device, { cases: IMAGE_CASES });
    assert.deepEqual(
      suite.cases.filter((c) => c.verdict !== "pass").map((c) => `${c.id}: ${c.message}`),
      [],
    );
    const codes = Object.fromEntries(suite.cases.map((c) => [c.id, c.notes.code]));
    assert.deepEqual(
      [codes["IMG-003"], codes["IMG-004"], codes["IMG-005"], codes["IMG-006"], codes["IMG-007"], codes["IMG-008"]],
      // IMG-005: the key is checked before the board (image-format.md check order); refusals.test.ts covers a trusted wrong-board image
      ["IMAGE_BAD_MAGIC", "IMAGE_UNKNOWN_KEY", "IMAGE_UNKNOWN_KEY", "IMAGE_HEADER_CRC", "IMAGE_TOO_LARGE", "BOOT_NO_UPLOAD"],
    );
    assert.equal(suite.cases.find((c) => c.id === "IMG-002")?.notes.running, "confirmed");
  } finally {
    await device.close();
    sim.close();
  }
});

test("IMG cases are n/a, with the reason, on a shell without a boot channel (IMG-009 too)", async () => {
  const sim = await SimDevice.create({ board, wasm: firmwarePath(BOARD), tickMs: 0 });
  const device = await DeviceClient.over(inProcessTransport(sim), "sim", { timeoutMs: 300 });
  try {
    const suite = await runConformance(device, { cases: IMAGE_CASES });
    assert.ok(suite.cases.length >= 8);
    for (const c of suite.cases) {
      assert.equal(c.verdict, "n/a", c.id);
      assert.match(c.message ?? "", /no boot channel/);
    }
  } finally {
    await device.close();
    sim.close();
  }
});
