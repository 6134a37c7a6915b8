// A simulated card board running the real build (build/sim-card/firmware.wasm) with a
// link client over the in-process transport; provisioned by a test issuer on request. By
// default the card is the simulator's demo set-up (lifecycle state demo: bench ops served);
// `lifecycle: "provisioned"` boots it blank with its own device key generated in the
// keystore, as a factory would, so wallet.provision makes it a provisioned card.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Board } from "../../host-tools/src/boards/board.ts";
import { BOARDS_DIR, firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { ALG_ED25519 } from "../../host-tools/src/sim/keystore.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { provisionOverLink, WalletCard, type IssuerFiles } from "../../host-tools/src/wallet/index.ts";
import { ENVELOPE } from "./wallet-fixture.ts";

export function board(name: string): Board {
  return JSON.parse(readFileSync(join(BOARDS_DIR, `${name}.json`), "utf8")) as Board;
}

export interface CardRig {
  device: SimDevice;
  client: DeviceClient;
  /** the applet reached directly through the simulator's NFC interface */
  card: WalletCard;
}

export async function cardRig(t: { onTestFinished(fn: () => Promise<void> | void): void }, seed = 1, blank = false, stateDir?: string): Promise<CardRig> {
  const device = await SimDevice.create({ board: board("sim-card"), wasm: firmwarePath("sim-card"), tickMs: 0, seed, blank, stateDir });
  const client = await DeviceClient.over(inProcessTransport(device));
  t.onTestFinished(async () => {
    await client.close();
    device.close();
  });
  const card = new WalletCard(async (apdu) => device.nfcApdu(apdu));
  return { device, client, card };
}

export async function provisioned(
  t: { onTestFinished(fn: () => Promise<void> | void): void },
  issuer: IssuerFiles,
  opts: { slot?: number; balance?: number; lifecycle?: "demo" | "provisioned"; pin?: string; stateDir?: string } = {},
): Promise<CardRig & { chain: Uint8Array[] }> {
  const real = opts.lifecycle === "provisioned";
  const rig = await cardRig(t, 1, real, opts.stateDir);
  if (real) rig.device.keystore.generate(opts.slot ?? 0, ALG_ED25519, { label: "device key (test factory)" });
  const chain = await provisionOverLink(rig.client, issuer, {
    pin: opts.pin ?? "1234",
    balance: opts.balance ?? 10_000,
    currency: "EUR",
    limits: ENVELOPE,
    slot: opts.slot,
  });
  await rig.card.select();
  return { ...rig, chain };
}
