// SimDevice lifecycle with WAT fixtures: boot checks (ABI version, imports, exports), demo
// vs blank set-up, reboots on panic/reset/trap with the reason recorded, init failure
// back-off and crash loops, state kept across instances, UART echo split to the mailbox,
// NFC exchanges, memory high-water mark, and the in-process and TCP transports.

import { test } from "vitest";
import assert from "node:assert/strict";
import net from "node:net";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { serveTcp } from "../../host-tools/src/sim/serve-tcp.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { fixtureWasm, loadBoardJson, memory, probe, probeDevice, tempStateDir, watToWasm } from "./sim-fixture.ts";

const plaque = loadBoardJson("sim-plaque");

function minimalWat(opts: { abi?: number; init?: string; imports?: string; exportsExtra?: string; omit?: string } = {}): string {
  const exports: Record<string, string> = {
    tk_abi_version: `(func (export "tk_abi_version") (result i32) (i32.const ${opts.abi ?? 1}))`,
    tk_init: `(func (export "tk_init") (param i32) (result i32) ${opts.init ?? "(i32.const 0)"})`,
    tk_io_buffer: `(func (export "tk_io_buffer") (result i32) (i32.const 1024))`,
    tk_io_capacity: `(func (export "tk_io_capacity") (result i32) (i32.const 512))`,
    tk_link_rx: `(func (export "tk_link_rx") (param i32))`,
    tk_tick: `(func (export "tk_tick") (param i64))`,
    tk_nfc_field: `(func (export "tk_nfc_field") (param i32))`,
    tk_nfc_apdu: `(func (export "tk_nfc_apdu") (param i32) (result i32) (i32.const 2))`,
    tk_nfc_t2t: `(func (export "tk_nfc_t2t") (param i32) (result i32) (i32.const 1))`,
  };
  if (opts.omit) delete exports[opts.omit];
  return `(module ${opts.imports ?? ""} (memory (export "memory") 1 1) (global $boots (mut i32) (i32.const 0)) ${Object.values(exports).join("\n")} ${opts.exportsExtra ?? ""})`;
}

async function expectSimError(p: Promise<unknown>, code: string): Promise<TapkitError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TapkitError, String(e));
    assert.equal(e.code, code);
    assert.ok(e.hint.length > 0);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test("boot refuses wrong ABI version, foreign imports, missing exports", async () => {
  await expectSimError(SimDevice.create({ board: plaque, wasm: await watToWasm(minimalWat({ abi: 2 })), tickMs: 0 }), "SIM_ABI_MISMATCH");
  const env = await expectSimError(
    SimDevice.create({ board: plaque, wasm: await watToWasm(minimalWat({ imports: `(import "env" "abort" (func (param i32 i32 i32 i32)))` })), tickMs: 0 }),
    "SIM_BAD_IMPORT",
  );
  assert.match(env.message, /env\.abort/);
  await expectSimError(
    SimDevice.create({ board: plaque, wasm: await watToWasm(minimalWat({ imports: `(import "hal" "gpio_write" (func (param i32)))` })), tickMs: 0 }),
    "SIM_BAD_IMPORT",
  );
  const missing = await expectSimError(
    SimDevice.create({ board: plaque, wasm: await watToWasm(minimalWat({ omit: "tk_nfc_t2t" })), tickMs: 0 }),
    "SIM_MISSING_EXPORT",
  );
  assert.match(missing.message, /tk_nfc_t2t/);
  await expectSimError(SimDevice.create({ board: plaque, wasm: "/nonexistent/firmware.wasm" }), "SIM_NO_FIRMWARE");
});

test("demo set-up: DEMO flag and marked demo keys; --blank: flags 0, empty keystore", async (t) => {
  const demo = await probeDevice(t);
  assert.equal(probe(demo, "last_flags"), 1);
  assert.deepEqual(
    [0, 1, 2, 3].map((s) => demo.keystore.describe(s)?.alg),
    ["ed25519", "p256", "aes128", "aes128"],
  );
  assert.ok([0, 1, 2, 3].every((s) => demo.keystore.describe(s)?.demo === true));
  const blank = await probeDevice(t, { blank: true });
  assert.equal(probe(blank, "last_flags"), 0);
  assert.ok(blank.keystore.isEmpty);
});

