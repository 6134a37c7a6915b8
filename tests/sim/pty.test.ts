// The simulator's pseudo-terminal, opened with serialport like a USB-serial adapter: twice
// in a row (socat exits when the client closes the PTY and is started again), echoing bytes
// through a WAT echo device at the board's baud; startSimulator wiring and stop().
// Skips loudly when socat is missing.

import { test } from "vitest";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { serveTcp } from "../../host-tools/src/sim/serve-tcp.ts";
import { servePty, socatAvailable } from "../../host-tools/src/sim/serve-pty.ts";
import { startSimulator } from "../../host-tools/src/sim/run.ts";
import { fixtureWasm, loadBoardJson, tempStateDir } from "./sim-fixture.ts";

const skip = socatAvailable() ? false : "SKIPPED: socat not installed (apt-get install socat) — PTY serving untested";
if (skip) console.error(`\n*** ${skip} ***\n`);

async function echoOverSerial(path: string, bytes: Uint8Array): Promise<Uint8Array> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  try {
    const got: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`echo incomplete: ${got.length}/${bytes.length} bytes`)), 5000);
      port.on("data", (b: Buffer) => {
        got.push(...b);
        if (got.length >= bytes.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    port.write(Buffer.from(bytes));
    await done;
    return Uint8Array.from(got);
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

test("serialport opens the PTY, closes it, opens it again; bytes echo both times", { skip: skip !== false }, async (t) => {
  const device = await SimDevice.create({ board: loadBoardJson("sim-plaque"), wasm: await fixtureWasm("hal-probe.wat"), tickMs: 0, baud: 115200 });
  t.onTestFinished(() => device.close());
  const tcp = await serveTcp(device);
  t.onTestFinished(() => tcp.close());
  const path = join(tempStateDir(t), "tty-plaque");
  const pty = await servePty({ path, tcpPort: tcp.port });
  t.onTestFinished(() => pty.close());

  const first = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
  assert.deepEqual(await echoOverSerial(path, first), first);
  // socat notices the close and exits; wait for its successor before reopening
  for (let i = 0; i < 300 && pty.starts < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await pty.ready();
  const second = Uint8Array.from({ length: 300 }, (_, i) => 255 - (i & 0xff));
  assert.deepEqual(await echoOverSerial(path, second), second);
  assert.ok(pty.starts >= 2, "socat was started again after the first close");
  assert.equal(tcp.connections, 2, "each open is a fresh connection");
});

test("startSimulator serves TCP and PTY and stop() removes them", { skip: skip !== false }, async (t) => {
  const dir = tempStateDir(t);
  const wasmPath = join(dir, "firmware.wasm");
  writeFileSync(wasmPath, await fixtureWasm("hal-probe.wat"));
  const ptyPath = join(dir, "tty");
  // No state directory: with one the shell is the bootloader and reads the UART as link frames
  // (docs/boot.md), while this test drives the raw-echo probe module through the pty.
  const sim = await startSimulator({ board: loadBoardJson("sim-card"), wasmPath, pty: ptyPath, tcpPort: 0 });
  try {
    assert.equal(sim.ports.pty, ptyPath);
    assert.ok(sim.ports.tcp > 0);
    assert.equal(sim.device.board.name, "sim-card");
    assert.deepEqual([...(await echoOverSerial(ptyPath, Uint8Array.of(0x00, 0x42)))], [0x00, 0x42]);
  } finally {
    await sim.stop();
  }
  assert.equal(existsSync(ptyPath), false, "socat removed its link");
  assert.equal(sim.device.state, "off");
});
