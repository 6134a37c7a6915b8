// The shell as bootloader (docs/boot.md): trust anchor once, upload into the slot that is not
// running, trial boot, revert at the next reset unless confirmed, the recorded security
// counter, and the slot listing — through the boot channel, as `tapkit flash` drives it.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CHANNEL } from "../../host-tools/src/link/index.ts";
import { flashImage } from "../../host-tools/src/update/flash-image.ts";
import { bootClient, bootDevice, deviceRunning, image, releaseKey, running } from "./update-fixture.ts";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

test("a device without a trust anchor runs the development module and refuses uploads until the anchor is set, once", async () => {
  const device = await bootDevice();
  assert.equal(device.running, "development");
  const c = await bootClient(device);
  const listing = await c.slots();
  assert.equal(listing.anchor, null);
  assert.deepEqual(
    listing.slots.map((s) => s.state),
    ["empty", "empty"],
  );
  await assert.rejects(flashImage(c, await image([1, 0, 0])), (e: any) => e.code === "BOOT_NO_ANCHOR" && /tapkit image trust/.test(e.hint));
  const kid = await c.trust(releaseKey.publicKey);
  assert.equal(kid, createHash("sha256").update(releaseKey.publicKey).digest("hex").slice(0, 16));
  await assert.rejects(c.trust(releaseKey.publicKey), (e: any) => e.code === "BOOT_ANCHOR_SET");
  await c.close();
  device.close();
});

test("a flashed image boots on trial and reverts at the next reset unless confirmed; confirmed, it stays and records its counter", async () => {
  const v1 = await image([1, 0, 0], 0);
  // its self-test fails, so only the host can keep it (self-confirm: self-confirm.test.ts)
  const v2 = await image([2, 0, 0], 1, releaseKey, "sim-card", "fails");
  const device = await deviceRunning(v1);
  assert.equal(device.state, "running");
  assert.equal(running(device)?.mode, "confirmed");
  let c = await bootClient(device);

  const trial = await flashImage(c, v2);
  assert.equal(trial.state, "trial");
  assert.equal(trial.slot, 1, "the upload went to the slot that was not running");
  assert.equal(trial.resumedFrom, 0);
  // the new firmware answers on its own channel
  const hello = await c.session.request(CHANNEL.SHELL, "hello", { v: [1] });
  assert.equal(hello.board, "sim-card");
  let listing = await c.slots();
  assert.deepEqual(
    listing.slots.map((s) => [s.state, s.version, s.sc, s.trial ?? false]),
    [
      ["confirmed", "1.0.0", 0, false],
      ["active", "2.0.0", 1, true],
    ],
  );
  assert.equal(listing.counter, 0, "the counter rises on confirmation, not on trial");
  await c.close();

  device.power("off");
  device.power("on");
  assert.equal(running(device)?.slot, 0, "an unconfirmed trial reverts at the next reset");
  c = await bootClient(device);
  listing = await c.slots();
  assert.deepEqual(
    listing.slots.map((s) => s.state),
    ["active", "rejected"],
  );

  const again = await flashImage(c, v2, { confirm: true });
  assert.equal(again.state, "confirmed");
  assert.equal(again.confirmedBy, "host");
  listing = await c.slots();
  assert.equal(listing.counter, 1);
  assert.equal(listing.slots[1].sha && Buffer.from(listing.slots[1].sha).toString("hex"), sha(v2));
  await c.close();
  device.power("off");
  device.power("on");
  assert.equal(running(device)?.slot, 1, "a confirmed image stays");
  device.close();
});

test("flashing the image that already runs sends nothing; revert goes back only to an image at or above the recorded counter", async () => {
  const v1 = await image([1, 0, 0], 0);
  const v11 = await image([1, 1, 0], 0);
  const v3 = await image([3, 0, 0], 2);
  const device = await deviceRunning(v1);
  const c = await bootClient(device);
  const same = await flashImage(c, v1);
  assert.equal(same.state, "already-installed");
  assert.equal(same.uploadedBytes, 0);

  await flashImage(c, v11, { confirm: true });
  const back = await c.revert();
  assert.equal(back.reverted, true);
  await c.rehello();
  let listing = await c.slots();
  assert.equal(listing.slots.find((s) => s.state === "active")?.version, "1.0.0", "revert went back to the other confirmed image");

  await flashImage(c, v3, { confirm: true });
  listing = await c.slots();
  assert.equal(listing.counter, 2);
  await assert.rejects(c.revert(), (e: any) => e.code === "BOOT_NO_ROLLBACK" && /security counter 2/.test(e.message));
  assert.equal(running(device)?.fields.securityCounter, 2, "refused revert changed nothing");
  await c.close();
  device.close();
});
