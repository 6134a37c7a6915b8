// The firmware's link receiver, driven through its real exports: hello/info/ping, every
// receiver rule with its counter, byte-at-a-time feeding, retries from the response cache,
// partial UART acceptance. Oracles: zlib.crc32, cborg (strict, deterministic re-encode),
// cbor-x, and the paper's COBS in the harness.
import { test } from "vitest";
import assert from "node:assert/strict";
import { encode as cborgEncode } from "cborg";
import { decode as cborxDecode } from "cbor-x";
import { Device, MAX_FRAME, SIM_CARD, SIM_PLAQUE, rawFrame, request, wire, type Frame } from "./firmware-harness.ts";

const RESP = 1;
const ERR = 2;
const EVENT = 4;

function counters(d: Device, seq: number): Record<string, number> {
  const f = d.call(0, seq, { op: "info" });
  assert.equal(f.flags, RESP);
  return f.body.link;
}

test("exports exactly the HAL ABI v1 set and imports only from hal", async () => {
  const d = await Device.boot();
  const exported = Object.keys(d.exports).sort();
  assert.deepEqual(exported, [
    "__data_end",
    "__heap_base",
    "memory",
    "tk_abi_version",
    "tk_init",
    "tk_io_buffer",
    "tk_io_capacity",
    "tk_link_rx",
    "tk_nfc_apdu",
    "tk_nfc_field",
    "tk_nfc_t2t",
    "tk_tick",
  ]);
  assert.equal(d.exports.tk_abi_version(), 1);
  assert.equal(d.exports.tk_io_capacity(), 512);
  // the end of the static data, as constants a runtime can read before instantiating
  for (const name of ["__data_end", "__heap_base"]) {
    const g = d.exports[name] as unknown as WebAssembly.Global;
    assert.ok(g instanceof WebAssembly.Global, `${name} is a global`);
    assert.throws(() => (g.value = 0), `${name} is immutable`);
  }
  const heapBase = (d.exports.__heap_base as unknown as WebAssembly.Global).value as number;
  assert.equal(heapBase % 16, 0);
  assert.ok(heapBase >= ((d.exports.__data_end as unknown as WebAssembly.Global).value as number));
  assert.ok(
    d.imports.every((i) => i.startsWith("hal.")),
    d.imports.join(),
  );
});

test("boot sends a 00 then a log event 'boot <board> fw <ver>' and configures NFC Type 4 with the default UID", async () => {
  const d = await Device.boot(SIM_PLAQUE, 0);
  assert.equal(d.uart[0], 0);
  const [boot] = d.frames();
  assert.equal(boot.channel, 2);
  assert.equal(boot.flags, EVENT);
  assert.deepEqual(boot.body, { t: 1000, msg: "boot sim-plaque fw 0.1.0", level: 2 });
  assert.deepEqual(d.nfcConfig, [{ personality: 1, uid: [0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6] }]);
  assert.deepEqual(d.consoleLines, [{ level: 2, text: "boot sim-plaque fw 0.1.0" }]);
});

test("hello answers version, limits and identity", async () => {
  const d = await Device.boot();
  const f = d.call(0, 7, { op: "hello", v: [1, 2], max: 4096 });
  assert.equal(f.channel, 0);
  assert.equal(f.flags, RESP);
  assert.equal(f.seq, 7);
  assert.deepEqual(f.body, { v: 1, fw: "0.1.0", abi: 1, max: MAX_FRAME, board: "sim-plaque", shell: "test-shell/0.0.1" });
  assert.deepEqual(cborxDecode(f.bodyBytes), f.body);
  const refused = d.call(0, 8, { op: "hello", v: [2] });
  assert.equal(refused.flags, RESP | ERR);
  assert.equal(refused.body.code, "unsupported");
});

test("info reports identity, memory and uptime from the clock", async () => {
  const d = await Device.boot(SIM_CARD);
  d.nowMs = 123456789012n;
  const f = d.call(0, 1, { op: "info" });
  assert.equal(f.body.board, "sim-card");
  assert.equal(f.body.fw, "0.1.0");
  assert.equal(f.body.abi, 1);
  assert.equal(f.body.shell, "test-shell/0.0.1");
  assert.equal(f.body.uptime, 123456789012);
  assert.deepEqual(f.body.mem, { io: 512, pages: 1 });
  assert.deepEqual(f.body.link, { rx: 1, tx: 1, crc: 0, body: 0, cobs: 0, retry: 0, short: 0, channel: 0, version: 0, oversize: 0 });
});

