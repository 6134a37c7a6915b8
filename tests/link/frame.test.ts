// Frame encoding checked byte by byte against outside oracles (zlib.crc32, cborg), and every
// receiver rule of docs/link-protocol.md exercised with hand-made broken wire bytes.
import { test } from "vitest";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { decode as cborgDecode } from "cborg";
import { cobsDecode, cobsEncode } from "../../host-tools/src/link/cobs.ts";
import {
  buildRawFrame,
  CHANNEL,
  encodeFrame,
  FLAGS,
  FrameReceiver,
  maxWireLength,
  wireFromRaw,
  type Frame,
  type FrameHeader,
} from "../../host-tools/src/link/frame.ts";

const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

/** Raw frame assembled by hand with zlib's CRC, so the receiver is not checked against our own encoder. */
function handRaw(byte0: number, flags: number, seq: number, body: Uint8Array): Uint8Array {
  const head = Buffer.from([byte0, flags, seq & 0xff, seq >> 8]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(zlib.crc32(Buffer.concat([head, body])));
  return Uint8Array.from(Buffer.concat([head, body, crc]));
}
const wire = (raw: Uint8Array) => cat(cobsEncode(raw), Uint8Array.of(0));

test("constants match the doc", () => {
  assert.deepEqual({ ...CHANNEL }, { SHELL: 0, APP: 1, LOG: 2, NFC_TEST: 3, BOOT: 4 });
  assert.deepEqual({ ...FLAGS }, { RESP: 1, ERR: 2, EVENT: 4 });
  assert.equal(maxWireLength(1024), 1024 + Math.ceil(1024 / 254) + 1);
});

test("encodeFrame lays out header, CBOR body and little-endian CRC, COBS-encoded with one trailing 00", () => {
  const w = encodeFrame({ channel: CHANNEL.NFC_TEST, flags: FLAGS.RESP | FLAGS.ERR, seq: 0x1234, body: { code: "bad-arg", msg: "c" } });
  assert.equal(w[w.length - 1], 0);
  assert.equal(w.subarray(0, -1).indexOf(0), -1);
  const raw = cobsDecode(w.subarray(0, -1));
  assert.deepEqual([...raw.subarray(0, 4)], [0x13, 0x03, 0x34, 0x12]);
  const body = raw.subarray(4, -4);
  assert.deepEqual(cborgDecode(body), { code: "bad-arg", msg: "c" });
  assert.equal(Buffer.from(raw).readUInt32LE(raw.length - 4), zlib.crc32(raw.subarray(0, -4)));
  assert.deepEqual(raw, handRaw(0x13, 3, 0x1234, body));
});

test("an empty body object is sent as A0, and no body as zero bytes", () => {
  assert.deepEqual([...buildRawFrame({ channel: 0, flags: 0, seq: 1, body: {} }).subarray(4, -4)], [0xa0]);
  assert.equal(buildRawFrame({ channel: 0, flags: 0, seq: 1 }).length, 8);
});

test("header fields out of range are refused", () => {
  assert.throws(() => encodeFrame({ channel: 16, flags: 0, seq: 0 }), RangeError);
  assert.throws(() => encodeFrame({ channel: 0, flags: 256, seq: 0 }), RangeError);
  assert.throws(() => encodeFrame({ channel: 0, flags: 0, seq: 65536 }), RangeError);
});

function randomFrames(count: number): Frame[] {
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
  return Array.from({ length: count }, () => ({
    channel: rnd(16),
    flags: rnd(8),
    seq: rnd(65536),
    body: { op: "sink", data: Uint8Array.from({ length: rnd(600) }, () => (rnd(4) === 0 ? 0 : rnd(256))), n: rnd(100000) },
  }));
}

test("round trip: a stream of frames fed whole, byte by byte and in random chunks", () => {
  const frames = randomFrames(40);
  const stream = cat(...frames.map((f) => encodeFrame(f)));
  for (const chunking of ["whole", "bytes", "random"] as const) {
    const rx = new FrameReceiver();
    const got: Frame[] = [];
    if (chunking === "whole") got.push(...rx.push(stream));
    else {
      let i = 0;
      let k = 1;
      while (i < stream.length) {
        const n = chunking === "bytes" ? 1 : (k = (k * 31 + 17) % 97) + 1;
        got.push(...rx.push(stream.subarray(i, i + n)));
        i += n;
      }
    }
    assert.deepEqual(got, frames, chunking);
    assert.deepEqual(rx.counters, { rx: 40, oversize: 0, cobs: 0, short: 0, crc: 0, version: 0, body: 0 });
  }
});

test("receiver accepts frames built by hand with zlib's CRC", () => {
  const rx = new FrameReceiver();
  const body = Buffer.from("a1626f706470696e67", "hex"); // {"op":"ping"}
  const [f] = rx.push(wire(handRaw(0x10, 0, 513, body)));
  assert.deepEqual(f, { channel: 0, flags: 0, seq: 513, body: { op: "ping" } });
});

const good = (seq: number) => encodeFrame({ channel: 1, flags: 0, seq, body: { op: "status" } });
const seqs = (frames: Frame[]) => frames.map((f) => f.seq);

test("rule 2: empty frames are ignored and not counted", () => {
  const rx = new FrameReceiver();
  assert.deepEqual(seqs(rx.push(cat(Uint8Array.of(0, 0, 0), good(1), Uint8Array.of(0, 0), good(2)))), [1, 2]);
  assert.deepEqual(rx.counters, { rx: 2, oversize: 0, cobs: 0, short: 0, crc: 0, version: 0, body: 0 });
});

test("rule 1: an oversized frame is dropped up to the next 00 and counted once", () => {
  const rx = new FrameReceiver({ maxFrame: 64 });
  const big = encodeFrame({ channel: 0, flags: 0, seq: 9, body: { data: new Uint8Array(300).fill(5) } });
  assert.deepEqual(seqs(rx.push(cat(good(1), big, good(2)))), [1, 2]);
  assert.equal(rx.counters.oversize, 1);
  assert.equal(rx.counters.rx, 2);
});

test("rule 1: a frame exactly at maxFrame passes, one byte more does not", () => {
  const maxFrame = 300; // > 254, so COBS can pack maxFrame+1 raw bytes into the encoded limit
  const exact = buildRawFrame({ channel: 0, flags: 0, seq: 3, body: { d: new Uint8Array(maxFrame - 8 - 6) } });
  assert.equal(exact.length, maxFrame);
  const over = buildRawFrame({ channel: 0, flags: 0, seq: 4, body: { d: new Uint8Array(maxFrame - 8 - 5) } });
  assert.equal(over.length, maxFrame + 1);
  const rx = new FrameReceiver({ maxFrame });
  assert.deepEqual(seqs(rx.push(cat(wireFromRaw(exact), wireFromRaw(over), good(5)))), [3, 5]);
  assert.equal(rx.counters.oversize, 1);
});

test("rule 3: a COBS code byte pointing past the end counts as cobs", () => {
  const rx = new FrameReceiver();
  assert.deepEqual(seqs(rx.push(cat(Uint8Array.of(0x09, 0x11, 0x22, 0), good(1)))), [1]);
  assert.equal(rx.counters.cobs, 1);
});

test("rule 4: a raw frame under 8 bytes counts as short", () => {
  const rx = new FrameReceiver();
  rx.push(wire(Uint8Array.of(0x10, 0, 1, 0, 0xaa, 0xbb, 0xcc)));
  assert.equal(rx.counters.short, 1);
  assert.equal(rx.counters.rx, 0);
});

test("rule 5: a flipped bit anywhere in the raw frame counts as crc", () => {
  const raw = buildRawFrame({ channel: 0, flags: 0, seq: 77, body: { op: "ping", data: Uint8Array.of(1, 2, 3) } });
  const rx = new FrameReceiver();
  for (let i = 0; i < raw.length; i++) {
    const bad = raw.slice();
    bad[i]! ^= 0x10;
    assert.deepEqual(rx.push(wire(bad)), [], `byte ${i}`);
  }
  assert.equal(rx.counters.crc, raw.length);
  assert.equal(rx.counters.rx, 0);
});

test("truncated frame (delimiter arrives early) is dropped", () => {
  const w = good(1);
  const rx = new FrameReceiver();
  assert.deepEqual(seqs(rx.push(cat(w.subarray(0, w.length - 4), Uint8Array.of(0), good(2)))), [2]);
  assert.equal(rx.counters.rx, 1);
  assert.equal(rx.counters.crc + rx.counters.cobs + rx.counters.short, 1);
});

test("rule 6: version nibble other than 1 counts as version, even with a valid CRC", () => {
  const rx = new FrameReceiver();
  for (const byte0 of [0x20, 0x00, 0xf3]) rx.push(wire(handRaw(byte0, 0, 1, Buffer.from("a0", "hex"))));
  assert.equal(rx.counters.version, 3);
  assert.equal(rx.counters.rx, 0);
});

test("rule 8: a body breaking the decoder rules counts as body and reports the header", () => {
  const bad: Array<[FrameHeader, string]> = [];
  const rx = new FrameReceiver({ onBadBody: (h, reason) => bad.push([h, reason]) });
  rx.push(wire(handRaw(0x13, 0, 42, Buffer.from("a16161f93c00", "hex")))); // float
  rx.push(wire(handRaw(0x10, 0, 43, Buffer.from("83010203", "hex")))); // array, not a map
  assert.equal(rx.counters.body, 2);
  assert.deepEqual(
    bad.map(([h]) => h),
    [
      { channel: 3, flags: 0, seq: 42 },
      { channel: 0, flags: 0, seq: 43 },
    ],
  );
  assert.match(bad[0]![1], /float/);
});

test("garbage between frames is counted and the frames around it survive", () => {
  const rx = new FrameReceiver();
  const garbage = Uint8Array.from("line noise: hello world\r\n", (c) => c.charCodeAt(0));
  assert.deepEqual(seqs(rx.push(cat(good(1), garbage, Uint8Array.of(0), good(2)))), [1, 2]);
  assert.equal(rx.counters.rx, 2);
  assert.equal(rx.counters.cobs + rx.counters.short + rx.counters.crc, 1);
});

test("garbage without a delimiter costs the next frame only; the receiver resynchronises after it", () => {
  const rx = new FrameReceiver();
  const garbage = Uint8Array.of(0x41, 0x42, 0x43, 0x7f, 0x80);
  assert.deepEqual(seqs(rx.push(cat(garbage, good(1), good(2), good(3)))), [2, 3]);
  assert.equal(rx.counters.rx, 2);
  assert.equal(rx.counters.cobs + rx.counters.short + rx.counters.crc, 1);
});

test("receiver resynchronises after a long run of garbage without any 00", () => {
  const rx = new FrameReceiver({ maxFrame: 128 });
  const noise = Uint8Array.from({ length: 5000 }, (_, i) => ((i * 7) % 255) + 1);
  assert.deepEqual(seqs(rx.push(cat(noise, Uint8Array.of(0), good(1)))), [1]);
  assert.equal(rx.counters.oversize, 1);
});