test("panic, reset and trap reboot the device with the reason recorded", async (t) => {
  const d = await probeDevice(t);
  const resets: string[] = [];
  d.on("reset", (r) => resets.push(r.kind));
  assert.throws(
    () => d.nfcApdu(Uint8Array.of(0xee, 0, 0, 0)),
    (e) => e instanceof TapkitError && e.code === "SIM_TAG_LOST",
  );
  assert.deepEqual(d.lastResetReason, { kind: "panic", message: "boom at probe.wat:1:1" });
  assert.throws(() => d.nfcApdu(Uint8Array.of(0xef, 0, 0, 0)), TapkitError);
  assert.equal(d.lastResetReason?.kind, "reset");
  assert.throws(() => d.nfcApdu(Uint8Array.of(0xed, 0, 0, 0)), TapkitError);
  assert.equal(d.lastResetReason?.kind, "trap");
  assert.deepEqual(resets, ["panic", "reset", "trap"]);
  assert.equal(d.boots, 4);
  assert.equal(d.state, "running");
  assert.deepEqual([...d.nfcApdu(Uint8Array.of(0x00, 0xb0, 0, 0))], [0x00, 0xb0, 0, 0, 0x90, 0x00], "works after the reboots");
  assert.throws(
    () => d.nfcT2t(Uint8Array.of(0x30, 4)),
    (e) => e instanceof TapkitError && e.code === "SIM_NFC_PERSONALITY",
    "Type 2 command to a Type 4 tag",
  );
  assert.equal(probe(d, "nfc_configure", 2, 16, 7), 0);
  assert.deepEqual([...d.nfcT2t(Uint8Array.of(0xa2, 4, 1, 2, 3, 4))], [0x0a]);
});

test("tk_init failure retries after back-off; a crash loop halts the device", async (t) => {
  let now = 0;
  const failing = await SimDevice.create({ board: plaque, wasm: await watToWasm(minimalWat({ init: "(i32.const -10)" })), tickMs: 0, now: () => now });
  t.onTestFinished(() => failing.close());
  assert.equal(failing.state, "init-failed");
  assert.equal(failing.lastInitError, -10);
  failing.tickNow();
  assert.equal(failing.boots, 1, "no retry before the back-off");
  now = 1500;
  failing.tickNow();
  assert.equal(failing.boots, 2);

  const panicking = await watToWasm(
    minimalWat({ imports: `(import "hal" "panic" (func $panic (param i32 i32)))`, init: "(call $panic (i32.const 0) (i32.const 4)) (i32.const 0)" }),
  );
  await expectSimError(SimDevice.create({ board: plaque, wasm: panicking, tickMs: 0 }), "SIM_BOOT_FAILED");
});

test("flash and keystore persist across SimDevice instances on the same state dir", async (t) => {
  const dir = tempStateDir(t);
  const wasm = await fixtureWasm("hal-probe.wat");
  const first = await SimDevice.create({ board: plaque, wasm, stateDir: dir, tickMs: 0 });
  const pub = first.keystore.publicKey(0);
  first.nfcApdu(Uint8Array.of(0xf0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef));
  first.close();
  const second = await SimDevice.create({ board: plaque, wasm, stateDir: dir, tickMs: 0 });
  t.onTestFinished(() => second.close());
  assert.deepEqual(second.keystore.publicKey(0), pub, "demo keys kept, not regenerated");
  probe(second, "flash_read", 0, 0, 4096, 4);
  assert.deepEqual([...memory(second).subarray(4096, 4100)], [0xde, 0xad, 0xbe, 0xef]);
  assert.equal(second.flash.eraseCount(0, 0), 1);
});

