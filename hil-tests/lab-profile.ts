// Whether the device under test is a lab-profile device: one whose value is the lab's own
// test money, so state-changing cases may run without --allow-destructive. Today that is a
// card whose wallet is certified by the published lab test issuer (cases/wallet.ts): its
// balance, counters and PIN belong to the lab. A plaque has no such mark; it needs the flag.
import type { NfcPath } from "../host-tools/src/device/nfc-path.ts";
import { WalletCard } from "../host-tools/src/wallet/index.ts";
import type { Role } from "./case.ts";
import { certifiedByLab } from "./cases/wallet.ts";

export async function isLabProfileDevice(nfc: NfcPath, role: Role | "unknown"): Promise<boolean> {
  if (role !== "card") return false;
  try {
    const card = new WalletCard((apdu) => nfc.apdu(apdu));
    const s = await card.select();
    if (!s.active) return false;
    return await certifiedByLab(card);
  } catch {
    return false;
  } finally {
    await nfc.newTap();
  }
}
