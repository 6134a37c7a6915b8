// Transports over real OS parts: a node:net server on 127.0.0.1, a socat pseudo-terminal pair
// opened with serialport, the in-process pair, and the mapping of OS failures to LinkErrors.
import { test } from "vitest";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStreamPair, openTransport, serialOpenError, type Transport } from "../../host-tools/src/link/transport.ts";
import { LinkSession } from "../../host-tools/src/link/session.ts";
import { CHANNEL } from "../../host-tools/src/link/frame.ts";
import { FakeDevice } from "./fake-device.ts";
import { rejectsWith } from "./link-assertions.ts";

/** The device end of a TCP connection, as a Transport for the fake device. */
function socketTransport(socket: net.Socket): Transport {
  return {
    description: "server socket",
    write: (bytes) => new Promise((resolve, reject) => socket.write(bytes, (e) => (e ? reject(e) : resolve()))),
    onData: (cb) => socket.on("data", (b) => cb(new Uint8Array(b))),
    close: () => new Promise((resolve) => socket.end(resolve)),
  };
}

test("in-process pair delivers bytes in order both ways and propagates close", async () => {
  const [a, b] = createStreamPair();
  const got: number[] = [];
  const back: number[] = [];
  b.onData((x) => got.push(...x));
  a.onData((x) => back.push(...x));
  await a.write(Uint8Array.of(1, 2));
  await a.write(Uint8Array.of(3));
  await b.write(Uint8Array.of(9));
  assert.deepEqual(got, [1, 2, 3]);
  assert.deepEqual(back, [9]);
  let closed = 0;
  a.onClose!(() => closed++);
  b.onClose!(() => closed++);
  await b.close();
  assert.equal(closed, 2);
  await rejectsWith(a.write(Uint8Array.of(1)), "LINK_CLOSED");
});

test("TCP: a session over a real socket to 127.0.0.1", async () => {
  const devices: FakeDevice[] = [];
  const server = net.createServer((sock) => devices.push(new FakeDevice(socketTransport(sock))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const t = await openTransport(`tcp:127.0.0.1:${port}`);
    assert.equal(t.description, `tcp:127.0.0.1:${port}`);
    const s = await LinkSession.open(t, { timeoutMs: 500 });
    assert.equal(s.device.board, "fake");
    const data = Uint8Array.from({ length: 900 }, (_, i) => (i * 3) & 0xff);
    assert.deepEqual((await s.request(CHANNEL.SHELL, "ping", { data })).data, data);
    const results = await s.bulk(
      CHANNEL.SHELL,
      "sink",
      Array.from({ length: 20 }, () => ({ data: new Uint8Array(500) })),
    );
    assert.equal(results.length, 20);
    assert.ok(devices[0]!.maxOutstanding > 1);
    await s.close();
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test("TCP: nobody listening gives connect-refused", async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  const err = await rejectsWith(openTransport(`tcp:127.0.0.1:${port}`), "CONNECT_REFUSED");
  assert.equal(err.exitCode, 3, "README: 3 port missing (nothing listens there)");
});

test("a malformed tcp: address is reported, not treated as a device path", async () => {
  await rejectsWith(openTransport("tcp:localhost"), "PORT_MISSING");
});

test("serial: a nonexistent device path gives port-missing with the ls hint", async () => {
  const err = await rejectsWith(openTransport("/dev/ttyUSB-tapkit-does-not-exist"), "PORT_MISSING");
  assert.match(err.hint, /ls \/dev\/ttyUSB\* \/dev\/ttyACM\*/);
  assert.equal(err.exitCode, 3);
});

test("serial: bindings error texts map to permission and port-busy", () => {
  // Texts as produced by @serialport/bindings-cpp (serialport_unix.cpp) from strerror().
  assert.equal(serialOpenError("/dev/ttyS9", new Error("Error: Permission denied, cannot open /dev/ttyS9")).code, "PORT_PERMISSION");
  assert.match(serialOpenError("/dev/ttyS9", new Error("Error: Permission denied, cannot open /dev/ttyS9")).hint, /dialout/);
  assert.equal(serialOpenError("/dev/ttyS9", new Error("Error Resource temporarily unavailable Cannot lock port")).code, "PORT_BUSY");
  assert.equal(serialOpenError("/dev/ttyS9", new Error("Error: Device or resource busy, cannot open /dev/ttyS9")).code, "PORT_BUSY");
  assert.equal(serialOpenError("/dev/ttyS9", new Error("Error: Input/output error, cannot open /dev/ttyS9")).code, "PORT_ERROR");
});

test("serial: a session over a socat pseudo-terminal pair opened with serialport", async (t) => {
  if (spawnSync("socat", ["-V"]).error) {
    t.skip("socat not installed: apt-get install socat");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "tapkit-link-"));
  const a = join(dir, "a");
  const b = join(dir, "b");
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: "ignore" });
  const opened: Transport[] = [];
  try {
    for (let i = 0; i < 200 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(existsSync(a) && existsSync(b), "socat did not create the pty links");
    const devEnd = await openTransport(b, { baud: 115200 });
    opened.push(devEnd);
    const fake = new FakeDevice(devEnd);
    const hostEnd = await openTransport(a, { baud: 115200 });
    opened.push(hostEnd);
    assert.equal(hostEnd.description, `${a} @ 115200`);

    // serialport locks the device, so a second opener is told the port is busy.
    const busy = await rejectsWith(openTransport(a), "PORT_BUSY");
    assert.match(busy.hint, /serial monitor/);

    const s = await LinkSession.open(hostEnd, { timeoutMs: 1000 });
    assert.equal(s.device.board, "fake");
    const data = Uint8Array.from({ length: 700 }, (_, i) => (i * 11) & 0xff);
    assert.deepEqual((await s.request(CHANNEL.SHELL, "ping", { data })).data, data);
    const results = await s.bulk(
      CHANNEL.SHELL,
      "sink",
      Array.from({ length: 16 }, (_, i) => ({ data: new Uint8Array(200 + i) })),
    );
    assert.deepEqual(
      results.map((r) => r.n),
      Array.from({ length: 16 }, (_, i) => 200 + i),
    );
    assert.equal(s.stats.receiver.rx, 18);
    assert.equal(fake.receiver.counters.rx, 18);
    await s.close();
  } finally {
    for (const tr of opened) await tr.close();
    socat.kill();
    await new Promise((r) => (socat.exitCode !== null || socat.signalCode !== null ? r(null) : socat.once("exit", r)));
    rmSync(dir, { recursive: true, force: true });
  }
});
