// Conformance: the board shell as bootloader, through its boot channel (docs/boot.md,
// docs/link-protocol.md "boot channel"). Only refusals and read-only ops: a case never
// installs anything, so it runs on a lab's device without the maker's signing key. Each
// refusal must name its code and a hint and leave the slots as they were. On a device whose
// shell serves no boot channel these cases do not apply (n/a, with that reason).
import { assert } from "../check.ts";
import { createHash } from "node:crypto";
import type { CaseContext, ConformanceCase } from "../case.ts";
import { CHANNEL, crc32, LinkError, type Body } from "../../host-tools/src/link/index.ts";
import { encodeHeader, encodeManifestPayload, joinImage, manifestLength, signManifest } from "../../host-tools/src/image/index.ts";
import { COSE_ALG_EDDSA, signerFromSecret } from "../../host-tools/src/cose/sig-alg.ts";
import { freshSeq, sendAndCollect, wire } from "./raw-link.ts";

const area = "image";

/** A boot request; a device ERR answer comes back as {code, msg, hint} instead of throwing. */
async function boot(ctx: CaseContext, op: string, args: Body = {}): Promise<{ ok: Body } | { code: string; msg: string; hint: string }> {
  try {
    return { ok: await ctx.device.session.request(CHANNEL.BOOT, op, args) };
  } catch (e) {
    if (e instanceof LinkError && e.code === "DEVICE_ERROR") {
      if (e.details.deviceCode === "unknown-channel") ctx.notApplicable("this shell serves no boot channel (not a bootloader shell)");
      return { code: e.details.deviceCode ?? "", msg: e.details.deviceMsg ?? "", hint: e.hint };
    }
    throw e;
  }
}

async function slots(ctx: CaseContext): Promise<string> {
  const r = await boot(ctx, "slots");
  assert.ok("ok" in r, `slots answered ${JSON.stringify(r)}`);
  return JSON.stringify(r.ok, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v));
}

/** An image for this board signed by a key made up from the case's seed (so no device trusts it). */
function strangerImage(ctx: CaseContext, board: string, module = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)): Uint8Array {
  const key = signerFromSecret(COSE_ALG_EDDSA, ctx.random.fill(new Uint8Array(32)));
  const payload = encodeManifestPayload({
    board,
    version: [0, 0, 1],
    halAbi: 1,
    securityCounter: 0xffff,
    moduleSize: module.length,
    moduleSha256: createHash("sha256").update(module).digest(),
  });
  const header = encodeHeader(manifestLength(key, payload), module.length);
  return joinImage(header, signManifest(key, payload, header), module);
}

const headOf = (img: Uint8Array) => img.subarray(0, new DataView(img.buffer, img.byteOffset).getUint32(12, true));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest();

/** Sends a refused request and checks the refusal names a code and a hint and changed no slot. */
async function refusedUnchanged(ctx: CaseContext, op: string, args: Body, codes: string[]): Promise<void> {
  const before = await slots(ctx);
  const r = await boot(ctx, op, args);
  assert.ok(!("ok" in r), `${op} must be refused, got ${JSON.stringify("ok" in r ? r.ok : r)}`);
  assert.ok(codes.includes(r.code), `refusal code ${r.code} (${r.msg}), expected one of ${codes.join(", ")}`);
  assert.ok(r.msg.length > 10, "the refusal gives a reason");
  assert.ok(r.hint.length > 10 && r.hint !== "see the device's message; `bad-arg` names the argument at fault", "the refusal gives the shell's own hint");
  assert.equal(await slots(ctx), before, "nothing changed in the slots");
  ctx.note("code", r.code);
}

