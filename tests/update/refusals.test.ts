// Bad input over the boot channel: every refusal names its reason (a stable code) and a
// hint, changes nothing the device boots from, and the device keeps running its confirmed
// image (docs/boot.md, "Refusals"). Images are broken one rule at a time.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { longTests } from "../support/long-tests.ts";
import { encodeHeader, encodeManifestPayload, joinImage, manifestLength, signManifest } from "../../host-tools/src/image/index.ts";
import { flashImage } from "../../host-tools/src/update/flash-image.ts";
import type { BootClient } from "../../host-tools/src/update/boot-client.ts";
import type { SimDevice } from "../../host-tools/src/sim/device.ts";
import { builtModule } from "../image/image-fixture.ts";
import { BOARD, bootClient, deviceRunning, image, otherKey, releaseKey, running } from "./update-fixture.ts";

longTests();

const sha = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

/** The module signed by releaseKey with a chosen HAL ABI (the library signs only the current one). */
async function imageWithAbi(halAbi: number): Promise<Uint8Array> {
  const module = await builtModule(BOARD);
  const payload = encodeManifestPayload({ board: BOARD, version: [9, 0, 0], halAbi, securityCounter: 0, moduleSize: module.length, moduleSha256: sha(module) });
  const header = encodeHeader(manifestLength(releaseKey, payload), module.length);
  return joinImage(header, signManifest(releaseKey, payload, header), module);
}

async function snapshot(device: SimDevice, c: BootClient) {
  const listing = await c.slots();
  const running = device.running;
  return {
    listing: JSON.stringify(listing, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)),
    running: typeof running === "object" && running ? `${running.slot}/${running.mode}` : String(running),
    state: device.state,
  };
}

/** Runs `attempt`, expects refusal `code` with a hint, and checks the device still runs the same confirmed image. */
async function refused(code: string, attempt: (c: BootClient, device: SimDevice) => Promise<unknown>, opts: { slotsUnchanged?: boolean } = {}) {
  const device = await deviceRunning(await image([1, 0, 0], 1));
  const c = await bootClient(device);
  const before = await snapshot(device, c);
  await assert.rejects(attempt(c, device), (e: any) => {
    assert.equal(e.code, code, `${e.code}: ${e.message}`);
    assert.ok(e.message.length > 10 && typeof e.hint === "string" && e.hint.length > 10, "a reason and a hint");
    return true;
  });
  const after = await snapshot(device, c);
  assert.equal(after.running, "0/confirmed", "the confirmed image keeps running");
  assert.equal(after.state, "running");
  if (opts.slotsUnchanged ?? true) assert.equal(after.listing, before.listing, "nothing changed in the slots");
  device.power("off");
  device.power("on");
  assert.equal(running(device)?.slot, 0, "and boots it after a reset");
  await c.close();
  device.close();
}

/** begin + all chunks (optionally altered) + finish, the way flashImage does, with a chosen announced hash. */
async function rawUpload(c: BootClient, img: Uint8Array, opts: { announced?: Uint8Array; alter?: (chunk: Uint8Array, i: number) => Uint8Array } = {}) {
  const b = await c.begin(opts.announced ?? sha(img), img.length, img.subarray(0, new DataView(img.buffer, img.byteOffset).getUint32(12, true)));
  const items = [];
  for (let off = 0, i = 0; off < img.length; off += b.chunk, i++) {
    const data = img.slice(off, off + b.chunk);
    items.push({ sid: b.sid!, off, data: opts.alter ? opts.alter(data, i) : data });
  }
  await c.chunks(items, 8, () => {});
  return c.finish(b.sid!);
}

test("unsigned image (a bare module) is refused by the host and by the device", async () => {
  const module = await builtModule(BOARD);
  await refused("IMAGE_BAD_MAGIC", (c) => flashImage(c, module));
  await refused("IMAGE_BAD_MAGIC", (c) => c.begin(sha(module), module.length, module.subarray(0, 64)));
});

test("image signed by a key the device does not trust", async () => {
  await refused("IMAGE_UNKNOWN_KEY", async (c) => flashImage(c, await image([2, 0, 0], 1, otherKey)));
});

test("image for another board", async () => {
  await refused("IMAGE_WRONG_BOARD", async (c) => flashImage(c, await image([2, 0, 0], 1, releaseKey, "sim-plaque")));
});

test("image for another HAL ABI", async () => {
  await refused("IMAGE_HAL_ABI", async (c) => flashImage(c, await imageWithAbi(2)));
});

test("downgrade below the recorded security counter", async () => {
  await refused("IMAGE_DOWNGRADE", async (c) => flashImage(c, await image([0, 9, 0], 0)));
});

test("image larger than a slot (header claims more than slot minus trailer)", async () => {
  await refused("IMAGE_TOO_LARGE", async (c) => {
    const img = (await image([2, 0, 0], 1)).slice();
    const v = new DataView(img.buffer);
    const big = 131072;
    v.setUint32(16, big - v.getUint32(12, true), true);
    v.setUint32(20, big, true);
    v.setUint32(28, crc32(img.subarray(0, 28)), true);
    return c.begin(sha(img), big, img.subarray(0, v.getUint32(12, true)));
  });
});

test("truncated chunk", async () => {
  await refused(
    "BOOT_CHUNK",
    async (c) => {
      const img = await image([2, 0, 0], 1);
      const b = await c.begin(sha(img), img.length, img.subarray(0, new DataView(img.buffer, img.byteOffset).getUint32(12, true)));
      await c.chunks([{ sid: b.sid!, off: 0, data: img.slice(0, b.chunk - 7) }], 1, () => {});
    },
    { slotsUnchanged: false },
  );
});

test("corrupted chunk: the device's hash of the slot differs, nothing is marked pending", async () => {
  await refused(
    "BOOT_UPLOAD_HASH",
    async (c) => rawUpload(c, await image([2, 0, 0], 1), { alter: (d, i) => (i === 3 ? d.map((x, j) => (j === 100 ? x ^ 0x40 : x)) : d) }),
    { slotsUnchanged: false },
  );
});

test("wrong total hash announced", async () => {
  await refused("BOOT_UPLOAD_HASH", async (c) => rawUpload(c, await image([2, 0, 0], 1), { announced: sha(new Uint8Array([1, 2, 3])) }), {
    slotsUnchanged: false,
  });
});

test("two hosts uploading at once: the second is refused while the first is busy", async () => {
  await refused(
    "BOOT_BUSY",
    async (first, device) => {
      const a = await image([2, 0, 0], 1);
      const b = await image([2, 1, 0], 1);
      const begun = await first.begin(sha(a), a.length, a.subarray(0, new DataView(a.buffer, a.byteOffset).getUint32(12, true)));
      await first.chunks([{ sid: begun.sid!, off: 0, data: a.slice(0, begun.chunk) }], 1, () => {});
      const second = await bootClient(device);
      try {
        await flashImage(second, b);
      } finally {
        await second.close();
      }
    },
    { slotsUnchanged: false },
  );
});
