// Resume (docs/boot.md, "Upload"): the device reports how much of an image (keyed by its
// SHA-256) it holds, and the next `tapkit flash` of the same file continues from there after
// a host crash or a power cut, losing at most one chunk.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { flashImage } from "../../host-tools/src/update/flash-image.ts";
import { bootClient, bootDevice, deviceRunning, image, releaseKey, running } from "./update-fixture.ts";

const sha = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

test("after a host crash half-way, the next flash of the same image resumes where the device stopped", async () => {
  const device = await deviceRunning(await image([1, 0, 0]));
  const v2 = await image([2, 0, 0]);
  let c = await bootClient(device);
  const moduleOff = new DataView(v2.buffer, v2.byteOffset).getUint32(12, true);
  const b = await c.begin(sha(v2), v2.length, v2.subarray(0, moduleOff));
  const half = 20;
  const items = Array.from({ length: half }, (_, i) => ({ sid: b.sid!, off: i * b.chunk, data: v2.slice(i * b.chunk, (i + 1) * b.chunk) }));
  assert.equal(await c.chunks(items, 8, () => {}), half * b.chunk);
  await c.close(); // the host process dies here

  c = await bootClient(device);
  const listing = await c.slots();
  assert.equal(listing.slots[1].state, "partial");
  assert.equal(listing.slots[1].held, half * b.chunk);
  const r = await flashImage(c, v2, { confirm: true });
  assert.equal(r.resumedFrom, half * b.chunk, "continued from the bytes the device held");
  assert.equal(r.uploadedBytes, v2.length - half * b.chunk);
  assert.equal(r.state, "confirmed");
  assert.equal(device.bootloader!.service.resumes, 1);
  await c.close();
  device.close();
});

test("on a device that runs no slot image yet (development), a cut first upload resumes in the same slot", async () => {
  const device = await bootDevice();
  const v1 = await image([1, 0, 0]);
  let c = await bootClient(device);
  await c.trust(releaseKey.publicKey);
  const moduleOff = new DataView(v1.buffer, v1.byteOffset).getUint32(12, true);
  const b = await c.begin(sha(v1), v1.length, v1.subarray(0, moduleOff));
  const part = 12;
  const items = Array.from({ length: part }, (_, i) => ({ sid: b.sid!, off: i * b.chunk, data: v1.slice(i * b.chunk, (i + 1) * b.chunk) }));
  assert.equal(await c.chunks(items, 8, () => {}), part * b.chunk);
  await c.close(); // the cable is cut here

  c = await bootClient(device);
  const r = await flashImage(c, v1, { confirm: true });
  assert.equal(r.slot, b.slot, "the same slot as the cut upload");
  assert.equal(r.resumedFrom, part * b.chunk, "continued from the bytes the device held");
  assert.equal(r.state, "confirmed");
  await c.close();
  device.close();
});

test("after a power cut during the upload, the next flash resumes losing at most one chunk; another image starts over", async () => {
  const device = await deviceRunning(await image([1, 0, 0]));
  const v2 = await image([2, 0, 0]);
  let c = await bootClient(device);
  let acked = 0;
  // cut during the 60th flash operation of the upload (erases come first, then chunk + mark pairs)
  device.flash.cutPowerAt({ op: 60, phase: "during" });
  await assert.rejects(
    flashImage(c, v2, { autoResume: 0, onProgress: (p) => (acked = Math.max(acked, p.held)) }),
    (e: any) => e.code === "BOOT_NO_UPLOAD" && /run tapkit flash again/.test(e.hint),
  );
  await c.close();
  assert.equal(device.lastResetReason?.kind, "power-cut");
  assert.equal(running(device)?.slot, 0, "the confirmed image runs after the cut");

  c = await bootClient(device);
  const held = (await c.slots()).slots[1].held!;
  const chunk = (await c.slots()).chunk;
  assert.ok(held >= acked - chunk, `held ${held} of ${acked} acknowledged: at most one chunk lost`);
  assert.ok(held > 0);
  const r = await flashImage(c, v2, { confirm: true });
  assert.equal(r.resumedFrom, held);
  assert.equal(r.state, "confirmed");

  // A cut in the next upload is resumed within the same run.
  const v4 = await image([4, 0, 0]);
  device.flash.cutPowerAt({ op: 50, phase: "after" });
  const auto = await flashImage(c, v4, { confirm: true });
  assert.equal(auto.restarts, 1);
  assert.equal(auto.state, "confirmed");

  // A different image does not reuse the bytes of another one.
  const v3 = await image([3, 0, 0]);
  const fresh = await flashImage(c, v3);
  assert.equal(fresh.resumedFrom, 0);
  await c.close();
  device.close();
});
