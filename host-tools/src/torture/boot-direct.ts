// Boot-channel requests straight into an in-process SimDevice (the update torture's host),
// through the same synchronous exchange as the store torture's StoreLink: one request frame
// in, the shell's answer out, no pacing or retries. "lost" means power failed mid-request.
import { CHANNEL, encodeFrame, type Body } from "../link/index.ts";
import { StoreLink, type StoreAnswer } from "./store-link.ts";

export type BootAnswer = StoreAnswer;

export class BootDirect extends StoreLink {
  boot(op: string, args: Body = {}): BootAnswer {
    return this.exchange((seq) => encodeFrame({ channel: CHANNEL.BOOT, flags: 0, seq, body: { ...args, op } }));
  }
}
