// The same provisioning run on the qemu-m4 board: the firmware compiled to C in the Cortex-M
// shell, its keystore the emulated secure element on the host. The wrapped SUN keys cross the
// MCU only sealed (ks_unwrap runs in the secure element), and after the run no byte string of
// any key is in the MCU's RAM. Skips LOUDLY without the qemu toolchain (see tests/qemu).
import { beforeAll, test } from "vitest";
import assert from "node:assert/strict";
import type { Board } from "../../host-tools/src/boards/index.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { startQemuBoard } from "../../host-tools/src/qemu/qemu-board.ts";
import { loadBatch, provisionDevice, tagKey } from "../../host-tools/src/provision/provision-device.ts";
import { qemuBoardElf, qemuMissing } from "../qemu/qemu-fixture.ts";
import { longTests } from "../support/long-tests.ts";
import { lineRecords, makeLine } from "./provision-fixture.ts";

longTests();
const skip = qemuMissing !== null;
if (skip) console.warn(`SKIPPED provisioning on qemu-m4: ${qemuMissing}`);
let board: Board;
let elfPath: string;

beforeAll(async () => {
  if (!skip) ({ board, elfPath } = await qemuBoardElf());
});

test("qemu-m4: a blank board is provisioned and locked; ks_unwrap ran in the secure element; no key byte is in the MCU's RAM", { skip }, async (t) => {
  const line = makeLine(t, "sim-plaque", (m) => {
    m.board = "qemu-m4";
  });
  const running = await startQemuBoard({ board, elfPath, blank: true });
  try {
    const client = await DeviceClient.connect(running.ports.pty, { baud: board.link.baud });
    const records = await lineRecords(t, line);
    const batch = loadBatch(line.manifest);
    let r: Awaited<ReturnType<typeof provisionDevice>>;
    try {
      r = await provisionDevice(client, batch, records);
    } finally {
      await client.close();
    }
    assert.equal(r.state, "locked");
    assert.equal(r.check.tap?.uid, r.uid);
    assert.equal(running.chips.halCalls.get("ks_unwrap"), 2, "both SUN keys were unwrapped by the secure element");
    assert.ok((running.chips.halCalls.get("ks_generate") ?? 0) >= 2);
    const uid = Uint8Array.from(Buffer.from(r.uid, "hex"));
    const ram = Buffer.from(await running.readMemory(0x20000000, 160 * 1024));
    assert.ok(ram.includes(Buffer.from("qemu-m4")), "the RAM image is readable");
    for (const key of [line.masters.meta, tagKey(batch, line.manifest.keys.sunFile, line.masters.file, uid, true)]) {
      assert.equal(ram.includes(Buffer.from(key).subarray(0, 8)), false, "no 8-byte piece of a SUN key is in RAM");
    }
  } finally {
    await running.stop();
  }
});
