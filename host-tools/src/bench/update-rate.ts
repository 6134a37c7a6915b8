// Upload speed of `tapkit flash` through the path a technician uses: the simulator's shell
// (the bootloader, state in a temporary directory) paces its UART at the given baud, socat
// gives it a pseudo-terminal, the host opens it with serialport and uploads a signed image
// of the board's module with chunks in flight. Reported as image bytes per second of the
// chunk phase against baud/10 (the 8N1 ceiling), so framing and CBOR count against us.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Board } from "../boards/board.ts";
import { startSimulator } from "../sim/run.ts";
import { BootClient } from "../update/boot-client.ts";
import { flashImage, DEFAULT_FLASH_WINDOW } from "../update/flash-image.ts";
import { signImage } from "../image/index.ts";
import { COSE_ALG_EDDSA, signerFromSecret } from "../cose/sig-alg.ts";
import { haveSocat } from "./throughput.ts";

export interface UpdateRateResult {
  baud: number;
  transport: "pty" | "tcp";
  imageBytes: number;
  seconds: number;
  payloadBytesPerSecond: number;
  percentOfBaud: number;
  chunk: number;
  window: number;
}

export async function measureUpdateRate(board: Board, wasmPath: string, baud: number, window = DEFAULT_FLASH_WINDOW): Promise<UpdateRateResult> {
  const state = mkdtempSync(join(tmpdir(), "tapkit-bench-update-"));
  const pty = haveSocat() ? join(state, "link") : false;
  const sim = await startSimulator({ board, wasmPath, stateDir: state, pty, tcpPort: 0, baud, blank: true });
  try {
    const key = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x42));
    const signed = await signImage({ module: new Uint8Array(readFileSync(wasmPath)), board, key, version: [1, 0, 0], securityCounter: 0 });
    const client = await BootClient.connect(pty ? pty : `tcp:127.0.0.1:${sim.ports.tcp}`, { baud });
    try {
      await client.trust(key.publicKey);
      const r = await flashImage(client, signed.image, { window, confirm: true });
      const slots = await client.slots();
      return {
        baud,
        transport: pty ? "pty" : "tcp",
        imageBytes: r.uploadedBytes,
        seconds: r.uploadSeconds,
        payloadBytesPerSecond: r.bytesPerSecond,
        percentOfBaud: (100 * r.bytesPerSecond) / (baud / 10),
        chunk: slots.chunk,
        window,
      };
    } finally {
      await client.close();
    }
  } finally {
    await sim.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
