// The firmware's twins of the host codecs against the shared vectors (tests/vectors/), through
// the built firmware's link: COBS vectors travel as ping data, out and back; every RFC 8949
// Appendix A item the host accepts is accepted in a request body; every reject vector the host
// decoder refuses is answered bad-body, except non-shortest heads, which the protocol lets a
// body decoder accept (the host's is stricter). Frames are built and read with the host modules
// (cobs.ts, crc32.ts), themselves pinned to the same vectors in tests/link/.
import { test } from "vitest";
import assert from "node:assert/strict";
import { cobsDecode, cobsEncode } from "../../host-tools/src/link/cobs.ts";
import { crc32 } from "../../host-tools/src/link/crc32.ts";
import { decodeBody, encodeBody } from "../../host-tools/src/link/cbor.ts";
import { CBOR, COBS, CRC, fromHex } from "../vectors/vectors.ts";
import { Device } from "./firmware-harness.ts";

const RESP = 1;
const ERR = 2;

/** A channel-0 request frame on the wire: header, body, CRC-32 (LE), COBS, 00. */
function wireRequest(seq: number, body: Uint8Array): Uint8Array {
  const head = Uint8Array.of(0x10, 0, seq & 0xff, seq >> 8);
  const covered = Uint8Array.from([...head, ...body]);
  const crc = new Uint8Array(4);
  new DataView(crc.buffer).setUint32(0, crc32(covered), true);
  return Uint8Array.from([...cobsEncode(Uint8Array.from([...covered, ...crc])), 0]);
}

/** The device's answers since the last call, read with the host's COBS and CRC-32. */
function answers(d: Device): { flags: number; seq: number; body: Record<string, unknown> }[] {
  const out = [];
  let start = 0;
  const uart = Uint8Array.from(d.uart);
  for (let i = 0; i < uart.length; i++) {
    if (uart[i] !== 0) continue;
    if (i > start) {
      const raw = cobsDecode(uart.subarray(start, i));
      const covered = raw.subarray(0, raw.length - 4);
      assert.equal(new DataView(raw.buffer, raw.byteOffset + raw.length - 4).getUint32(0, true), crc32(covered), "device frame CRC-32");
      out.push({
        flags: raw[1],
        seq: raw[2] | (raw[3] << 8),
        body: raw.length > 8 ? (decodeBody(raw.subarray(4, raw.length - 4)) as Record<string, unknown>) : {},
      });
    }
    start = i + 1;
  }
  d.uart.length = 0;
  return out;
}

async function device(): Promise<Device> {
  const d = await Device.boot();
  d.uart.length = 0;
  return d;
}

test("the CRC-32 check value holds for the host module the frames below are built with", () => {
  for (const v of CRC.crc32.vectors) assert.equal(crc32(new TextEncoder().encode(v.text)).toString(16).padStart(8, "0"), v.crc, v.text);
});

test("COBS vectors: each decoded form travels to the firmware as ping data and comes back whole", async () => {
  const d = await device();
  let seq = 1;
  assert.ok(COBS.vectors.length >= 11);
  for (const v of COBS.vectors) {
    d.feed(wireRequest(seq, encodeBody({ op: "ping", data: fromHex(v.decoded) })));
    const [a] = answers(d);
    assert.ok(a, v.name);
    assert.deepEqual([a.seq, a.flags], [seq, RESP], v.name);
    assert.deepEqual(a.body.data, fromHex(v.decoded), v.name);
    seq++;
  }
});

test("CBOR Appendix A items: the firmware's body decoder accepts each one the host accepts", async () => {
  const d = await device();
  let seq = 100;
  assert.ok(CBOR.values.vectors.length >= 30);
  for (const v of CBOR.values.vectors) {
    // {"a": item, "op": "ping"}: keys in deterministic order, the item's bytes exactly as the vector gives them
    const body = fromHex(`a26161${v.hex}626f706470696e67`);
    assert.deepEqual(Object.keys(decodeBody(body) as object), ["a", "op"], `host accepts ${v.hex}`);
    d.feed(wireRequest(seq, body));
    const [a] = answers(d);
    assert.ok(a, v.hex);
    assert.deepEqual([a.seq, a.flags, a.body], [seq, RESP, { data: new Uint8Array(0) }], `firmware accepts ${v.hex}`);
    seq++;
  }
});

test("CBOR reject vectors: the firmware answers bad-body to each body the host decoder refuses (non-shortest heads: passed on, as docs/link-protocol.md allows)", async () => {
  const d = await device();
  let seq = 300;
  assert.ok(CBOR.rejects.vectors.length >= 15);
  for (const v of CBOR.rejects.vectors) {
    assert.throws(
      () => decodeBody(fromHex(v.hex)),
      (e: unknown) => e instanceof Error,
      `host refuses ${v.name}`,
    );
    d.feed(wireRequest(seq, fromHex(v.hex)));
    const [a] = answers(d);
    assert.ok(a, v.name);
    // request bodies need not be deterministic (docs/link-protocol.md): such a body passes the
    // decoder and fails only for want of an op
    const expected = v.deterministicOnly ? "bad-arg" : "bad-body";
    assert.deepEqual([a.seq, a.flags, a.body.code], [seq, RESP | ERR, expected], `firmware: ${v.name}`);
    seq++;
  }
});