test("each broken frame bumps exactly its counter and gets no answer", async () => {
  const d = await Device.boot();
  d.frames();
  const good = rawFrame(0x10, 0, 1, cborgEncode({ op: "ping" }));
  const badCrc = Uint8Array.from(good);
  badCrc[good.length - 1] ^= 0x55;
  const truncated = good.subarray(0, 6);
  const cobsBroken = Uint8Array.of(0x05, 0x11, 0x22, 0x00); // code says 4 bytes follow, 2 do
  const oversized = new Uint8Array(MAX_FRAME + 50).fill(0x41);
  const v2 = rawFrame(0x20, 0, 2, cborgEncode({ op: "ping" }));
  d.feed(Uint8Array.from([0, 0, 0])); // empty frames: ignored, not counted
  d.feed(wire(badCrc));
  d.feed(wire(truncated));
  d.feed(cobsBroken);
  d.feed(Uint8Array.from([...oversized, 0]));
  d.feed(wire(v2));
  // A wire frame whose COBS is fine but decodes past maxFrame also counts as oversize.
  d.feed(wire(new Uint8Array(MAX_FRAME + 1).fill(7)));
  assert.deepEqual(d.frames(), []);
  const c = counters(d, 9);
  // rx 1 is the info request itself; tx 1 the boot event.
  assert.deepEqual(c, { rx: 1, tx: 1, crc: 1, body: 0, cobs: 1, retry: 0, short: 1, channel: 0, version: 1, oversize: 2 });
  // The receiver is in sync again: the next request is answered.
  assert.deepEqual(d.call(0, 10, { op: "ping", data: Uint8Array.of(1) }).body, { data: Uint8Array.of(1) });
});

test("ping echoes 900 bytes, also when fed one byte at a time", async () => {
  const d = await Device.boot();
  const data = Uint8Array.from({ length: 900 }, (_, i) => (i * 7 + 3) & 0xff);
  for (const chunk of [undefined, 1, 3]) {
    const f = d.call(0, 100 + (chunk ?? 0), { op: "ping", data }, chunk);
    assert.equal(f.flags, RESP);
    assert.deepEqual(f.body, { data });
  }
  assert.deepEqual(d.call(0, 5, { op: "ping" }).body, { data: new Uint8Array(0) });
});

test("a retry with the same seq is answered from the cache, byte for byte, and counted", async () => {
  const d = await Device.boot();
  const first = d.call(1, 42, { op: "status" });
  assert.deepEqual(first.body, { demo: false, mode: "plaque", board: "sim-plaque", state: "blank" });
  d.nowMs = 5000n;
  const again = d.call(0, 42, { op: "info" }); // other channel: its own cache, runs
  assert.equal(again.body.uptime, 5000);
  d.nowMs = 9000n;
  const retried = d.call(0, 42, { op: "info" });
  assert.deepEqual(retried.bodyBytes, again.bodyBytes, "answered from the cache, not executed again");
  assert.equal(retried.body.uptime, 5000);
  assert.deepEqual(d.call(1, 42, { op: "status" }).bodyBytes, first.bodyBytes);
  const c = counters(d, 43);
  assert.equal(c.retry, 2);
  assert.equal(c.rx, 5);
});

test("only a true retry is replayed: the same seq with other bytes runs, and a hello forgets the old session's answers", async () => {
  const d = await Device.boot();
  assert.deepEqual(d.call(0, 7, { op: "ping", data: Uint8Array.of(0xaa) }).body, { data: Uint8Array.of(0xaa) });
  // A new request that happens to reuse the seq (another host session, a random first seq).
  assert.deepEqual(d.call(0, 7, { op: "ping", data: Uint8Array.of(0xbb) }).body, { data: Uint8Array.of(0xbb) }, "executed, not the cached AA");
  const before = d.call(1, 11, { op: "status" });
  assert.equal(d.call(0, 12, { op: "hello", v: [1], max: MAX_FRAME }).flags, RESP);
  d.nowMs = 7000n;
  // The same app-channel request, byte for byte, in the new session: run again, not replayed.
  const after = d.call(1, 11, { op: "status" });
  assert.deepEqual(after.body, before.body);
  const c = counters(d, 13);
  assert.equal(c.retry, 0, "nothing was answered from the cache");
  assert.equal(c.rx, 6, "ping, ping, status, hello, status, info");
});

test("unknown channel and non-level requests on the log channel answer unknown-channel", async () => {
  const d = await Device.boot();
  const f = d.call(9, 3, { op: "ping" });
  assert.deepEqual([f.channel, f.flags, f.seq], [9, RESP | ERR, 3]);
  assert.equal(f.body.code, "unknown-channel");
  assert.equal(typeof f.body.msg, "string");
  const g = d.call(2, 4, { op: "ping" });
  assert.deepEqual([g.channel, g.flags, g.body.code], [2, RESP | ERR, "unknown-channel"]);
  const lvl = d.call(2, 5, { op: "level", level: 3 });
  assert.deepEqual([lvl.flags, lvl.body], [RESP, {}]);
  const c = counters(d, 6);
  assert.equal(c.channel, 2);
  assert.equal(c.rx, 2, "level and info");
});

