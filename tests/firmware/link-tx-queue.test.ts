// The link's small-RAM paths, driven through the firmware's real exports: a request larger
// than the 512-byte mailbox arriving over several tk_link_rx calls, a shell handing over more
// than the mailbox holds, answers COBS-encoded piecewise as a slow UART takes them (checked
// byte for byte against the paper's encoder in the harness), and requests that arrive while
// their channel's cached answer is still leaving the UART. Oracles: zlib.crc32 and cborg
// through the harness, and the paper's COBS.
import { test } from "vitest";
import assert from "node:assert/strict";
import { Device, IO_CAPACITY, MAX_FRAME, SIM_CARD, SIM_PLAQUE, cobsDecode, cobsEncode, request } from "./firmware-harness.ts";

const RESP = 1;

function counters(d: Device, seq: number): Record<string, number> {
  const f = d.call(0, seq, { op: "info" });
  assert.equal(f.flags, RESP);
  return f.body.link;
}

/** The device's wire bytes since `from`, split at each 00 (the delimiters dropped). */
function wireFrames(d: Device, from: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = from;
  for (let i = from; i < d.uart.length; i++) {
    if (d.uart[i] !== 0) continue;
    if (i > start) out.push(Uint8Array.from(d.uart.slice(start, i)));
    start = i + 1;
  }
  return out;
}

test("a 1 KiB request reaches the 512-byte mailbox in pieces and is answered in full", async () => {
  const d = await Device.boot(SIM_CARD);
  assert.equal(d.exports.tk_io_capacity(), IO_CAPACITY);
  const data = Uint8Array.from({ length: MAX_FRAME - 25 }, (_, i) => (i * 13 + 1) & 0xff);
  const req = request(0, 9, { op: "ping", data });
  assert.ok(req.length > 2 * IO_CAPACITY, `${req.length} bytes need three calls`);
  const f = d.call(0, 9, { op: "ping", data }, IO_CAPACITY);
  assert.deepEqual(f.body, { data });
});

test("a shell handing over more than the mailbox holds is refused: no answer, oversize counted, a warning, in sync again", async () => {
  const d = await Device.boot();
  d.frames();
  const req = request(0, 3, { op: "ping", data: new Uint8Array(600).fill(5) });
  assert.ok(req.length > IO_CAPACITY);
  const box = d.exports.tk_io_buffer();
  new Uint8Array(d.memory.buffer).set(req.subarray(0, IO_CAPACITY), box);
  d.exports.tk_link_rx(req.length);
  // The rest of the same frame follows in legal pieces: it belongs to the refused frame.
  d.feed(req.subarray(IO_CAPACITY));
  assert.deepEqual(
    d.frames().filter((f) => f.flags & RESP),
    [],
  );
  assert.ok(
    d.consoleLines.some((l) => l.level === 1 && /over the mailbox capacity/.test(l.text)),
    JSON.stringify(d.consoleLines),
  );
  assert.deepEqual(new Uint8Array(d.memory.buffer, box, IO_CAPACITY), new Uint8Array(IO_CAPACITY), "the mailbox is wiped");
  const c = counters(d, 4);
  assert.equal(c.oversize, 1);
  assert.equal(c.rx, 1, "only the info request ran");
});

test("answers leave a slow UART byte for byte as the paper's COBS encodes them, across 254-byte blocks and 00 runs", async () => {
  const d = await Device.boot();
  // Zeros at block edges, a 254-byte run, a run that ends the frame on a full block.
  const data = new Uint8Array(900).fill(0x11);
  for (const z of [0, 1, 253, 254, 255, 508, 509, 600, 601, 602]) data[z] = 0;
  let seq = 50;
  for (const accept of [1, 7, 127, 128, 129, 1000]) {
    d.frames();
    const from = d.uart.length;
    d.uartAccept = accept;
    d.feed(request(0, seq, { op: "ping", data }));
    for (let i = 0; i < 2000 && wireFrames(d, from).length === 0; i++) d.tick();
    const sent = wireFrames(d, from);
    assert.equal(sent.length, 1, `accept ${accept}`);
    const raw = cobsDecode(sent[0]);
    assert.deepEqual(sent[0], cobsEncode(raw), `accept ${accept}: the paper's encoding of the same frame`);
    const [f] = d.frames();
    assert.equal(f.seq, seq);
    assert.deepEqual(f.body, { data }, `accept ${accept}`);
    seq++;
  }
  d.uartAccept = Infinity;
  // Frame lengths that end exactly on a full COBS block, with and without a 00 after it.
  for (const n of [254 - 17, 254 - 16, 254 * 2 - 17]) {
    const body = new Uint8Array(n).fill(0x22);
    const from = d.uart.length;
    const f = d.call(0, seq, { op: "ping", data: body });
    assert.deepEqual(f.body, { data: body });
    const [enc] = wireFrames(d, from);
    assert.deepEqual(enc, cobsEncode(cobsDecode(enc)), `payload ${n}`);
    seq++;
  }
});

