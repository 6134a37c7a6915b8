// A simulated board with the real firmware on an in-process link, for the conformance tests.
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";

export async function bootSim(
  name: "sim-plaque" | "sim-card",
  opts: { blank?: boolean; noBootChannel?: boolean } = {},
): Promise<{ device: DeviceClient; sim: SimDevice; close(): Promise<void> }> {
  const sim = await SimDevice.create({ board: loadBoard(name), wasm: firmwarePath(name), tickMs: 10, blank: opts.blank, bootFromSlots: !opts.noBootChannel });
  const device = await DeviceClient.over(inProcessTransport(sim), `sim:${name}`, { timeoutMs: 300 });
  return {
    device,
    sim,
    close: async () => {
      await device.close();
      sim.close();
    },
  };
}
