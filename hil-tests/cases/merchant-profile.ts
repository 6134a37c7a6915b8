// The QR and EMV cases need the plaque's merchant profile. Only the device's own "none set"
// answer to merchant.get is that unmet precondition; anything else (a lost link, a timeout,
// a lifecycle refusal, another device error) propagates so the runner judges it for what it is.
import type { CaseContext } from "../case.ts";
import { LinkError } from "../../host-tools/src/link/index.ts";

/** The firmware's answer when no profile is stored (firmware/emv/payment-ops.ts merchantGetOp). */
const NO_PROFILE = /^merchant profile: none set/;

export async function requireMerchantProfile(ctx: CaseContext): Promise<void> {
  try {
    await ctx.device.ops.merchant.get();
  } catch (e) {
    if (e instanceof LinkError && e.code === "DEVICE_ERROR" && e.details.deviceCode === "bad-arg" && NO_PROFILE.test(e.details.deviceMsg ?? ""))
      ctx.precondition("no merchant profile on the device (tapkit merchant set, or boot in demo mode)");
    throw e;
  }
}
