// The device's UART as a link Transport inside the same process (tests, bench, `tapkit
// demo`): host writes go to SimDevice.receive, device TX comes back through onData. Pacing,
// if any, is the device's own (SimDeviceOptions.baud).

import type { Transport } from "../link/transport.ts";
import type { SimDevice } from "./device.ts";

export function inProcessTransport(device: SimDevice): Transport {
  let receiver: ((bytes: Uint8Array) => void) | null = null;
  let closeNotice: (() => void) | null = null;
  let held: Uint8Array[] = [];
  let open = true;
  // Bytes the device sends before the owner registers are held, as the link's transports do.
  const fromDevice = (bytes: Uint8Array) => {
    if (receiver) receiver(bytes);
    else held.push(bytes);
  };
  device.on("uart", fromDevice);
  return {
    description: `sim:${device.board.name} (in-process)`,
    async write(bytes: Uint8Array): Promise<void> {
      if (!open) throw new Error("in-process transport is closed");
      device.receive(bytes.slice());
    },
    onData(cb: (bytes: Uint8Array) => void): void {
      receiver = cb;
      const earlier = held;
      held = [];
      for (const b of earlier) cb(b);
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      device.off("uart", fromDevice);
      closeNotice?.();
    },
    onClose(cb: () => void): void {
      closeNotice = cb;
    },
  };
}
