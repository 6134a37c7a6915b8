// What one conformance case is: an id a lab can cite, the area it belongs to, and a run
// function that drives a device (real or simulated) through the same host library.
import type { DeviceClient } from "../host-tools/src/device/client.ts";
import type { NfcPath } from "../host-tools/src/device/nfc-path.ts";

export interface CaseContext {
  device: DeviceClient;
  /** Where the tag's APDUs go: the link's nfc-test channel, or a PC/SC reader (tapkit hil --reader). */
  nfc: NfcPath;
  /** Board name the device reported in hello. */
  board: string;
  /** Record a measured value in the report (e.g. a counter delta). */
  note(key: string, value: string | number): void;
  /** Mark the case skipped with a reason (e.g. the board lacks the feature). */
  skip(reason: string): never;
}

export interface ConformanceCase {
  id: string;
  area: string;
  title: string;
  run(ctx: CaseContext): Promise<void>;
}

export class SkipCase extends Error {}