test("bodies breaking the decoder rules answer bad-body; unknown ops and bad arguments are named", async () => {
  const d = await Device.boot();
  const bad: [string, Uint8Array][] = [
    ["array, not a map", cborgEncode([1, 2])],
    ["indefinite map", Uint8Array.of(0xbf, 0x62, 0x6f, 0x70, 0x64, 0x69, 0x6e, 0x66, 0x6f, 0xff)],
    ["float value", Uint8Array.of(0xa1, 0x61, 0x78, 0xf9, 0x3c, 0x00)],
    ["tag", Uint8Array.of(0xa1, 0x61, 0x78, 0xc1, 0x01)],
    ["duplicate key", Uint8Array.of(0xa2, 0x61, 0x78, 0x01, 0x61, 0x78, 0x02)],
    ["integer key", Uint8Array.of(0xa1, 0x01, 0x02)],
    ["truncated", Uint8Array.of(0xa1, 0x62, 0x6f)],
    ["trailing bytes", Uint8Array.of(0xa0, 0x00)],
    ["bad UTF-8", Uint8Array.of(0xa1, 0x61, 0x78, 0x62, 0xc3, 0x28)],
  ];
  d.frames();
  let seq = 200;
  for (const [why, body] of bad) {
    d.feed(wire(rawFrame(0x10, 0, seq, body)));
    const [f] = d.frames();
    assert.ok(f, why);
    assert.deepEqual([f.seq, f.flags, f.body.code], [seq, RESP | ERR, "bad-body"], why);
    seq++;
  }
  // Unsorted keys are accepted.
  d.feed(wire(rawFrame(0x10, 0, seq++, Uint8Array.of(0xa2, 0x64, 0x64, 0x61, 0x74, 0x61, 0x41, 0x09, 0x62, 0x6f, 0x70, 0x64, 0x70, 0x69, 0x6e, 0x67))));
  assert.deepEqual(d.frames()[0].body, { data: Uint8Array.of(9) });
  const unknown = d.call(0, seq++, { op: "fly" });
  assert.deepEqual([unknown.flags, unknown.body.code], [RESP | ERR, "unknown-op"]);
  const noOp = d.call(0, seq++, {});
  assert.equal(noOp.body.code, "bad-arg");
  const badArg = d.call(0, seq++, { op: "sink", data: "text" });
  assert.deepEqual(badArg.body, { msg: "data: bytes required", code: "bad-arg" });
  assert.equal(counters(d, seq++).body, bad.length);
});

test("frames with flags set are not requests: counted as rx, not answered", async () => {
  const d = await Device.boot();
  d.frames();
  d.feed(wire(rawFrame(0x10, RESP, 1, cborgEncode({ op: "info" }))));
  assert.deepEqual(d.frames(), []);
  assert.equal(counters(d, 2).rx, 2);
});

test("answers survive a UART that takes a few bytes per call: the rest leaves on tk_tick", async () => {
  const d = await Device.boot();
  d.frames();
  d.uartAccept = 5;
  const data = new Uint8Array(300).fill(0xab);
  d.feed(request(0, 77, { op: "ping", data }));
  assert.deepEqual(d.frames(), []);
  for (let i = 0; i < 100; i++) d.tick();
  const frames: Frame[] = d.frames();
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0].body, { data });
});

test("results that exceed the frame size answer too-large; hello's max lowers the limit", async () => {
  const d = await Device.boot();
  assert.equal(d.call(0, 1, { op: "hello", v: [1], max: 64 }).flags, RESP);
  const f = d.call(0, 2, { op: "ping", data: new Uint8Array(100) });
  assert.deepEqual([f.flags, f.body.code], [RESP | ERR, "too-large"]);
  // The answer frame itself respects the host's maximum.
  assert.ok(f.bodyBytes.length + 8 <= 64);
});

test("the largest request is accepted and its answer stays within the wire limit", async () => {
  const d = await Device.boot();
  d.frames();
  // header 4 + map 1 + "op" 3 + "ping" 5 + "data" 5 + bytes head 3 + data + CRC 4 = maxFrame
  const data = new Uint8Array(MAX_FRAME - 25).fill(0x11);
  const req = request(0, 3, { op: "ping", data });
  assert.equal(req.length, MAX_FRAME + Math.ceil(MAX_FRAME / 254) + 1);
  const before = d.uart.length;
  d.feed(req);
  const [f] = d.frames();
  assert.deepEqual(f.body, { data });
  assert.ok(d.uart.length - before <= MAX_FRAME + Math.ceil(MAX_FRAME / 254) + 1);
});
