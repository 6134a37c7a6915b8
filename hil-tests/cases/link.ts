// Conformance: link protocol v1 (docs/link-protocol.md) as seen from the host: version
// exchange, framing, each receiver rule with its counter, error answers, idempotent retries,
// and that the device keeps answering after every kind of bad input.
import assert from "../check.ts";
import type { ConformanceCase } from "../case.ts";
import { CHANNEL, FLAGS, buildRawFrame, crc32, encodeBody, maxWireLength, wireFromRaw } from "../../host-tools/src/link/index.ts";
import { freshSeq, sendAndCollect, wire, withCounterDeltas } from "./raw-link.ts";

const area = "link";

async function stillAnswers(device: Parameters<ConformanceCase["run"]>[0]["device"]): Promise<void> {
  const probe = Uint8Array.of(0x00, 0x01, 0xfe, 0xff);
  assert.deepEqual(await device.ping(probe), probe, "device must answer a normal ping after bad input");
}

export const LINK_CASES: ConformanceCase[] = [
  {
    id: "LINK-001",
    area,
    ref: "docs/link-protocol.md §Operations (hello)",
    tags: ["hello"],
    title: "hello: version exchange reports protocol 1, ABI 1, board and max frame",
    async run({ device, note }) {
      const h = device.hello;
      assert.equal(h.v, 1, "protocol version");
      assert.equal(h.abi, 1, "HAL ABI version");
      assert.ok(typeof h.board === "string" && h.board.length > 0, "board name");
      assert.ok(typeof h.fw === "string" && /^\d+\.\d+\.\d+/.test(h.fw), `firmware version '${h.fw}' is semver`);
      assert.ok(h.max >= 64 && h.max <= 4096, `max frame ${h.max} within 64..4096`);
      note("board", h.board);
      note("maxFrame", h.max);
    },
  },
  {
    id: "LINK-002",
    area,
    ref: "docs/link-protocol.md §Operations (ping)",
    tags: ["ping", "boundary"],
    title: "ping echoes payloads of 0, 1 and the largest size that fits one frame",
    async run({ device, note }) {
      // {"data": bstr(n), "op": "ping"} costs 17 bytes around the payload.
      const largest = device.session.maxBody - 17;
      for (const n of [0, 1, 255, largest]) {
        const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
        assert.deepEqual(await device.ping(data), data, `echo of ${n} bytes`);
      }
      note("largestPing", largest);
    },
  },
  {
    id: "LINK-003",
    area,
    ref: "docs/link-protocol.md §Receiver rules",
    tags: ["framing", "crc", "recovery"],
    title: "a frame with a bad CRC is dropped, counted as crc, and not answered",
    async run({ device }) {
      const { result: answers, delta } = await withCounterDeltas(device, async () => {
        const seq = freshSeq();
        const raw = buildRawFrame({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op: "ping" } });
        raw[raw.length - 1] ^= 0x5a;
        return await sendAndCollect(device, wireFromRaw(raw), seq, { waitMs: 800 });
      });
      assert.equal(answers.length, 0, "no answer to a corrupted frame");
      assert.equal(delta("crc"), 1, "crc counter +1");
      await stillAnswers(device);
    },
  },
  {
    id: "LINK-004",
    area,
    ref: "docs/link-protocol.md §Receiver rules",
    tags: ["framing", "oversize", "recovery"],
    title: "an oversized frame is discarded up to the next delimiter and counted as oversize",
    async run({ device, note }) {
      const n = maxWireLength(device.hello.max) + 64;
      const junk = new Uint8Array(n).fill(0x41);
      junk[n - 1] = 0;
      const seq = freshSeq();
      const { result: answers, delta } = await withCounterDeltas(device, () => sendAndCollect(device, junk, seq, { waitMs: 500 }));
      assert.equal(answers.length, 0);
      assert.equal(delta("oversize"), 1, "oversize counter +1");
      note("sentBytes", n);
      await stillAnswers(device);
    },
  },
  {
    id: "LINK-005",
    area,
    ref: "docs/link-protocol.md §Frames on the wire",
    tags: ["framing", "boundary"],
    title: "a raw frame of exactly max frame bytes is accepted; one byte more is rejected",
    async run({ device }) {
      const max = device.hello.max;
      const sized = (extra: number) => {
        // Grow the ping payload until the raw frame is max + extra bytes.
        for (let n = max - 40; n < max; n++) {
          const seq = freshSeq();
          const raw = buildRawFrame({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op: "ping", data: new Uint8Array(n) } });
          if (raw.length === max + extra) return { seq, raw };
        }
        throw new Error(`could not size a frame to ${max + extra} bytes`);
      };
      const fits = sized(0);
      const ok = await sendAndCollect(device, wireFromRaw(fits.raw), fits.seq, { expect: 1 });
      assert.equal(ok.length, 1, "a max-size frame is answered");
      assert.equal(ok[0].flags & FLAGS.ERR, 0, "without error");
      const { result: answers, delta } = await withCounterDeltas(device, async () => {
        const over = sized(1);
        return await sendAndCollect(device, wireFromRaw(over.raw), over.seq, { waitMs: 600 });
      });
      assert.equal(answers.length, 0, "a frame one byte over max is not answered");
      assert.equal(delta("oversize"), 1, "oversize counter +1");
    },
  },
  {
    id: "LINK-006",
    area,
    ref: "docs/link-protocol.md §Receiver rules",
    tags: ["framing", "recovery"],
    title: "a truncated frame (cut cable) is rejected and the next frame is answered",
    async run({ device }) {
      const { result: answers, delta } = await withCounterDeltas(device, async () => {
        const seq = freshSeq();
        const full = wire({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op: "ping", data: new Uint8Array(40).fill(9) } });
        const cut = new Uint8Array(full.subarray(0, 20).length + 1);
        cut.set(full.subarray(0, 20));
        cut[cut.length - 1] = 0;
        return await sendAndCollect(device, cut, seq, { waitMs: 600 });
      });
      assert.equal(answers.length, 0);
      const rejected = ["cobs", "short", "crc"].reduce((n, k) => n + delta(k), 0);
      assert.equal(rejected, 1, "exactly one of cobs/short/crc counted");
      await stillAnswers(device);
    },
  },
  {
    id: "LINK-007",
    area,
    ref: "docs/link-protocol.md §Receiver rules",
    tags: ["framing", "recovery"],
    title: "garbage between frames: the device resynchronises at the next delimiter",
    async run({ device }) {
      const seq = freshSeq();
      const garbage = Uint8Array.from({ length: 300 }, (_, i) => ((i * 37) % 255) + 1);
      const good = wire({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op: "ping", data: Uint8Array.of(1, 2, 3) } });
      const bytes = new Uint8Array(garbage.length + 1 + good.length);
      bytes.set(garbage);
      bytes[garbage.length] = 0;
      bytes.set(good, garbage.length + 1);
      const answers = await sendAndCollect(device, bytes, seq, { expect: 1 });
      assert.equal(answers.length, 1, "the good frame after garbage is answered");
      assert.deepEqual(answers[0].body.data, Uint8Array.of(1, 2, 3));
    },
  },
  {
    id: "LINK-008",
    area,
    ref: "docs/link-protocol.md §Channels",
    tags: ["errors"],
    title: "unknown channel is answered with ERR unknown-channel and counted",
    async run({ device }) {
      const { result: answers, delta } = await withCounterDeltas(device, async () => {
        const seq = freshSeq();
        return await sendAndCollect(device, wire({ channel: 9, flags: 0, seq, body: { op: "ping" } }), seq, { expect: 1 });
      });
      assert.equal(answers.length, 1, "one answer");
      assert.equal(answers[0].channel, 9);
      assert.equal(answers[0].flags, FLAGS.RESP | FLAGS.ERR);
      assert.equal(answers[0].body.code, "unknown-channel");
      assert.equal(delta("channel"), 1, "channel counter +1");
    },
  },
  {
    id: "LINK-009",
    area,
    ref: "docs/link-protocol.md §Requests and responses; RFC 8949 §3",
    tags: ["errors", "cbor"],
    title: "a body that is not a CBOR map is answered with ERR bad-body",
    async run({ device }) {
      const bodies = [Uint8Array.of(0x83, 1, 2, 3), Uint8Array.of(0xbf, 0xff), Uint8Array.of(0xa1, 0x61)];
      const { result: answers, delta } = await withCounterDeltas(device, async () => {
        const all = [];
        for (const body of bodies) {
          const seq = freshSeq();
          all.push(await sendAndCollect(device, wire({ channel: CHANNEL.SHELL, flags: 0, seq, body }), seq, { expect: 1 }));
        }
        return all;
      });
      answers.forEach((a, i) => {
        assert.equal(a.length, 1, `answer to body ${Buffer.from(bodies[i]).toString("hex")}`);
        assert.equal(a[0].body.code, "bad-body");
      });
      assert.equal(delta("body"), 3, "body counter +3");
    },
  },
  {
    id: "LINK-010",
    area,
    ref: "docs/link-protocol.md §Requests and responses",
    tags: ["errors"],
    title: "an unknown operation is answered with ERR unknown-op naming it",
    async run({ device }) {
      const seq = freshSeq();
      const answers = await sendAndCollect(device, wire({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op: "no-such-op" } }), seq, { expect: 1 });
      assert.equal(answers.length, 1);
      assert.equal(answers[0].body.code, "unknown-op");
    },
  },
  {
    id: "LINK-011",
    area,
    ref: "docs/link-protocol.md §Requests and responses (retries)",
    tags: ["retry"],
    title: "a retried request (same seq) gets the same answer and is not executed twice",
    async run({ device }) {
      const seq = freshSeq();
      const frame = wire({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op: "ping", data: Uint8Array.of(7) } });
      const {
        result: [first, second],
        delta,
      } = await withCounterDeltas(device, async () => [
        await sendAndCollect(device, frame, seq, { expect: 1 }),
        await sendAndCollect(device, frame, seq, { expect: 1 }),
      ]);
      assert.equal(first.length, 1);
      assert.equal(second.length, 1);
      assert.deepEqual(encodeBody(second[0].body), encodeBody(first[0].body), "identical answer");
      assert.equal(delta("retry"), 1, "retry counter +1");
    },
  },
  {
    id: "LINK-012",
    area,
    ref: "docs/link-protocol.md §Receiver rules",
    tags: ["framing", "version"],
    title: "a frame with an unknown protocol version is dropped and counted",
    async run({ device }) {
      const { result: answers, delta } = await withCounterDeltas(device, async () => {
        const seq = freshSeq();
        const raw = buildRawFrame({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op: "ping" } });
        raw[0] = (2 << 4) | CHANNEL.SHELL;
        // Recompute the CRC so only the version is wrong.
        const c = crc32(raw.subarray(0, raw.length - 4));
        new DataView(raw.buffer, raw.byteOffset).setUint32(raw.length - 4, c, true);
        return await sendAndCollect(device, wireFromRaw(raw), seq, { waitMs: 600 });
      });
      assert.equal(answers.length, 0);
      assert.equal(delta("version"), 1, "version counter +1");
      await stillAnswers(device);
    },
  },
  {
    id: "LINK-013",
    area,
    ref: "docs/link-protocol.md §Requests and responses (window)",
    tags: ["window"],
    title: "windowed requests (8 outstanding) are all answered in order",
    async run({ device, note }) {
      const items = Array.from({ length: 32 }, (_, i) => ({ data: new Uint8Array(200).fill(i) }));
      const results = await device.bulk("sink", items, { window: 8 });
      assert.equal(results.length, 32);
      for (const r of results) assert.equal(r.n, 200);
      note("requests", 32);
    },
  },
];
