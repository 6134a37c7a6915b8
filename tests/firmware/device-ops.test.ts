// Firmware operations beyond the link core: NFC Type 4/Type 2 answers (direct exports and the
// nfc-test channel), the boot splash and fb readout, app status, log level filtering, reset.
import { test } from "vitest";
import assert from "node:assert/strict";
import { Device, IO_CAPACITY, MAX_FRAME, SIM_CARD, SIM_PLAQUE, ShellReset } from "./firmware-harness.ts";

const RESP = 1;
const ERR = 2;
const EVENT = 4;

function apdu(d: Device, cmd: number[]): string {
  const box = d.exports.tk_io_buffer();
  new Uint8Array(d.memory.buffer).set(cmd, box);
  const n = d.exports.tk_nfc_apdu(cmd.length);
  return Buffer.from(new Uint8Array(d.memory.buffer, box, n)).toString("hex");
}

test("Type 4 dispatcher: 6700 short/bad Lc, 6E00 CLA, 6A82 SELECT unknown AID, 6D00 unknown INS", async () => {
  const d = await Device.boot(SIM_CARD);
  assert.equal(apdu(d, [0x00, 0xa4]), "6700");
  assert.equal(apdu(d, [0x00, 0xa4, 0x04, 0x00, 0x07, 0xd2, 0x76]), "6700");
  assert.equal(apdu(d, [0x80, 0xa4, 0x04, 0x00, 0x02, 0x01, 0x02]), "6e00");
  assert.equal(apdu(d, [0x00, 0xa4, 0x04, 0x00, 0x07, 0xd2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x00, 0x00]), "6a82"); // NDEF v1 AID: not registered
  assert.equal(apdu(d, [0x00, 0xb0, 0x00, 0x00, 0x0f]), "6d00");
  assert.equal(apdu(d, []), "6700");
  assert.equal(d.exports.tk_nfc_apdu(-5), 2);
  assert.equal(d.exports.tk_nfc_apdu(IO_CAPACITY * 10), 2);
});

test("Type 2 handler NAKs an unknown command with one byte 00", async () => {
  const d = await Device.boot(SIM_PLAQUE);
  const box = d.exports.tk_io_buffer();
  new Uint8Array(d.memory.buffer).set([0x60, 0x00], box);
  assert.equal(d.exports.tk_nfc_t2t(2), 1);
  assert.equal(new Uint8Array(d.memory.buffer)[box], 0x00);
});

test("nfc-test channel injects apdu, t2t and field", async () => {
  const d = await Device.boot(SIM_PLAQUE);
  assert.deepEqual(d.call(3, 1, { op: "apdu", c: Uint8Array.of(0x00, 0xca, 0, 0) }).body, { r: Uint8Array.of(0x6d, 0x00) });
  assert.deepEqual(d.call(3, 2, { op: "t2t", c: Uint8Array.of(0x60) }).body, { r: Uint8Array.of(0x00) });
  assert.deepEqual(d.call(3, 3, { op: "field", on: true }).body, {});
  const bad = d.call(3, 4, { op: "apdu" });
  assert.deepEqual([bad.flags, bad.body.code], [RESP | ERR, "bad-arg"]);
  const big = d.call(3, 5, { op: "apdu", c: new Uint8Array(600) });
  assert.equal(big.body.code, "too-large");
});

test("log level 3 lets debug events through (field on/off), level 0 silences info", async () => {
  const d = await Device.boot(SIM_PLAQUE);
  d.frames();
  d.exports.tk_nfc_field(1);
  assert.deepEqual(d.frames(), [], "debug is above the default level 2");
  assert.equal(d.call(2, 1, { op: "level", level: 3 }).flags, RESP);
  d.exports.tk_nfc_field(0);
  const [ev] = d.frames();
  assert.deepEqual([ev.channel, ev.flags, ev.body.msg, ev.body.level], [2, EVENT, "nfc field off", 3]);
  assert.equal(d.call(2, 2, { op: "level", level: 9 }).body.code, "bad-arg");
  assert.ok(
    d.consoleLines.some((l) => l.text === "nfc field on" && l.level === 3),
    "console gets every line",
  );
});

