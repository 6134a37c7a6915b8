// Link throughput through the real path a technician uses: the simulator paces its UART at
// the board's baud, socat gives it a pseudo-terminal, and the host opens that with the
// serialport package and streams windowed `sink` requests. Reported as payload bytes per
// second against baud/10 (the 8N1 ceiling), so protocol overhead counts against us.
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Board } from "../boards/board.ts";
import { startSimulator } from "../sim/run.ts";
import { DeviceClient } from "../device/client.ts";

export interface ThroughputResult {
  baud: number;
  transport: "pty" | "tcp";
  payloadBytes: number;
  wireBytes: number;
  seconds: number;
  payloadBytesPerSecond: number;
  percentOfBaud: number;
  wirePercentOfBaud: number;
  window: number;
  chunk: number;
}

export function haveSocat(): boolean {
  return spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
}

/** Sink body overhead: {"data": bstr(n), "op": "sink"} around n payload bytes (n >= 256). */
const SINK_OVERHEAD = 1 + 5 + 3 + 3 + 5;

export async function measureThroughput(board: Board, wasmPath: string, baud: number, seconds = 4, window = 8): Promise<ThroughputResult> {
  const pty = haveSocat() ? join(tmpdir(), `tapkit-bench-${process.pid}-${baud}`) : false;
  const sim = await startSimulator({ board, wasmPath, pty, tcpPort: 0, baud, blank: true });
  try {
    const port = pty ? pty : `tcp:127.0.0.1:${sim.ports.tcp}`;
    const device = await DeviceClient.connect(port, { baud });
    try {
      const chunk = device.session.maxBody - SINK_OVERHEAD;
      const count = Math.max(16, Math.ceil(((baud / 10) * seconds) / chunk));
      const items = Array.from({ length: count }, (_, i) => ({ data: new Uint8Array(chunk).fill(i & 0xff) }));
      // Warm up the path (first frames carry the PTY open and JIT) outside the timing.
      await device.bulk("sink", items.slice(0, 2), { window });
      const sentBefore = device.session.stats.bytesSent;
      const t0 = performance.now();
      const results = await device.bulk("sink", items, { window });
      const elapsed = (performance.now() - t0) / 1000;
      const wireBytes = device.session.stats.bytesSent - sentBefore;
      const payload = results.reduce((n, r) => n + r.n, 0);
      if (payload !== count * chunk) throw new Error(`bench: device acknowledged ${payload} of ${count * chunk} bytes`);
      const ceiling = baud / 10;
      return {
        baud,
        transport: pty ? "pty" : "tcp",
        payloadBytes: payload,
        wireBytes,
        seconds: elapsed,
        payloadBytesPerSecond: payload / elapsed,
        percentOfBaud: (100 * payload) / elapsed / ceiling,
        wirePercentOfBaud: (100 * wireBytes) / elapsed / ceiling,
        window,
        chunk,
      };
    } finally {
      await device.close();
    }
  } finally {
    await sim.stop();
  }
}
