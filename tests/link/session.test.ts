// LinkSession against a fake device built on our frame codec over an in-process pipe:
// hello, seq handling, retries with the same seq, timeouts, ERR answers, events, windowed bulk.
// Timeouts are set small and only counts are asserted, never durations.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createStreamPair } from "../../host-tools/src/link/transport.ts";
import { LinkSession, type SessionOptions } from "../../host-tools/src/link/session.ts";
import { CHANNEL, encodeFrame, maxWireLength } from "../../host-tools/src/link/frame.ts";
import { FakeDevice, type FakeDeviceOptions } from "./fake-device.ts";
import { rejectsWith } from "./link-assertions.ts";

async function setup(device: FakeDeviceOptions = {}, session: SessionOptions = {}) {
  const [host, dev] = createStreamPair(["host", "device"]);
  const fake = new FakeDevice(dev, device);
  const s = await LinkSession.open(host, { timeoutMs: 200, ...session });
  return { s, fake };
}

test("open flushes with 00, says hello {v:[1], max, n} with a fresh nonce per session and records the device", async () => {
  const { s, fake } = await setup({ max: 512 }, { maxFrame: 2048 });
  assert.equal(fake.bytesIn[0], 0);
  assert.equal(fake.requests.length, 1);
  const { n, ...hello } = fake.requests[0]!.body as { n: number };
  assert.deepEqual(hello, { op: "hello", v: [1], max: 2048 });
  assert.ok(Number.isInteger(n) && n >= 0 && n < 2 ** 32, `nonce ${n} is a u32`);
  const other = await setup({ max: 512 }, { maxFrame: 2048 });
  assert.notEqual((other.fake.requests[0]!.body as { n: number }).n, n, "two sessions, two nonces: a new session's hello is never a retry of an old one");
  await other.s.close();
  assert.equal(fake.requests[0]!.channel, CHANNEL.SHELL);
  assert.equal(fake.requests[0]!.flags, 0);
  assert.deepEqual(s.device, { v: 1, max: 512, board: "fake", fw: "0.0.1", abi: 1, shell: "1" });
  await s.close();
});

test("ping round trip returns the device's result map", async () => {
  const { s } = await setup();
  const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const r = await s.request(CHANNEL.SHELL, "ping", { data });
  assert.deepEqual(r.data, data);
  assert.deepEqual(await s.request(CHANNEL.SHELL, "ping"), {});
  const st = s.stats;
  assert.equal(st.framesSent, 3);
  assert.equal(st.framesReceived, 3);
  assert.equal(st.receiver.rx, 3);
  await s.close();
});

test("every new request gets a new seq, and seq wraps from 0xFFFF to 0", async () => {
  const { s, fake } = await setup({}, { firstSeq: 0xfffe });
  await s.request(CHANNEL.SHELL, "ping");
  await s.request(CHANNEL.SHELL, "ping");
  assert.deepEqual(
    fake.requests.map((f) => f.seq),
    [0xfffe, 0xffff, 0],
  );
  await s.close();
});

test("seq allocation skips values still outstanding", async () => {
  const { s, fake } = await setup({}, { firstSeq: 100 });
  const silent = s.request(CHANNEL.SHELL, "silent", {}, { timeoutMs: 60_000, retries: 0 });
  assert.equal(fake.requests.length, 1);
  // Burn the remaining seq space so the counter comes round to the outstanding 101.
  const session = s as unknown as { allocSeq(): number };
  for (let i = 0; i < 0xffff; i++) session.allocSeq();
  await s.request(CHANNEL.SHELL, "ping");
  const seqs = fake.requests.map((f) => f.seq);
  assert.deepEqual(seqs.slice(0, 2), [100, 101]);
  assert.equal(seqs[2], 102, "the ping must not reuse the outstanding seq 101");
  await s.close();
  await rejectsWith(silent, "LINK_CLOSED");
});

test("lost requests are retried with the same seq", async () => {
  const { s, fake } = await setup({}, { timeoutMs: 30, retries: 3 });
  fake.dropRequests = 2;
  await s.request(CHANNEL.SHELL, "ping", { data: Uint8Array.of(1) });
  const pings = fake.requests.filter((f) => f.body.op === "ping");
  assert.equal(pings.length, 3);
  assert.equal(new Set(pings.map((f) => f.seq)).size, 1);
  assert.equal(s.stats.retries, 2);
  await s.close();
});

