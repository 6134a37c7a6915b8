// What one conformance case is: an id a lab can cite, the clause of the standard (or of our
// docs) it checks, the roles it applies to, whether it changes device state, and a run
// function that drives a device (real or simulated) through the same host library.
// The shape stays flat on purpose: a case is a plain object, so a family generated from a
// spec table (cases/families/) and a hand-written case look the same to the runner.
import type { DeviceClient } from "../host-tools/src/device/client.ts";
import type { NfcPath } from "../host-tools/src/device/nfc-path.ts";
import type { SeededRandom } from "../host-tools/src/sim/seeded-random.ts";

/** The device roles a case applies to (the firmware's `status.mode`). */
export type Role = "plaque" | "card";
export const ALL_ROLES: readonly Role[] = ["plaque", "card"];

export interface CaseContext {
  device: DeviceClient;
  /** Where the tag's APDUs go: the link's nfc-test channel, or a PC/SC reader (tapkit hil --reader). */
  nfc: NfcPath;
  /** Board name the device reported in hello. */
  board: string;
  /** The device's role (status.mode); "unknown" when the device does not answer the status op. */
  role: Role | "unknown";
  /** The run allows lasting state changes (--allow-destructive): e.g. provisioning a blank wallet first. */
  allowDestructive: boolean;
  /** This case's seed: derived from the run's --seed and the case id, so a rerun of one case sees the same inputs. */
  seed: number;
  /** Random inputs (challenges, nonces, throwaway keys) drawn from this case's seed: never Math.random or the clock. */
  random: SeededRandom;
  /** Record the path this case's tag traffic took when it is not ctx.nfc (e.g. Type 2 frames over the nfc-test channel under --reader). */
  path(description: string): void;
  /** Record a measured value in the report (e.g. a counter delta). */
  note(key: string, value: string | number): void;
  /** Attach a picture (PNG) to the report, e.g. the panel frame a QR case decoded. */
  figure(caption: string, png: Uint8Array): void;
  /** Record a change this case made to the device, right after the device accepted it (listed in the report's state-change log). */
  stateChange(what: string): void;
  /** The case does not apply to this device (a plaque has no wallet): verdict "n/a" with the reason. */
  notApplicable(reason: string): never;
  /** A precondition is not met (no merchant profile, no key): verdict "error" naming what is missing. */
  precondition(missing: string): never;
  /** Mark the case skipped with a reason (e.g. it would lock a real card). */
  skip(reason: string): never;
}

export interface ConformanceCase {
  /** Stable id a lab cites: AREA-FAMILY-NNN. Never reused for another check. */
  id: string;
  area: string;
  title: string;
  /** The clause checked: "ISO/IEC 7816-4:2020 §5.1.1", "NFC Forum T4T 1.2 §5.4.2", "docs/link-protocol.md §Receiver". */
  ref: string;
  /** Free tags for --tag selection (e.g. "select", "boundary", "fuzz"). */
  tags?: string[];
  /** Roles the case applies to; on another role it is "n/a" without running. Default: both. */
  roles?: readonly Role[];
  /**
   * What the case may change on the device when it changes anything lasting (spends value,
   * uses PIN tries, advances counters, provisions, writes images). Such cases run only with
   * --allow-destructive (or on a lab-profile device). Undefined: the case restores all it touches.
   * The report lists this as made only for a case that passed (it ran every step); a case
   * that failed or erred after starting lists it as "declared, not confirmed"; one stopped by
   * a precondition lists nothing. Changes recorded with ctx.stateChange are listed as made.
   */
  changes?: string;
  run(ctx: CaseContext): Promise<void>;
}

/** Thrown by ctx.skip. */
export class SkipCase extends Error {}
/** Thrown by ctx.notApplicable. */
export class NotApplicable extends Error {}
/** Thrown by ctx.precondition. */
export class PreconditionMissing extends Error {}
