// EMV MPM vectors, kept in tests/vectors/emv-mpm.json (shared by the host and firmware tests,
// each set with its source): EMVCO_SAMPLE is the EMVCo MPM specification's sample (CRC A13A);
// HAND_* were assembled by hand from HAND_PROFILE; NEGATIVE: payloads that must be rejected,
// with the field the error must name.
import type { MerchantProfile } from "../../host-tools/src/emv/mpm.ts";
import { EMV_MPM } from "../vectors/vectors.ts";

export const EMVCO_SAMPLE = EMV_MPM.emvcoSample.payload;
export const HAND_PROFILE = EMV_MPM.handProfile.profile as MerchantProfile;
export const HAND_STATIC = EMV_MPM.handProfile.static;
export const HAND_DYNAMIC = EMV_MPM.handProfile.dynamic;
export const NEGATIVE: [string, string, string][] = EMV_MPM.negative.cases.map((c) => [c.name, c.payload, c.field]);
