// Firmware self-confirm (docs/boot.md C4): an image whose self-test passes confirms itself
// through hal.boot_confirm at its trial boot — no host call — records its security counter
// and survives resets; an image whose self-test fails (the same module with one byte of the
// self-test's expected digest flipped) stays on trial, says why in its log, and the shell
// reverts it at the next reset. The shell that is not a bootloader answers E_UNSUPPORTED.
import { test } from "vitest";
import assert from "node:assert/strict";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { buildHalImports, type HalContext } from "../../host-tools/src/sim/hal.ts";
import { HAL_ERRORS } from "../../host-tools/src/abi/hal-abi.ts";
import { flashImage } from "../../host-tools/src/update/flash-image.ts";
import { BOARD, board, bootClient, deviceRunning, image, releaseKey, running } from "./update-fixture.ts";

function logOf(device: SimDevice): string[] {
  const lines: string[] = [];
  device.on("log", (e: { text: string }) => lines.push(e.text));
  return lines;
}

test("an image whose self-test passes is confirmed by its firmware with no host call, records its counter and survives resets", async () => {
  const device = await deviceRunning(await image([1, 0, 0], 0));
  const log = logOf(device);
  const c = await bootClient(device);
  const report = await flashImage(c, await image([2, 0, 0], 1)); // no --confirm
  assert.equal(report.state, "confirmed");
  assert.equal(report.confirmedBy, "firmware");
  assert.ok(log.includes("self-test passed; image confirmed"), log.join("\n"));
  const listing = await c.slots();
  assert.equal(listing.running, "confirmed");
  assert.deepEqual(
    listing.slots.map((s) => [s.state, s.version, s.trial ?? false, s.self ?? false]),
    [
      ["confirmed", "1.0.0", false, false],
      ["active", "2.0.0", false, true],
    ],
  );
  assert.equal(listing.counter, 1, "the firmware's confirmation records the security counter (C2)");
  const again = await c.confirm();
  assert.equal(again.already, true, "nothing left for the host to confirm");
  await c.close();
  for (let i = 0; i < 2; i++) {
    device.power("off");
    device.power("on");
    assert.equal(running(device)?.slot, 1, `reset ${i + 1}: the self-confirmed image stays`);
    assert.equal(running(device)?.mode, "confirmed");
  }
  const after = await bootClient(device);
  assert.equal((await after.slots()).slots[1].self, undefined, "after a reset it is just confirmed");
  await after.close();
  device.close();
});

test("an image whose self-test fails is not confirmed, logs the failing part, and the shell reverts it at the next reset", async () => {
  const device = await deviceRunning(await image([1, 0, 0], 0));
  const log = logOf(device);
  const c = await bootClient(device);
  const report = await flashImage(c, await image([2, 0, 0], 1, releaseKey, BOARD, "fails"));
  assert.equal(report.state, "trial");
  assert.equal(report.confirmedBy, undefined);
  assert.ok(log.includes("self-test failed: keystore; the image is not confirmed"), log.join("\n"));
  assert.ok(!log.includes("self-test passed; image confirmed"));
  const listing = await c.slots();
  assert.equal(listing.running, "trial");
  assert.equal(listing.counter, 0, "nothing confirmed, nothing recorded");
  await c.close();
  device.power("off");
  device.power("on");
  assert.equal(running(device)?.slot, 0, "reverted to the confirmed image");
  assert.equal(running(device)?.mode, "confirmed");
  const c2 = await bootClient(device);
  assert.deepEqual(
    (await c2.slots()).slots.map((s) => s.state),
    ["active", "rejected"],
  );
  await c2.close();
  device.close();
});

test("a shell that is not a bootloader answers boot_confirm with E_UNSUPPORTED and the firmware carries on", async () => {
  const device = await SimDevice.create({ board, wasm: firmwarePath(BOARD), tickMs: 0 });
  assert.equal(device.state, "running");
  assert.equal(device.importCalls.get("boot_confirm"), 1, "the firmware asks once per boot");
  device.close();
  const { hal } = buildHalImports({ memory: () => new Uint8Array(64) } as unknown as HalContext);
  assert.equal(hal.boot_confirm(), HAL_ERRORS.E_UNSUPPORTED);
});