test("lost answers: the retry is answered from the device's replay store, not executed twice", async () => {
  const { s, fake } = await setup({}, { timeoutMs: 30, retries: 3 });
  fake.dropAnswers = 1;
  const r = await s.request(CHANNEL.SHELL, "sink", { data: new Uint8Array(10) });
  assert.deepEqual(r, { n: 10 });
  assert.equal(fake.executed.get("sink"), 1);
  assert.equal(fake.replayed, 1);
  await s.close();
});

test("a device that never answers gives timeout after retries, all with one seq", async () => {
  const { s, fake } = await setup({}, { timeoutMs: 20, retries: 2 });
  const err = await rejectsWith(s.request(CHANNEL.SHELL, "silent"), "TIMEOUT");
  assert.match(err.message, /3 attempt/);
  assert.equal(err.exitCode, 5);
  const silent = fake.requests.filter((f) => f.body.op === "silent");
  assert.equal(silent.length, 3);
  assert.equal(new Set(silent.map((f) => f.seq)).size, 1);
  assert.equal(s.stats.timeouts, 1);
  assert.equal(s.stats.retries, 2);
  await s.close();
});

test("ERR answers become device-error with the device's code and message", async () => {
  const { s } = await setup();
  const err = await rejectsWith(s.request(CHANNEL.APP, "fail", { amount: 0 }), "DEVICE_ERROR");
  assert.equal(err.details.deviceCode, "bad-arg");
  assert.equal(err.details.deviceMsg, "amount: must be > 0");
  const unknown = await rejectsWith(s.request(CHANNEL.APP, "nope"), "DEVICE_ERROR");
  assert.equal(unknown.details.deviceCode, "unknown-op");
  await s.close();
});

test("EVENT frames reach onEvent listeners", async () => {
  const { s, fake } = await setup();
  const events: unknown[] = [];
  const off = s.onEvent((ev) => events.push(ev));
  await s.request(CHANNEL.SHELL, "log", { msg: "booted" });
  // The event is written before the answer, so it has arrived by now.
  assert.deepEqual(events, [{ channel: CHANNEL.LOG, seq: 0, body: { level: 2, msg: "booted", t: 1234 } }]);
  off();
  await fake.emitLog(1, "ignored");
  await s.request(CHANNEL.SHELL, "ping");
  assert.equal(events.length, 1);
  await s.close();
});

test("bulk keeps several requests outstanding and returns results in order", async () => {
  const { s, fake } = await setup();
  const items = Array.from({ length: 30 }, (_, i) => ({ data: new Uint8Array(i * 7) }));
  const progress: Array<[number, number]> = [];
  const results = await s.bulk(CHANNEL.SHELL, "sink", items, { window: 8, onProgress: (d, t) => progress.push([d, t]) });
  assert.deepEqual(
    results,
    items.map((_, i) => ({ n: i * 7 })),
  );
  assert.ok(fake.maxOutstanding > 1, `device saw at most ${fake.maxOutstanding} outstanding`);
  assert.ok(fake.maxOutstanding <= 8, `window exceeded: ${fake.maxOutstanding}`);
  assert.equal(progress.length, 30);
  assert.deepEqual(progress.at(-1), [30, 30]);
  assert.equal(fake.executed.get("sink"), 30);
  await s.close();
});

test("bulk with window 1 is stop-and-wait", async () => {
  const { s, fake } = await setup();
  await s.bulk(
    CHANNEL.SHELL,
    "sink",
    Array.from({ length: 5 }, () => ({ data: new Uint8Array(3) })),
    { window: 1 },
  );
  assert.equal(fake.maxOutstanding, 1);
  await s.close();
});

test("bulk survives lost requests through per-request retries", async () => {
  const { s, fake } = await setup({}, { timeoutMs: 30 });
  fake.dropRequests = 3;
  const results = await s.bulk(
    CHANNEL.SHELL,
    "sink",
    Array.from({ length: 12 }, (_, i) => ({ data: new Uint8Array(i) })),
  );
  assert.deepEqual(
    results.map((r) => r.n),
    Array.from({ length: 12 }, (_, i) => i),
  );
  assert.ok(s.stats.retries >= 1);
  await s.close();
});

