// Link protocol v1 receiver rules as tables (docs/link-protocol.md): every channel number
// the protocol leaves unassigned, bodies that are not a CBOR map (RFC 8949 major types and
// malformed items), unknown operation names, and ping payload sizes around the CBOR length
// boundaries. Each row sends exact bytes, checks the answer (or its absence) and the
// device's counter, and that the device still answers a normal request afterwards.
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";
import { CHANNEL, FLAGS } from "../../../host-tools/src/link/index.ts";
import { freshSeq, sendAndCollect, wire, withCounterDeltas } from "../raw-link.ts";

const area = "link";
const pad = (n: number) => String(n).padStart(3, "0");

async function stillAnswers(ctx: CaseContext): Promise<void> {
  const probe = Uint8Array.of(0x5a, 0x00, 0xa5);
  assert.deepEqual(await ctx.device.ping(probe), probe, "the device answers a normal ping afterwards");
}

// Channel 4 became the shell's boot channel (docs/boot.md): its case, LINK-CH-001, is
// retired rather than its id reused, so LINK-CH-002 stays channel 5 and so on.
const UNASSIGNED_CHANNELS = [5, 6, 7, 8, 10, 11, 12, 13, 14, 15];

const NOT_A_MAP: [string, number[]][] = [
  ["an array [1, 2, 3]", [0x83, 1, 2, 3]],
  ["an unsigned integer", [0x18, 0x2a]],
  ["a negative integer", [0x20]],
  ["a text string", [0x63, 0x61, 0x62, 0x63]],
  ["a byte string", [0x42, 1, 2]],
  ["null", [0xf6]],
  ["true", [0xf5]],
  ["a half float", [0xf9, 0x3c, 0x00]],
  ["a tagged map", [0xc1, 0xa0]],
  ["a map truncated after its key", [0xa1, 0x62, 0x6f, 0x70]],
  ["a map announcing 2 pairs with 1", [0xa2, 0x62, 0x6f, 0x70, 0x64, 0x70, 0x69, 0x6e, 0x67]],
  ["a map with a reserved additional info (0xbc)", [0xbc]],
];

const UNKNOWN_OPS = ["", "PING", "ping ", "nfc.apdu", "store.put.x", "x".repeat(40)];

const PING_SIZES = [2, 23, 24, 255, 256, 500];

export const LINK_TABLE_CASES: ConformanceCase[] = [
  ...UNASSIGNED_CHANNELS.map(
    (channel, i): ConformanceCase => ({
      id: `LINK-CH-${pad(i + 2)}`,
      area,
      title: `a request on unassigned channel ${channel} is answered ERR unknown-channel on that channel and counted`,
      ref: "docs/link-protocol.md §Channels, §Receiver rules",
      tags: ["link", "channel", "errors"],
      async run(ctx) {
        const { result: answers, delta } = await withCounterDeltas(ctx.device, async () => {
          const seq = freshSeq();
          return await sendAndCollect(ctx.device, wire({ channel, flags: 0, seq, body: { op: "ping" } }), seq, { expect: 1 });
        });
        assert.equal(answers.length, 1, "one answer");
        assert.equal(answers[0].channel, channel);
        assert.equal(answers[0].flags, FLAGS.RESP | FLAGS.ERR);
        assert.equal(answers[0].body.code, "unknown-channel");
        assert.equal(delta("channel"), 1, "channel counter +1");
        await stillAnswers(ctx);
      },
    }),
  ),
  ...NOT_A_MAP.map(
    ([what, body], i): ConformanceCase => ({
      id: `LINK-BODY-${pad(i + 1)}`,
      area,
      title: `a body that is ${what} is answered ERR bad-body and counted`,
      ref: "docs/link-protocol.md §Requests and responses; RFC 8949 §3 (major types), §3.3 (well-formedness)",
      tags: ["link", "cbor", "errors"],
      async run(ctx) {
        const { result: answers, delta } = await withCounterDeltas(ctx.device, async () => {
          const seq = freshSeq();
          return await sendAndCollect(ctx.device, wire({ channel: CHANNEL.SHELL, flags: 0, seq, body: Uint8Array.from(body) }), seq, { expect: 1 });
        });
        assert.equal(answers.length, 1, "one answer");
        assert.equal(answers[0].flags & FLAGS.ERR, FLAGS.ERR, "ERR flag");
        assert.equal(answers[0].body.code, "bad-body");
        assert.equal(delta("body"), 1, "body counter +1");
        await stillAnswers(ctx);
      },
    }),
  ),
  ...UNKNOWN_OPS.map(
    (op, i): ConformanceCase => ({
      id: `LINK-OP-${pad(i + 1)}`,
      area,
      title: `operation name ${JSON.stringify(op.length > 12 ? `${op.slice(0, 8)}…(${op.length})` : op)} on the shell channel is answered ERR unknown-op`,
      ref: "docs/link-protocol.md §Requests and responses, §Operations (v1)",
      tags: ["link", "errors"],
      async run(ctx) {
        const seq = freshSeq();
        const answers = await sendAndCollect(ctx.device, wire({ channel: CHANNEL.SHELL, flags: 0, seq, body: { op } }), seq, { expect: 1 });
        assert.equal(answers.length, 1, "one answer");
        assert.equal(answers[0].flags & FLAGS.ERR, FLAGS.ERR, "ERR flag");
        assert.equal(answers[0].body.code, "unknown-op");
        await stillAnswers(ctx);
      },
    }),
  ),
  ...PING_SIZES.map(
    (n, i): ConformanceCase => ({
      id: `LINK-PING-${pad(i + 1)}`,
      area,
      title: `ping echoes ${n} bytes exactly (CBOR byte-string length head boundary)`,
      ref: "docs/link-protocol.md §Operations (ping); RFC 8949 §3.1 (argument encoding)",
      tags: ["link", "ping", "boundary"],
      async run(ctx) {
        const data = Uint8Array.from({ length: n }, (_, k) => (k * 31 + n) & 0xff);
        assert.deepEqual(await ctx.device.ping(data), data, `echo of ${n} bytes`);
      },
    }),
  ),
];
