// The UART pacing schedule: baud/10 bytes per second (8N1), exact over long transfers, no
// credit banked while idle. Checked with a virtual clock; no real-time assertions.

import { test } from "vitest";
import assert from "node:assert/strict";
import { bytesThatMayPass, byteTimeMs, ThrottledLine } from "../../host-tools/src/sim/line.ts";

test("schedule: 115200 baud moves 11520 bytes per second, none early", () => {
  assert.equal(byteTimeMs(115200), 10_000 / 115200);
  assert.equal(bytesThatMayPass(115200, 100_000, 0, 0, 1000), 11_520);
  assert.equal(bytesThatMayPass(115200, 100_000, 0, 0, 0.08), 0, "one byte takes 86.8 us");
  assert.equal(bytesThatMayPass(115200, 100_000, 0, 0, 0.087), 1);
  assert.equal(bytesThatMayPass(115200, 100_000, 0, 11_000, 1000), 520, "bytes already sent count against the budget");
  assert.equal(bytesThatMayPass(115200, 100_000, 200, 0, 1200), 11_520, "measured from the busy anchor");
  assert.equal(bytesThatMayPass(9600, 5, 0, 0, 1000), 5, "never more than queued");
  assert.equal(bytesThatMayPass(9600, 5, 50, 0, 40), 0, "not started yet");
  // a 60 s transfer at 921600 baud: exact, no drift
  assert.equal(bytesThatMayPass(921600, 1e9, 0, 0, 60_000), 5_529_600);
});

test("ThrottledLine on a virtual clock: 4 KB at 115200 in 1 ms steps exactly floor(t * baud / 10) each step", () => {
  let now = 0;
  let got = 0;
  const line = new ThrottledLine({ baud: 115200, now: () => now, deliver: (b) => (got += b.length) });
  line.push(new Uint8Array(4096));
  const deliveredAt: number[] = [];
  while (line.waiting > 0) {
    now += 1;
    line.pump();
    deliveredAt.push(got);
  }
  line.close();
  assert.equal(got, 4096);
  const expectedMs = (4096 * 10_000) / 115200; // 355.55 ms
  assert.equal(deliveredAt.length, Math.ceil(expectedMs));
  for (let ms = 1; ms <= deliveredAt.length; ms++) {
    const ideal = Math.min(4096, Math.floor((ms * 115200) / 10_000));
    assert.equal(deliveredAt[ms - 1], ideal, `at ${ms} ms`);
  }
});

test("an idle line banks no time; capacity refuses the excess", () => {
  let now = 0;
  const chunks: number[] = [];
  const line = new ThrottledLine({ baud: 10_000, now: () => now, capacity: 100, deliver: (b) => chunks.push(b.length) });
  now = 5000; // idle for 5 s
  assert.equal(line.push(new Uint8Array(150)), 100);
  assert.equal(line.pump(), 0, "nothing passes at the instant of queuing");
  now += 10; // 1000 bytes/s -> 10 bytes
  assert.equal(line.pump(), 10);
  assert.equal(line.push(new Uint8Array(50)), 10, "90 waiting, room for 10");
  now += 1000;
  line.pump();
  line.close();
  assert.deepEqual(chunks, [10, 100]);
  assert.equal(line.transferred, 110);
});