/** The frame a run of full-width band blits builds (rows of 25 B), and how many rows each had. */
function assembleBands(blits: { x: number; y: number; w: number; h: number; data: Uint8Array }[]): { frame: Buffer; rows: number[] } {
  const frame = Buffer.alloc(5000);
  for (const b of blits) {
    assert.deepEqual([b.x, b.w, b.data.length], [0, 200, b.h * 25], "full-width bands of whole rows");
    frame.set(b.data, b.y * 25);
  }
  return { frame, rows: blits.map((b) => b.h) };
}

test("splash is blitted in bands and refreshed once at boot; fb reads it back in chunks that fit maxFrame", async () => {
  // A blank device (no merchant profile yet) shows the splash; the demo set-up shows its QR.
  const d = await Device.boot(SIM_PLAQUE, 0);
  // No whole-frame buffer: 4 bands of 50 rows cover the panel top to bottom, then one refresh.
  assert.deepEqual(
    d.blits.map((b) => b.y),
    [0, 50, 100, 150],
  );
  assert.equal(d.refreshes, 1);
  const blit = { data: assembleBands(d.blits).frame };
  const chunks: Uint8Array[] = [];
  let off = 0;
  let seq = 10;
  for (;;) {
    const f = d.call(0, seq++, { op: "fb", off });
    assert.equal(f.flags, RESP);
    assert.ok(f.bodyBytes.length + 8 <= MAX_FRAME);
    assert.deepEqual([f.body.w, f.body.h, f.body.total, f.body.off], [200, 200, 5000, off]);
    if (f.body.data.length === 0) break;
    chunks.push(f.body.data);
    off += f.body.data.length;
  }
  const image = Buffer.concat(chunks);
  assert.ok(image.equals(Buffer.from(blit.data)), "fb readout equals what went to the panel");
  const px = (x: number, y: number) => (image[y * 25 + (x >> 3)] >> (7 - (x & 7))) & 1;
  for (let i = 0; i < 200; i++) {
    assert.equal(px(i, 0), 1);
    assert.equal(px(0, i), 1);
    assert.equal(px(199, i), 1);
    assert.equal(px(i, 199), 1);
  }
  assert.equal(px(100, 30), 0, "blank between border and title");
  const ink = image.reduce((n, b) => n + b.toString(2).split("1").length - 1, 0);
  const demo = await Device.boot(SIM_PLAQUE, 1);
  const last = assembleBands(demo.blits.slice(-4)).frame;
  const demoInk = last.reduce((n, b) => n + b.toString(2).split("1").length - 1, 0);
  assert.ok(demoInk > ink + 200, "the demo set-up replaces the splash with its payment screen");
  assert.equal(d.call(0, seq++, { op: "fb", off: 5001 }).body.code, "bad-arg");
});

test("card board: no display, fb unsupported, status says card", async () => {
  const d = await Device.boot(SIM_CARD, 1);
  assert.equal(d.blits.length, 0);
  assert.equal(d.call(0, 1, { op: "fb" }).body.code, "unsupported");
  assert.deepEqual(d.call(1, 2, { op: "status" }).body, { demo: true, mode: "card", board: "sim-card", state: "demo" });
});

test("reset answers {} first, then reboots through hal.reset on the next tick", async () => {
  const d = await Device.boot(SIM_PLAQUE);
  const f = d.call(0, 1, { op: "reset" });
  assert.deepEqual([f.flags, f.body], [RESP, {}]);
  assert.equal(d.resets, 0);
  assert.throws(() => d.tick(), ShellReset);
  assert.equal(d.resets, 1);
});

test("sink counts bytes", async () => {
  const d = await Device.boot(SIM_CARD);
  assert.deepEqual(d.call(0, 1, { op: "sink", data: new Uint8Array(700) }).body, { n: 700 });
});