test("UART RX is split to the mailbox capacity and echoed; memory high-water mark", async (t) => {
  const d = await probeDevice(t);
  const echoed: Uint8Array[] = [];
  d.on("uart", (b: Uint8Array) => echoed.push(b));
  const before = d.importCalls.get("uart_write") ?? 0;
  const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) & 0xff);
  d.receive(data);
  assert.equal((d.importCalls.get("uart_write") ?? 0) - before, 3, "1024 + 1024 + 952");
  assert.deepEqual(Buffer.concat(echoed), Buffer.from(data));
  // the last chunk sits in the mailbox at 1024.. (952 bytes)
  assert.equal(d.memoryHighWater(), 2048);
  memory(d)[60000] = 1;
  assert.equal(d.memoryHighWater(), 60001);
});

test("power off drops volatile state; power on boots again", async (t) => {
  const d = await probeDevice(t);
  d.keystore.deriveCmac(2, new Uint8Array(16), 128);
  d.power("off");
  assert.equal(d.state, "off");
  assert.equal(d.keystore.info(128), 0);
  assert.throws(
    () => d.nfcApdu(Uint8Array.of(0, 0)),
    (e) => e instanceof TapkitError && e.code === "SIM_TAG_LOST",
  );
  d.power("on");
  assert.equal(d.state, "running");
  assert.equal(d.boots, 2);
  assert.equal(d.lastResetReason?.kind, "power-off");
});

test("in-process transport: holds early bytes, echoes through the device", async (t) => {
  const d = await probeDevice(t);
  const transport = inProcessTransport(d);
  await transport.write(Uint8Array.of(1, 2, 3));
  const got: number[] = [];
  transport.onData((b) => got.push(...b));
  assert.deepEqual(got, [1, 2, 3], "held until onData");
  await transport.write(Uint8Array.of(4));
  assert.deepEqual(got, [1, 2, 3, 4]);
  await transport.close();
  assert.equal(d.listenerCount("uart"), 0);
  assert.match(transport.description, /sim:sim-plaque/);
});

test("TCP: one client at a time; a second is refused with a message and the first keeps the link", async (t) => {
  const d = await probeDevice(t);
  const refusals: string[] = [];
  const server = await serveTcp(d, { port: 0, onRefused: (who, holder) => refusals.push(`${who} by ${holder}`) });
  t.onTestFinished(() => server.close());
  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(server.port, "127.0.0.1", () => resolve(s));
      s.once("error", reject);
    });
  const roundTrip = (s: net.Socket, bytes: number[]) =>
    new Promise<number[]>((resolve) => {
      const got: number[] = [];
      const onData = (b: Buffer) => {
        got.push(...b);
        if (got.length >= bytes.length) {
          s.off("data", onData);
          resolve(got);
        }
      };
      s.on("data", onData);
      s.write(Uint8Array.from(bytes));
    });
  const a = await connect();
  assert.deepEqual(await roundTrip(a, [9, 8, 7]), [9, 8, 7]);
  const b = await connect();
  const told: Buffer[] = [];
  b.on("data", (c: Buffer) => told.push(c));
  b.write(Uint8Array.of(1, 2, 3));
  await new Promise((r) => b.once("close", r));
  assert.match(
    Buffer.concat(told).toString("latin1"),
    /^tapkit sim: the simulator's link is in use by another client \(127\.0\.0\.1:\d+\); close it first\n\0$/,
  );
  assert.deepEqual(await roundTrip(a, [5, 6]), [5, 6], "the first client still has the link; the refused client's bytes never reached the device");
  assert.equal(server.refused, 1);
  assert.equal(refusals.length, 1);
  a.end();
  await new Promise((r) => a.once("close", r));
  const c = await connect();
  assert.deepEqual(await roundTrip(c, [1, 2]), [1, 2], "once the first closed, the next client gets the link");
  assert.equal(server.connections, 3);
  c.destroy();
});
