// Test support for the NFC tests: boots the built firmware (build/<board>/firmware.wasm) in
// the simulator with a link client over the in-process transport, and small APDU helpers.
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";

export const NDEF_AID = "D2760000850101";
export const SELECT_APP = hex(`00A4040007${NDEF_AID}00`);
export const SELECT_CC = hex("00A4000C02E103");
export const SELECT_NDEF = hex("00A4000C02E104");

export interface Tag {
  device: SimDevice;
  client: DeviceClient;
  apdu(h: string | Uint8Array): string;
  close(): Promise<void>;
}

// Hex has one home (host-tools/src/bytes/hex.ts); the tests spell it `hex` / `toHex`.
import { parseHex as hex, toHex } from "../../host-tools/src/bytes/hex.ts";

export { hex, toHex };

export async function bootTag(board: "sim-plaque" | "sim-card" = "sim-plaque", opts: { seed?: number; blank?: boolean } = {}): Promise<Tag> {
  const device = await SimDevice.create({ board: loadBoard(board), wasm: firmwarePath(board), tickMs: 0, seed: opts.seed ?? 1, blank: opts.blank });
  const client = await DeviceClient.over(inProcessTransport(device));
  return {
    device,
    client,
    apdu: (h) => toHex(device.nfcApdu(typeof h === "string" ? hex(h) : h)),
    async close() {
      await client.close();
      device.close();
    },
  };
}
