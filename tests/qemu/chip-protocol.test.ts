// The host side of the peripheral protocol (docs/peripheral-protocol.md) without QEMU: frame
// bytes against hand-built frames and the CRC catalogue's check value, the command table
// against the C header and the docs, retries answered from the chip's cache, and each chip's
// commands checked by outside oracles (@noble signatures, RFC 4493 CMAC, SP 800-38A AES,
// node:crypto SHA-256). The C side of the same protocol is exercised by qemu-board.test.ts.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { ROOT } from "../../host-tools/src/paths.ts";
import { BoardChips } from "../../host-tools/src/sim/peripherals/board-chips.ts";
import { ChipFrameDecoder, crc16, encodeChipFrame } from "../../host-tools/src/sim/peripherals/chip-frame.ts";
import {
  CHIP_MAX_BODY,
  CHIP_OPS,
  CHIP_PROTOCOL_VERSION,
  NFC_EVENT,
  OP_ATTENTION,
  OP_HELLO,
  OP_NFC_ANSWER,
  OP_NFC_POLL,
  commandBody,
} from "../../host-tools/src/sim/peripherals/chip-ops.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import { ChipClient, inBytes, inPtr, out, outPtr, u32 } from "./chip-client.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const OP = Object.fromEntries(CHIP_OPS.map((o) => [o.macro, o.op]));
const board = loadBoard("qemu-m4");

