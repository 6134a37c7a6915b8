// Issue 16, finding 7 (simulator side): a second TCP client used to take over the simulated
// board's link silently while the first one hung. With the real firmware and the host's link
// library: the second `DeviceClient` fails at hello with the device-style error `busy` naming
// the holder, the first keeps working, and the link is free again once the first closes.
import { test } from "vitest";
import assert from "node:assert/strict";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { serveTcp } from "../../host-tools/src/sim/serve-tcp.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { openTransport, type LinkError } from "../../host-tools/src/link/index.ts";

test("a second link client is refused with busy and the holder's address; the first is unaffected", async (t) => {
  const device = await SimDevice.create({ board: loadBoard("sim-plaque"), wasm: firmwarePath("sim-plaque"), tickMs: 0 });
  t.onTestFinished(() => device.close());
  const server = await serveTcp(device);
  t.onTestFinished(() => server.close());
  const first = await DeviceClient.over(await openTransport(server.description));
  const before = await first.info();

  const second = await openTransport(server.description);
  await assert.rejects(DeviceClient.over(second), (e: LinkError) => {
    assert.equal(e.code, "DEVICE_ERROR", e.message);
    assert.match(e.message, /busy: the simulator's link is in use by another client \(127\.0\.0\.1:\d+\)/);
    return true;
  });
  await second.close();

  const after = await first.info();
  assert.equal(after.board, "sim-plaque");
  assert.ok(after.link.rx > before.link.rx, "the first client's requests still reach the device");
  assert.equal(after.link.channel + after.link.crc + after.link.cobs + after.link.body, 0, "nothing of the refused client reached the device");
  await first.close();

  // The link is free again: a new client connects.
  for (let i = 0; i < 50 && server.connections < 2; i++) await new Promise((r) => setTimeout(r, 10));
  const third = await DeviceClient.over(await openTransport(server.description));
  assert.equal((await third.info()).board, "sim-plaque");
  await third.close();
  assert.equal(server.refused, 1);
});