test("a request finding no room while answers are still leaving is not run; its retry runs exactly once after the line drains", async () => {
  const d = await Device.boot();
  const value = Uint8Array.from({ length: 500 }, (_, i) => i & 0xff);
  assert.deepEqual(d.call(1, 19, { op: "store.put", k: 9, v: value }).body, {});
  d.frames();
  d.uartAccept = 0; // the line takes nothing for now
  // An answer longer than the TX staging: the rest is read from the cache arena later.
  const first = request(1, 20, { op: "store.get", k: 9 });
  d.feed(first);
  // The next app request may need a whole frame, and the arena's free end has less.
  d.feed(request(1, 21, { op: "store.ctr", id: 5 }));
  // A retry of the first is answered from the cache (queued again), not run again.
  d.feed(first);
  // A shell request may need a whole frame too: not run either.
  d.feed(request(0, 22, { op: "ping", data: Uint8Array.of(7) }));
  // nfc-test answers are at most 526 bytes: that fits behind, and is answered.
  d.feed(request(3, 23, { op: "field", on: false }));
  assert.deepEqual(d.frames(), [], "nothing has left yet");
  d.uartAccept = 3;
  for (let i = 0; i < 2000; i++) d.tick();
  const got = d.frames();
  assert.deepEqual(
    got.map((f) => [f.channel, f.seq]),
    [
      [1, 20],
      [1, 20],
      [3, 23],
    ],
  );
  assert.deepEqual(got[0].body, { v: value });
  assert.deepEqual(got[1].bodyBytes, got[0].bodyBytes);
  d.uartAccept = Infinity;
  // The host's retries (same seq and bytes) now run: the counter moves once.
  assert.deepEqual(d.call(1, 21, { op: "store.ctr", id: 5 }).body, { v: 1 });
  assert.deepEqual(d.call(1, 21, { op: "store.ctr", id: 5 }).body, { v: 1 }, "and its own retry is replayed");
  assert.deepEqual(d.call(1, 24, { op: "store.ctr", id: 5, read: true }).body, { v: 1 });
  assert.deepEqual(d.call(0, 22, { op: "ping", data: Uint8Array.of(7) }).body, { data: Uint8Array.of(7) });
  const c = counters(d, 25);
  assert.equal(c.retry, 2);
});

test("an answer evicted for a larger one is never replaced by a second run: its retry is answered busy, the same way each time", async () => {
  const d = await Device.boot();
  const ctr = d.call(1, 30, { op: "store.ctr", id: 6 });
  assert.deepEqual(ctr.body, { v: 1 });
  const data = new Uint8Array(900).fill(0x5a);
  assert.deepEqual(d.call(0, 31, { op: "ping", data }).body, { data });
  // nfc-test needs room for a 526-byte answer: the arena (a frame + 384) keeps 942 bytes of
  // answers, so the oldest give way, the counter's first.
  const field = d.call(3, 32, { op: "field", on: false });
  assert.deepEqual(field.body, {});
  const retried = d.call(1, 30, { op: "store.ctr", id: 6 });
  assert.equal(retried.flags, RESP | 2);
  assert.equal(retried.seq, 30);
  assert.equal(retried.body.code, "busy");
  assert.match(retried.body.msg, /ran; its answer was evicted/);
  assert.deepEqual(d.call(1, 30, { op: "store.ctr", id: 6 }).bodyBytes, retried.bodyBytes, "the busy answer is now the cached one");
  assert.deepEqual(d.call(1, 33, { op: "store.ctr", id: 6, read: true }).body, { v: 1 }, "the counter moved once");
  assert.equal(d.call(0, 31, { op: "ping", data }).body.code, "busy", "the ping's answer went too");
  // The newest answer was kept: replayed byte for byte.
  assert.deepEqual(d.call(3, 32, { op: "field", on: false }).bodyBytes, field.bodyBytes);
  const c = counters(d, 34);
  assert.equal(c.retry, 4);
});

test("log events queued among held answers keep their order and bytes; events that find no room are dropped whole", async () => {
  const d = await Device.boot(SIM_PLAQUE);
  d.frames();
  d.uartAccept = 0;
  // level 3 (debug): field changes are logged, one from inside a request's handler.
  d.feed(request(2, 1, { op: "level", level: 3 }));
  d.feed(request(3, 2, { op: "field", on: true }));
  d.exports.tk_nfc_field(0);
  d.feed(request(0, 3, { op: "ping", data: Uint8Array.of(1, 0, 2) }));
  d.uartAccept = 5;
  for (let i = 0; i < 500; i++) d.tick();
  const got = d.frames();
  assert.deepEqual(
    got.map((f) => [f.channel, f.flags, f.flags === 4 ? f.body.msg : f.seq]),
    [
      [2, RESP, 1],
      [2, 4, "nfc field on"],
      [3, RESP, 2],
      [2, 4, "nfc field off"],
      [0, RESP, 3],
    ],
  );
  // A burst of events on a stalled line: what does not fit is dropped whole, never cut.
  d.uartAccept = 0;
  for (let i = 0; i < 40; i++) d.exports.tk_nfc_field(i % 2 === 0 ? 1 : 0);
  d.uartAccept = Infinity;
  d.tick();
  const burst = d.frames(); // parses every frame: a cut one fails its CRC
  assert.ok(burst.length >= 4 && burst.length < 40, `${burst.length} events`);
  burst.forEach((f, i) => assert.equal(f.body.msg, i % 2 === 0 ? "nfc field on" : "nfc field off"));
  assert.equal(d.call(0, 4, { op: "ping" }).seq, 4);
});

test("the log channel answers `recent` with a full ring of the longest refusals (its answer room covers it)", async () => {
  for (const board of [SIM_PLAQUE, SIM_CARD]) {
    const d = await Device.boot(board);
    // Nine refusals whose text is cut at the ring's 59 bytes: the ring keeps the last 8.
    for (let i = 0; i < 9; i++) {
      const f = d.call(1, 100 + i, { op: `${"x".repeat(40)}${i}` });
      assert.equal(f.flags & 2, 2, `unknown op ${i} is answered ERR`);
    }
    const f = d.call(2, 7, { op: "recent" });
    assert.equal(f.flags, RESP, `recent answered OK on ${board.name}: ${JSON.stringify(f.body)}`);
    assert.equal(f.body.total, 9);
    assert.equal(f.body.recent.length, 8);
    for (const r of f.body.recent) assert.equal(r.msg.length, 59, r.msg);
  }
});