async function withChips(t: { onTestFinished(fn: () => unknown): void }, opts: { blank?: boolean; nfcAnswerTimeoutMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-chips-"));
  const chips = new BoardChips(board, { stateDir: join(dir, "state"), ...opts });
  const paths = await chips.listen(dir);
  const clients: ChipClient[] = [];
  t.onTestFinished(async () => {
    clients.forEach((c) => c.close());
    await chips.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const connect = async (name: keyof typeof paths) => {
    const c = await ChipClient.connect(paths[name]);
    clients.push(c);
    return c;
  };
  return { chips, dir, connect };
}

test("frames: CRC-16/CCITT-FALSE check value, SLIP escapes as RFC 1055, damaged frames dropped and counted, resync at END", () => {
  assert.equal(crc16(new TextEncoder().encode("123456789")), 0x29b1);
  // HELLO, seq 7, capacity 32: CRC from Python's binascii.crc_hqx(..., 0xFFFF) = 0x7102.
  assert.equal(toHex(encodeChipFrame(0x01, 7, hex("2000"))), "c001072000" + "0271" + "c0");
  // END (C0) and ESC (DB) inside a frame become DB DC and DB DD; CRC 0xCE86.
  const escaped = encodeChipFrame(0x99, 0xc0, hex("00000000 dbc0"));
  assert.equal(toHex(escaped), "c0" + "99dbdc" + "00000000" + "dbdddbdc" + "86ce" + "c0");

  const d = new ChipFrameDecoder(CHIP_MAX_BODY);
  const got = [...escaped].flatMap((b) => d.push(Uint8Array.of(b)));
  assert.deepEqual(
    got.map((f) => [f.op, f.seq, toHex(f.body)]),
    [[0x99, 0xc0, "00000000dbc0"]],
  );
  const damaged = escaped.slice();
  damaged[4] ^= 0x01;
  assert.deepEqual(d.push(damaged), []);
  assert.equal(d.bad, 1);
  // garbage without a frame boundary, then a good frame: the garbage is one bad frame, the good one survives
  const next = d.push(Uint8Array.from([0x41, 0x42, 0x43, ...encodeChipFrame(0x01, 9, hex("2000"))]));
  assert.deepEqual(
    next.map((f) => f.seq),
    [9],
  );
  assert.equal(d.bad, 2);
  assert.deepEqual(d.push(new Uint8Array(CHIP_MAX_BODY + 100).fill(0x55)), []);
  assert.deepEqual(d.push(Uint8Array.of(0xc0)), [], "an oversized frame is dropped at its END");
  assert.equal(d.bad, 3);
});

test("the command table is the same in chip-ops.ts, shells/cortex-m/chip-ops.h and docs/peripheral-protocol.md", () => {
  const header = readFileSync(join(ROOT, "shells/cortex-m/chip-ops.h"), "utf8");
  const defines = Object.fromEntries([...header.matchAll(/#define (\w+) (0x[0-9A-Fa-f]+|\d+)u?\b/g)].map((m) => [m[1], Number(m[2])]));
  for (const op of CHIP_OPS) assert.equal(defines[op.macro], op.op, `${op.macro} in chip-ops.h`);
  const headerOps = Object.keys(defines).filter((k) => k.startsWith("OP_") && k !== "OP_RESPONSE" && k !== "OP_ATTENTION");
  assert.deepEqual(headerOps.sort(), CHIP_OPS.map((o) => o.macro).sort(), "no command only on one side");
  assert.equal(defines.OP_ATTENTION, OP_ATTENTION);
  assert.equal(defines.CHIP_PROTOCOL_VERSION, CHIP_PROTOCOL_VERSION);
  assert.equal(defines.CHIP_MAX_BODY, CHIP_MAX_BODY);
  for (const [name, n] of Object.entries({
    NONE: NFC_EVENT.none,
    FIELD_OFF: NFC_EVENT.fieldOff,
    FIELD_ON: NFC_EVENT.fieldOn,
    APDU: NFC_EVENT.apdu,
    T2T: NFC_EVENT.t2t,
  })) {
    assert.equal(defines[`NFC_EVENT_${name}`], n, `NFC_EVENT_${name}`);
  }
  const doc = readFileSync(join(ROOT, "docs/peripheral-protocol.md"), "utf8");
  for (const op of CHIP_OPS) {
    const code = `0x${op.op.toString(16).padStart(2, "0").toUpperCase()}`;
    const row = doc.split("\n").find((l) => l.startsWith(`| \`${code}\``));
    assert.ok(row, `docs table has a row for ${code} (${op.macro})`);
    assert.ok(row.includes(op.hal ?? op.macro.replace(/^OP_/, "")), `row ${code} names ${op.hal ?? op.macro}: ${row}`);
    for (const kind of op.args) assert.ok(row.includes(kind), `row ${code} lists a ${kind} argument`);
  }
});

test("a chip runs each command once: a retry (same seq, same bytes) is answered from its cache; bad frames get no answer", async (t) => {
  const { chips, connect } = await withChips(t);
  const nor = await connect("nor");
  const hello = await nor.call(OP_HELLO, [out(32)]);
  assert.equal(hello.result, CHIP_PROTOCOL_VERSION);
  assert.match(new TextDecoder().decode(hello.data), /^tapkit-nor\/1/);

  const erase = [u32(0), u32(3)];
  assert.equal((await nor.call(OP.OP_FLASH_ERASE, erase)).result, 0);
  assert.equal(chips.flash.eraseCount(0, 3), 1);
  const again = await nor.call(OP.OP_FLASH_ERASE, erase, nor.lastSeq);
  assert.equal(again.result, 0, "the retry gets the same answer");
  assert.equal(chips.flash.eraseCount(0, 3), 1, "and the page was not erased twice");
  assert.equal(chips.ports.nor.counts.retries, 1);
  await nor.call(OP.OP_FLASH_ERASE, erase);
  assert.equal(chips.flash.eraseCount(0, 3), 2, "a new seq runs again");

  assert.equal((await nor.call(OP.OP_KS_INFO, [u32(0)])).result, -8, "a secure-element command to the NOR chip: E_UNSUPPORTED");
  assert.equal((await nor.call(OP.OP_FLASH_ERASE, [u32(0)])).result, -1, "a body too short for the arguments: E_ARG");
  const frame = encodeChipFrame(OP.OP_FLASH_ERASE, 200, commandBody(erase));
  frame[3] ^= 0x40;
  nor.send(frame);
  assert.equal(await nor.next((f) => f.seq === 200, 300), null, "a frame with a bad CRC is not answered");
  assert.equal(chips.ports.nor.badFrames, 1);
  assert.equal(chips.flash.eraseCount(0, 3), 2);
});

test("the secure element signs, MACs, encrypts and hashes with keys that stay inside it (noble, RFC 4493, SP 800-38A, node:crypto)", async (t) => {
  const { chips, connect } = await withChips(t);
  const se = await connect("se");
  await se.call(OP_HELLO, [out(32)]);
  const msg = new TextEncoder().encode("pay 12.34 to shop-42");

  assert.equal((await se.call(OP.OP_KS_INFO, [u32(0)])).result, 1, "demo Ed25519 key in slot 0");
  const pub = await se.call(OP.OP_KS_PUBLIC_KEY, [u32(0), out(64)]);
  assert.equal(pub.result, 32);
  const sig = await se.call(OP.OP_KS_SIGN, [u32(0), inBytes(msg), out(64)]);
  assert.equal(sig.result, 64);
  assert.ok(ed25519.verify(sig.data, msg, pub.data), "Ed25519 signature verifies with @noble");
  const pPub = await se.call(OP.OP_KS_PUBLIC_KEY, [u32(1), out(65)]);
  const pSig = await se.call(OP.OP_KS_SIGN, [u32(1), inBytes(msg), out(64)]);
  assert.ok(p256.verify(pSig.data, msg, pPub.data, { prehash: true, format: "compact" }), "P-256 signature verifies with @noble");
  assert.equal((await se.call(OP.OP_KS_VERIFY, [u32(2), inBytes(pPub.data), inBytes(msg), inBytes(pSig.data)])).result, 1);
  assert.equal((await se.call(OP.OP_KS_VERIFY, [u32(2), inBytes(pPub.data), inBytes(hex("00")), inBytes(pSig.data)])).result, 0);

  const rfcKey = hex("2b7e151628aed2a6abf7158809cf4f3c");
  assert.equal((await se.call(OP.OP_KS_IMPORT, [u32(4), u32(3), inBytes(rfcKey)])).result, 0);
  assert.equal(toHex((await se.call(OP.OP_KS_CMAC, [u32(4), inBytes(new Uint8Array(0)), outPtr(16)])).data), "bb1d6929e95937287fa37d129b756746");
  assert.equal(
    toHex((await se.call(OP.OP_KS_CMAC, [u32(4), inBytes(hex("6bc1bee22e409f96e93d7e117393172a")), outPtr(16)])).data),
    "070a16b46b4d4144f79bdd9dd04a287c",
  );
  const ecb = await se.call(OP.OP_KS_AES, [u32(4), u32(0), inPtr(new Uint8Array(0)), inBytes(hex("6bc1bee22e409f96e93d7e117393172a")), outPtr(16)]);
  assert.equal(toHex(ecb.data), "3ad77bb40d7a3660a89ecaf32466ef97");
  const sha = await se.call(OP.OP_SHA256, [inBytes(msg), outPtr(32)]);
  assert.equal(toHex(sha.data), createHash("sha256").update(msg).digest("hex"));

  // The HAL's refusals, number for number.
  assert.equal((await se.call(OP.OP_KS_INFO, [u32(99)])).result, -2, "E_RANGE");
  assert.equal((await se.call(OP.OP_KS_SIGN, [u32(0), inBytes(msg), out(10)])).result, -11, "E_SPACE");
  assert.equal((await se.call(OP.OP_KS_SIGN, [u32(5), inBytes(msg), out(64)])).result, -5, "E_NO_KEY");

  // A session key derived into a volatile slot is gone when the MCU boots again (HELLO).
  assert.equal((await se.call(OP.OP_KS_DERIVE_CMAC, [u32(4), inBytes(hex("3cc30001")), u32(128)])).result, 0);
  assert.equal((await se.call(OP.OP_KS_INFO, [u32(128)])).result, 3);
  await se.call(OP_HELLO, [out(32)]);
  assert.equal((await se.call(OP.OP_KS_INFO, [u32(128)])).result, 0, "volatile slot wiped at boot");

  const r1 = await se.call(OP.OP_RANDOM, [out(32)]);
  const r2 = await se.call(OP.OP_RANDOM, [out(32)]);
  assert.equal(r1.result, 32);
  assert.notEqual(toHex(r1.data), toHex(r2.data));
  const time = await se.call(OP.OP_CLOCK_UNIX, [out(8)]);
  const unix = Number(new DataView(time.data.buffer, time.data.byteOffset).getBigUint64(0, true));
  assert.ok(Math.abs(unix - Date.now() / 1000) < 5, `trusted time ${unix}`);
  assert.ok(chips.halCalls.get("ks_sign")! >= 2);
});

test("the NOR chip keeps the NOR rule and writes through to the state directory; the e-paper chip reaches the panel", async (t) => {
  const { chips, dir, connect } = await withChips(t);
  const nor = await connect("nor");
  const geometry = await nor.call(OP.OP_FLASH_GEOMETRY, [u32(0), outPtr(16)]);
  const g = new DataView(geometry.data.buffer, geometry.data.byteOffset);
  assert.deepEqual(
    [0, 4, 8, 12].map((o) => g.getUint32(o, true)),
    [4096, 20, 4, 10000],
  );
  assert.equal((await nor.call(OP.OP_FLASH_PROGRAM, [u32(0), u32(8), inBytes(hex("0f0f0f0f"))])).result, 4);
  assert.equal((await nor.call(OP.OP_FLASH_PROGRAM, [u32(0), u32(8), inBytes(hex("ffffffff"))])).result, -3, "E_NOR: a 0 bit cannot go back to 1");
  assert.equal((await nor.call(OP.OP_FLASH_PROGRAM, [u32(0), u32(9), inBytes(hex("00000000"))])).result, -4, "E_ALIGN");
  const read = await nor.call(OP.OP_FLASH_READ, [u32(0), u32(6), out(6)]);
  assert.equal(toHex(read.data), "ffff0f0f0f0f");
  assert.equal(toHex(readFileSync(join(dir, "state", "flash-store.bin")).subarray(8, 12)), "0f0f0f0f", "written through to the state directory");
  assert.equal(chips.flash.norViolations, 1);

  const epd = await connect("epd");
  const eg = await epd.call(OP.OP_DISPLAY_GEOMETRY, [outPtr(16)]);
  assert.deepEqual(
    [0, 4, 8, 12].map((o) => new DataView(eg.data.buffer, eg.data.byteOffset).getUint32(o, true)),
    [200, 200, 1, 1],
  );
  assert.equal((await epd.call(OP.OP_DISPLAY_BLIT, [u32(8), u32(2), u32(8), u32(1), inBytes(hex("81"))])).result, 0);
  assert.equal(chips.panel!.pixel(8, 2), false, "not visible before a refresh");
  assert.equal((await epd.call(OP.OP_DISPLAY_REFRESH, [u32(0)])).result, 0);
  assert.deepEqual([chips.panel!.pixel(8, 2), chips.panel!.pixel(9, 2), chips.panel!.pixel(15, 2)], [true, false, true]);
  assert.equal((await epd.call(OP.OP_DISPLAY_BLIT, [u32(196), u32(0), u32(8), u32(1), inBytes(hex("ff"))])).result, -2, "E_RANGE off the panel");
});

test("NFC front-end: the reader's field and commands wait behind an ATTENTION until the MCU polls and answers; reboot, silence and a wrong personality fail them", async (t) => {
  const { chips, connect } = await withChips(t, { nfcAnswerTimeoutMs: 400 });
  const nfc = await connect("nfc");
  await nfc.call(OP_HELLO, [out(32)]);
  await assert.rejects(chips.nfc.nfcApdu(hex("00a4040007d276000085010100")), (e: unknown) => e instanceof TapkitError && e.code === "SIM_NFC_PERSONALITY");
  assert.equal((await nfc.call(OP.OP_NFC_CONFIGURE, [u32(3), inBytes(hex("04a1b2c3d4e5f8"))])).result, -1, "personality 3: E_ARG");
  assert.equal((await nfc.call(OP.OP_NFC_CONFIGURE, [u32(1), inBytes(hex("04a1b2"))])).result, -1, "a 3-byte UID: E_ARG");
  assert.equal((await nfc.call(OP.OP_NFC_CONFIGURE, [u32(1), inBytes(hex("04a1b2c3d4e5f8"))])).result, 0);

  chips.nfc.field(true);
  assert.ok(await nfc.next((f) => f.op === OP_ATTENTION), "the front-end raises its interrupt");
  assert.equal((await nfc.call(OP_NFC_POLL, [out(512)])).result, NFC_EVENT.fieldOn);
  assert.equal((await nfc.call(OP_NFC_POLL, [out(512)])).result, NFC_EVENT.none);

  const select = hex("00a4040007d276000085010100");
  const answered = chips.nfc.nfcApdu(select);
  assert.ok(await nfc.next((f) => f.op === OP_ATTENTION));
  const poll = await nfc.call(OP_NFC_POLL, [out(512)]);
  assert.equal(poll.result, NFC_EVENT.apdu);
  assert.equal(toHex(poll.data), toHex(select));
  assert.equal((await nfc.call(OP_NFC_ANSWER, [inBytes(hex("9000"))])).result, 0);
  assert.equal(toHex(await answered), "9000");

  const lost = chips.nfc.nfcApdu(select);
  await nfc.call(OP_NFC_POLL, [out(512)]);
  await nfc.call(OP_HELLO, [out(32)]);
  await assert.rejects(lost, (e: unknown) => e instanceof TapkitError && e.code === "SIM_TAG_LOST", "a reboot mid-command loses the tag");

  await nfc.call(OP.OP_NFC_CONFIGURE, [u32(2), inBytes(hex("04a1b2c3d4e5f8"))]);
  const t2t = chips.nfc.nfcT2t(hex("3000"));
  const p2 = await nfc.call(OP_NFC_POLL, [out(512)]);
  assert.equal(p2.result, NFC_EVENT.t2t);
  await nfc.call(OP_NFC_ANSWER, [inBytes(new Uint8Array(0))]);
  await assert.rejects(t2t, (e: unknown) => e instanceof TapkitError && e.code === "SIM_NFC_BAD_RESPONSE", "an empty answer is a failed exchange");
  const silent = chips.nfc.nfcT2t(hex("3004"));
  await assert.rejects(silent, (e: unknown) => e instanceof TapkitError && e.code === "SIM_TAG_LOST" && /400 ms/.test(e.message), "no answer in time");
  assert.equal((await nfc.call(OP_NFC_POLL, [out(512)])).result, NFC_EVENT.none, "the timed-out command left the queue");
});
