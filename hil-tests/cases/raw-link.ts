// Tools for conformance cases that must put exact bytes on the line (bad CRC, oversize,
// garbage) and watch what comes back, bypassing the session's own framing and retries.
import type { DeviceClient } from "../../host-tools/src/device/client.ts";
import type { Frame, OutgoingFrame } from "../../host-tools/src/link/index.ts";
import { buildRawFrame, wireFromRaw } from "../../host-tools/src/link/index.ts";

/** A request seq unlikely to collide with the session's own (it starts at a random value). */
let nextSeq = 0xf000;
export function freshSeq(): number {
  nextSeq = nextSeq >= 0xfffe ? 0xf000 : nextSeq + 1;
  return nextSeq;
}

/**
 * Sends raw wire bytes and collects every frame that answers `seq` for `waitMs`
 * (or until `expect` answers have arrived). A case that expects answers waits as long as the
 * session would for a request (--timeout x attempts): a fixed 1.5 s window turned a starved
 * simulator into a device failure (LINK-OP-006 "one answer 0 !== 1", 1 of 26 card runs of the
 * flake hunt at load average 35). A window that proves an absence stays as the case gives it.
 */
export async function sendAndCollect(device: DeviceClient, wire: Uint8Array, seq: number, opts: { waitMs?: number; expect?: number } = {}): Promise<Frame[]> {
  const got: Frame[] = [];
  const waitMs = opts.waitMs ?? (opts.expect !== undefined ? device.session.answerBudgetMs(wire.length) : 1500);
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const off = device.session.onFrame((f) => {
    if (f.seq === seq) {
      got.push(f);
      if (opts.expect !== undefined && got.length >= opts.expect) done();
    }
  });
  const timer = setTimeout(done, waitMs);
  try {
    await device.session.sendRaw(wire);
    await finished;
  } finally {
    clearTimeout(timer);
    off();
  }
  return got;
}

export function wire(frame: OutgoingFrame): Uint8Array {
  return wireFromRaw(buildRawFrame(frame));
}

/** The device's link counters, read through a normal request. */
export async function linkCounters(device: DeviceClient): Promise<Record<string, number>> {
  return (await device.info()).link;
}

/** Runs `fn` and returns its result with how much each link counter moved meanwhile. */
export async function withCounterDeltas<T>(device: DeviceClient, fn: () => Promise<T>): Promise<{ result: T; delta: (counter: string) => number }> {
  const before = await linkCounters(device);
  const result = await fn();
  const after = await linkCounters(device);
  return { result, delta: (k) => (after[k] ?? 0) - (before[k] ?? 0) };
}