export const IMAGE_CASES: ConformanceCase[] = [
  {
    id: "IMG-001",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "the shell answers hello on the boot channel with the board, HAL ABI 1 and its max frame",
    async run(ctx) {
      const r = await boot(ctx, "hello", { v: [1], n: 1 + ctx.random.below(1e9) });
      assert.ok("ok" in r);
      assert.equal(r.ok.v, 1);
      assert.equal(r.ok.board, ctx.board);
      assert.equal(r.ok.abi, 1);
      assert.ok(Number(r.ok.max) >= 64);
      ctx.note("fw", String(r.ok.fw));
    },
  },
  {
    id: "IMG-002",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "slots lists two slots with valid states, at most one active, and a chunk size that fits a frame",
    async run(ctx) {
      const r = await boot(ctx, "slots");
      assert.ok("ok" in r);
      const list = r.ok.slots as Body[];
      assert.equal(list.length, 2);
      const states = ["empty", "partial", "pending", "active", "confirmed", "rejected"];
      for (const s of list) assert.ok(states.includes(String(s.state)), `state ${String(s.state)}`);
      assert.ok(list.filter((s) => s.state === "active").length <= 1);
      const chunk = Number(r.ok.chunk);
      assert.ok(chunk >= 16 && chunk % 16 === 0 && chunk + 56 <= ctx.device.hello.max, `chunk ${chunk}`);
      assert.ok(Number.isInteger(r.ok.counter));
      ctx.note("running", String(r.ok.running));
      ctx.note("counter", Number(r.ok.counter));
    },
  },
  {
    id: "IMG-003",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "an unsigned module (bare Wasm) is refused at upload.begin and nothing changes",
    async run(ctx) {
      const module = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
      await refusedUnchanged(ctx, "upload.begin", { sha: sha(module), len: module.length, head: module }, ["IMAGE_BAD_MAGIC", "BOOT_NO_ANCHOR"]);
    },
  },
  {
    id: "IMG-004",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "an image signed by an unknown key is refused at upload.begin and nothing changes",
    async run(ctx) {
      const img = strangerImage(ctx, ctx.board);
      await refusedUnchanged(ctx, "upload.begin", { sha: sha(img), len: img.length, head: headOf(img) }, ["IMAGE_UNKNOWN_KEY", "BOOT_NO_ANCHOR"]);
    },
  },
  {
    id: "IMG-005",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "an image naming another board is refused at upload.begin (by its key or its board) and nothing changes",
    async run(ctx) {
      const img = strangerImage(ctx, ctx.board === "sim-card" ? "sim-plaque" : "sim-card");
      await refusedUnchanged(ctx, "upload.begin", { sha: sha(img), len: img.length, head: headOf(img) }, [
        "IMAGE_WRONG_BOARD",
        "IMAGE_UNKNOWN_KEY",
        "BOOT_NO_ANCHOR",
      ]);
    },
  },
  {
    id: "IMG-006",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "a torn image header (bad CRC) is refused and nothing changes",
    async run(ctx) {
      const img = strangerImage(ctx, ctx.board).slice();
      img[28] ^= 0xff;
      await refusedUnchanged(ctx, "upload.begin", { sha: sha(img), len: img.length, head: headOf(img) }, ["IMAGE_HEADER_CRC", "BOOT_NO_ANCHOR"]);
    },
  },
  {
    id: "IMG-007",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "an image larger than a slot is refused before anything is erased",
    async run(ctx) {
      const img = strangerImage(ctx, ctx.board).slice();
      const v = new DataView(img.buffer);
      const big = 0x4000_0000;
      v.setUint32(16, big - v.getUint32(12, true), true);
      v.setUint32(20, big, true);
      v.setUint32(28, crc32(img.subarray(0, 28)), true);
      await refusedUnchanged(ctx, "upload.begin", { sha: sha(img), len: big, head: headOf(img) }, ["IMAGE_TOO_LARGE", "BOOT_NO_ANCHOR"]);
    },
  },
  {
    id: "IMG-008",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "a chunk without an upload session is refused and nothing changes",
    async run(ctx) {
      await refusedUnchanged(ctx, "upload.chunk", { sid: 12345, off: 0, data: new Uint8Array(16) }, ["BOOT_NO_UPLOAD", "BOOT_BUSY"]);
    },
  },
  {
    id: "IMG-009",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "boot-channel retries are idempotent: the same seq and bytes get the same stored answer",
    async run(ctx) {
      await boot(ctx, "slots"); // n/a when the shell serves no boot channel: two equal refusals prove nothing
      const seq = freshSeq();
      const frame = wire({ channel: CHANNEL.BOOT, flags: 0, seq, body: { op: "slots" } });
      const first = await sendAndCollect(ctx.device, frame, seq, { expect: 1 });
      const again = await sendAndCollect(ctx.device, frame, seq, { expect: 1 });
      assert.equal(first.length, 1);
      assert.equal(again.length, 1);
      assert.deepEqual(again[0].body, first[0].body);
    },
  },
  {
    id: "IMG-010",
    area,
    ref: "docs/boot.md; docs/link-protocol.md (boot channel)",
    tags: ["update", "boot"],
    title: "frames for the firmware pass the shell unchanged around boot-channel traffic",
    async run(ctx) {
      await boot(ctx, "slots");
      const probe = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) & 0xff);
      assert.deepEqual(await ctx.device.ping(probe), probe);
      await boot(ctx, "slots");
      assert.equal((await ctx.device.info()).board, ctx.board);
    },
  },
];