test("bulk rejects with the first failure", async () => {
  const { s } = await setup();
  await rejectsWith(s.bulk(CHANNEL.APP, "fail", [{}, {}, {}]), "DEVICE_ERROR");
  await s.close();
});

test("a request larger than the device's maxFrame is refused before sending", async () => {
  const { s, fake } = await setup({ max: 64 });
  assert.equal(s.maxBody, 64 - 8);
  // {data: h'..'(40), op: "ping"} is 1 + 5 + 2 + 40 + 3 + 5 = 56 bytes of CBOR: exactly maxBody.
  await s.request(CHANNEL.SHELL, "ping", { data: new Uint8Array(40) });
  await rejectsWith(s.request(CHANNEL.SHELL, "ping", { data: new Uint8Array(41) }), "TOO_LARGE");
  assert.equal(fake.requests.length, 2);
  await s.close();
});

test("default per-attempt timeout is 500 ms plus twice the line time of request and largest response", async () => {
  const { s } = await setup({ max: 1024 }, { timeoutMs: undefined, baud: 9600 });
  const expected = 500 + 2 * (((20 + maxWireLength(1024)) * 10 * 1000) / 9600);
  assert.equal(s.attemptTimeoutMs(20), expected);
  await s.close();
});

test("open fails with not-tapkit when nothing answers hello", async () => {
  const [host, dev] = createStreamPair();
  dev.onData(() => {});
  await rejectsWith(LinkSession.open(host, { timeoutMs: 20, retries: 1 }), "NOT_TAPKIT");
  await host.close();
});

test("open fails with not-tapkit when the device sends only garbage, and says so", async () => {
  const [host, dev] = createStreamPair();
  dev.onData(() => void dev.write(Uint8Array.from("AT+OK\r\n\0", (c) => c.charCodeAt(0))));
  const err = await rejectsWith(LinkSession.open(host, { timeoutMs: 20, retries: 1 }), "NOT_TAPKIT");
  assert.match(err.message, /unreadable/);
  assert.match(err.hint, /baud/);
  await host.close();
});

test("open fails with unsupported-version when the device answers a different version", async () => {
  const [host, dev] = createStreamPair();
  new FakeDevice(dev, { helloVersion: 2 });
  await rejectsWith(LinkSession.open(host, { timeoutMs: 200 }), "UNSUPPORTED_VERSION");
  await host.close();
});

test("closing the session fails outstanding requests with closed", async () => {
  const { s } = await setup();
  const p = s.request(CHANNEL.SHELL, "silent", {}, { timeoutMs: 60_000 });
  await s.close();
  await rejectsWith(p, "LINK_CLOSED");
  await rejectsWith(s.request(CHANNEL.SHELL, "ping"), "LINK_CLOSED");
});

test("the peer closing the link fails outstanding requests", async () => {
  const { s, fake } = await setup();
  const p = s.request(CHANNEL.SHELL, "silent", {}, { timeoutMs: 60_000 });
  await fake.transport.close();
  await rejectsWith(p, "LINK_CLOSED");
});

test("sendRaw injects corrupt frames; the device counts them and the session keeps working", async () => {
  const { s, fake } = await setup();
  const w = encodeFrame({ channel: 0, flags: 0, seq: 5, body: { op: "ping" } });
  w[3]! ^= 0x01;
  await s.sendRaw(w);
  await s.sendRaw(encodeFrame({ channel: 0, flags: 0, seq: 6, body: Uint8Array.of(0x83, 1, 2, 3) }));
  await s.request(CHANNEL.SHELL, "ping");
  assert.equal(fake.receiver.counters.crc + fake.receiver.counters.cobs, 1);
  assert.equal(fake.receiver.counters.body, 1);
  // The device answered the bad body with bad-body on seq 6, which the session had not sent as a request.
  assert.equal(s.stats.unmatched, 1);
  await s.close();
});

test("request bodies put op last so arguments cannot override it", async () => {
  const { s, fake } = await setup();
  await s.request(CHANNEL.SHELL, "ping", { op: "reset" } as Record<string, unknown>);
  assert.equal(fake.requests.at(-1)!.body.op, "ping");
  await s.close();
});
