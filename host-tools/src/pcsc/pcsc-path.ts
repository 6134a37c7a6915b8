// An NfcPath over a PC/SC reader: one scriptor card session, a warm reset for a new tap.
import type { NfcPath } from "../device/nfc-path.ts";
import { ReaderSession, VPCD_READER, type ReaderSessionOptions } from "./reader-session.ts";

export async function pcscPath(reader = VPCD_READER, opts: ReaderSessionOptions = {}): Promise<NfcPath> {
  const session = await ReaderSession.open(reader, opts);
  return {
    kind: "pcsc",
    description: `PC/SC reader "${reader}"`,
    apdu: (c) => session.transmit(c),
    newTap: () => session.reset(),
    close: () => session.close(),
  };
}
