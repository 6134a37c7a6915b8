// startSimulator: one simulated board with its UART served on TCP and (optionally) a
// pseudo-terminal, paced at the board's baud — what `tapkit sim` runs and stops.

import type { Board } from "../boards/board.ts";
import { SimDevice } from "./device.ts";
import { serveTcp } from "./serve-tcp.ts";
import { servePty } from "./serve-pty.ts";
import { defaultSimLinkPath } from "./stale-sim-files.ts";

export interface StartSimulatorOptions {
  board: Board;
  wasmPath: string;
  stateDir?: string;
  blank?: boolean;
  /** PTY link path; true = /tmp/tapkit-<board>-<pid>; false/undefined = none */
  pty?: string | boolean;
  /** TCP port on 127.0.0.1; 0 = any free port */
  tcpPort?: number;
  /** line speed (default board.link.baud) */
  baud?: number;
  verbose?: boolean;
}

export interface RunningSimulator {
  device: SimDevice;
  ports: { pty?: string; tcp: number };
  stop(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions): Promise<RunningSimulator> {
  const device = await SimDevice.create({
    board: options.board,
    wasm: options.wasmPath,
    stateDir: options.stateDir,
    blank: options.blank,
    verbose: options.verbose,
    baud: options.baud ?? options.board.link.baud,
    // With a state directory the shell is the bootloader: it runs what its slots hold (docs/boot.md).
    bootFromSlots: options.stateDir !== undefined,
  });
  const stops: (() => Promise<void> | void)[] = [() => device.close()];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const tcp = await serveTcp(device, { port: options.tcpPort ?? 0 });
    stops.push(() => tcp.close());
    let ptyPath: string | undefined;
    if (options.pty) {
      ptyPath = options.pty === true ? defaultSimLinkPath(options.board.name) : options.pty;
      const pty = await servePty({ path: ptyPath, tcpPort: tcp.port });
      stops.push(() => pty.close());
    }
    return { device, ports: { pty: ptyPath, tcp: tcp.port }, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
