// The way command APDUs reach a device's tag: the nfc-test channel of the serial link (any
// tapkit device, no reader needed) or a real PC/SC reader (what a phone or terminal does).
// Conformance cases, the wallet commands and the NDEF reader take an NfcPath, so one
// procedure runs unchanged over either.
import type { DeviceClient } from "./client.ts";

export interface NfcPath {
  readonly kind: "nfc-test" | "pcsc";
  /** Where the APDUs go, for reports: the serial port or the reader name. */
  readonly description: string;
  /** Sends one command APDU; resolves with data + SW1 SW2. */
  apdu(command: Uint8Array): Promise<Uint8Array>;
  /** Takes the tag out of the field and back: the next APDU starts a new tap (nothing selected). */
  newTap(): Promise<void>;
  close(): Promise<void>;
}

/** APDUs injected over the link's nfc-test channel; closing leaves the link open. */
export function nfcTestPath(device: DeviceClient): NfcPath {
  return {
    kind: "nfc-test",
    description: `${device.port} (nfc-test channel)`,
    apdu: (c) => device.nfcApdu(c),
    newTap: () => device.nfcField(false),
    close: async () => {},
  };
}
