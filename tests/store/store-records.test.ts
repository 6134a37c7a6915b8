// Store records through the built firmware: round trips of every size class, deletes,
// argument and capacity errors, the on-flash record format checked with zlib's CRC-32,
// persistence across simulator restarts with a state directory, and the info map.
import { test } from "vitest";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { BOARD, bytes, counter, get, openStore, rebootByPowerCycle, tempDir } from "./store-fixture.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { storeKeys } from "../../host-tools/src/boards/index.ts";

test("values of 0..512 bytes round-trip, overwrite and delete, and survive a power cycle", async () => {
  const { device, link } = await openStore();
  try {
    const sizes = [0, 1, 3, 4, 5, 63, 64, 255, 256, 511, 512];
    sizes.forEach((n, i) => link.must("store.put", { k: 0x300 + i, v: bytes(n, i) }));
    sizes.forEach((n, i) => assert.deepEqual(get(link, 0x300 + i), bytes(n, i)));
    link.must("store.put", { k: 0x300, v: bytes(9, 99) });
    link.must("store.del", { k: 0x301 });
    link.must("store.del", { k: 0x7777 }); // absent: still fine
    rebootByPowerCycle(device);
    assert.deepEqual(get(link, 0x300), bytes(9, 99));
    assert.equal(get(link, 0x301), null);
    assert.deepEqual(get(link, 0x30a), bytes(512, 10));
    assert.equal(device.flash.norViolations, 0);
  } finally {
    device.close();
  }
});

test("bad keys, oversized values and a full store are refused with reasons", async () => {
  const { device, link } = await openStore();
  try {
    const tooBig = link.call("store.put", { k: 5, v: new Uint8Array(513) });
    assert.equal(tooBig.kind, "error");
    assert.equal(tooBig.kind === "error" && tooBig.code, "too-large");
    const badKey = link.call("store.put", { k: 0, v: new Uint8Array(1) });
    assert.equal(badKey.kind === "error" && badKey.code, "bad-arg");
    const badId = link.call("store.ctr", { id: 16 });
    assert.equal(badId.kind === "error" && badId.code, "bad-arg");
    // Fill with 512-byte values until the store says full; everything accepted stays readable.
    const capacity = link.must("store.stats").capacity as number;
    let accepted = 0;
    // from key 2: key 1 is the lifecycle record, which the store ops refuse
    for (let k = 2; k < 201; k++) {
      const a = link.call("store.put", { k, v: bytes(512, k) });
      if (a.kind === "error") {
        assert.equal(a.code, "too-large");
        assert.match(a.msg, /store full/);
        break;
      }
      accepted = k - 1;
    }
    assert.ok(accepted > 0 && accepted * 520 <= capacity && (accepted + 1) * 520 > capacity, `accepted ${accepted} records of 520 B into ${capacity} B`);
    rebootByPowerCycle(device);
    for (let k = 2; k <= accepted + 1; k++) assert.deepEqual(get(link, k), bytes(512, k));
    // Still writable after the refusal: overwriting keeps live data constant.
    link.must("store.put", { k: 2, v: bytes(512, 1000) });
    assert.deepEqual(get(link, 2), bytes(512, 1000));
  } finally {
    device.close();
  }
});

test("the key index holds exactly the board's STORE_KEYS keys: one more is refused, a delete makes room", async () => {
  const { device, link } = await openStore();
  try {
    const limit = storeKeys(BOARD);
    const before = link.must("store.stats").keys as number;
    let accepted = 0;
    for (let k = 0x1000; k < 0x1000 + limit + 4; k++) {
      const a = link.call("store.put", { k, v: bytes(1 + (k % 7), k) });
      if (a.kind === "error") {
        assert.match(a.msg, /store full/);
        break;
      }
      accepted++;
    }
    assert.equal(accepted, limit - before, `${before} keys at boot, ${accepted} accepted, index of ${limit}`);
    rebootByPowerCycle(device);
    assert.equal(link.must("store.stats").keys, limit);
    for (let k = 0x1000; k < 0x1000 + accepted; k++) assert.deepEqual(get(link, k), bytes(1 + (k % 7), k));
    link.must("store.del", { k: 0x1000 });
    link.must("store.put", { k: 0x2000, v: bytes(3, 1) });
    assert.deepEqual(get(link, 0x2000), bytes(3, 1));
    assert.equal(link.call("store.put", { k: 0x2001, v: bytes(3, 2) }).kind, "error");
  } finally {
    device.close();
  }
});

test("a record on flash is header, value, CRC-32 (checked with zlib), and page headers carry a sequence", async () => {
  const { device, link } = await openStore();
  try {
    const value = bytes(10, 3);
    link.must("store.put", { k: 0x1234, v: value });
    const region = device.flash.read(0, 0, BOARD.flash.pageSize);
    const view = new DataView(region.buffer, region.byteOffset);
    assert.equal(view.getUint32(0, true), 0, "first page opened is sequence 0");
    const header = view.getUint32(16, true);
    assert.equal(header & 0xffff, 0x1234);
    assert.equal((header >>> 16) & 0x3ff, 10);
    assert.deepEqual(region.subarray(20, 30), value);
    assert.deepEqual([...region.subarray(30, 32)], [0xff, 0xff], "padding stays erased");
    assert.equal(view.getUint32(32, true), crc32(region.subarray(16, 32)) >>> 0);
  } finally {
    device.close();
  }
});

test("records and counters persist across simulator restarts with a state directory", async () => {
  const dir = tempDir();
  try {
    let s = await openStore({ stateDir: dir.path });
    s.link.must("store.put", { k: 42, v: bytes(100, 42) });
    for (let i = 0; i < 70; i++) s.link.must("store.ctr", { id: 3 });
    s.link.must("store.tx", { w: [43, bytes(5, 1), 42, null], c: [3] });
    s.device.close();
    s = await openStore({ stateDir: dir.path });
    assert.equal(get(s.link, 42), null);
    assert.deepEqual(get(s.link, 43), bytes(5, 1));
    assert.equal(counter(s.link, 3), 71);
    assert.equal(s.link.must("store.ctr", { id: 3 }).v, 72);
    s.device.close();
  } finally {
    dir.remove();
  }
});

test("info reports the store: capacity, live bytes, wear and remaining increments", async () => {
  const { device, link } = await openStore();
  const client = await DeviceClient.over(inProcessTransport(device));
  try {
    link.must("store.put", { k: 7, v: bytes(20, 7) });
    const info = await client.info();
    const store = info.store as Record<string, number>;
    assert.equal(store.pageSize, BOARD.flash.pageSize);
    assert.equal(store.pages, BOARD.flash.partitions[0]!.pages);
    assert.equal(store.rated, BOARD.flash.eraseCycles);
    assert.equal(store.keys, 1);
    assert.equal(store.live, 8 + 20);
    assert.equal(store.free, store.capacity - store.live);
    assert.ok(store.remaining > 1e8, `remaining ${store.remaining}`);
  } finally {
    await client.close();
    device.close();
  }
});
