// A simulated plaque (build/sim-plaque/firmware.wasm) acting as offline acceptor, with a
// link client over the in-process transport; set up with an issuer root on request.
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { PlaqueAcceptor } from "../../host-tools/src/wallet/index.ts";
import { board } from "./card-fixture.ts";

export interface PlaqueRig {
  device: SimDevice;
  client: DeviceClient;
  plaque: PlaqueAcceptor;
}

export async function plaqueRig(
  t: { onTestFinished(fn: () => Promise<void> | void): void },
  root?: Uint8Array,
  payee = "shop-42",
  seed = 5,
): Promise<PlaqueRig> {
  const device = await SimDevice.create({ board: board("sim-plaque"), wasm: firmwarePath("sim-plaque"), tickMs: 0, seed });
  const client = await DeviceClient.over(inProcessTransport(device));
  t.onTestFinished(async () => {
    await client.close();
    device.close();
  });
  const plaque = new PlaqueAcceptor(client);
  if (root) await plaque.setup(root, payee, "EUR");
  return { device, client, plaque };
}
