// The emulated NFC front-end: the tag side of the RF link, as a PN7150 or ST25R would be.
// The reader (vpcd, or a test) hands it field changes and tag commands; it queues them as
// events, raises its interrupt (an ATTENTION frame), and the MCU polls them, runs them in
// the firmware and answers. Tag commands wait for that answer; the MCU rebooting (HELLO) or
// not answering in time fails them as a lost tag.
import type { Board } from "../../boards/board.ts";
import { E_ARG, HalFault } from "../hal-codes.ts";
import { requirePersonality, type NfcPersonalityId } from "../nfc-personality.ts";
import { TapkitError } from "../../errors/index.ts";
import type { PcscTag } from "../serve-pcsc.ts";
import { NFC_EVENT } from "./chip-ops.ts";

/** How long a tag command waits for the MCU's answer before the tag counts as lost (default). */
export const NFC_ANSWER_TIMEOUT_MS = 5000;

interface TagEvent {
  kind: number;
  command?: Uint8Array;
}

/** The tag command in progress (a reader exchanges one at a time). */
interface Exchange {
  event: TagEvent;
  polled: boolean;
  resolve(r: Uint8Array): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class NfcFrontend implements PcscTag {
  personality: NfcPersonalityId = 0;
  uid = new Uint8Array(7);
  /** tag commands the MCU answered */
  exchanges = 0;
  private events: TagEvent[] = [];
  private current: Exchange | null = null;
  private turn: Promise<unknown> = Promise.resolve();
  private raise: () => void = () => {};

  constructor(
    private readonly board: Board,
    private readonly answerTimeoutMs = NFC_ANSWER_TIMEOUT_MS,
  ) {}

  /** Connects the interrupt line (the port's ATTENTION). */
  onAttention(raise: () => void): void {
    this.raise = raise;
  }

  /** HAL nfc_configure, as the firmware's call reaches the front-end. */
  configure(personality: number, uid: Uint8Array): void {
    this.personality = requirePersonality(this.board, personality);
    if (personality !== 0 && uid.length !== 7) throw new HalFault(E_ARG, `NFC UID must be 7 bytes, got ${uid.length}`);
    this.uid = uid.slice();
  }

  /** The reader's field came or went (a PC/SC power on/off). */
  field(on: boolean): void {
    this.queue({ kind: on ? NFC_EVENT.fieldOn : NFC_EVENT.fieldOff });
  }

  /** A Type 4 command APDU; resolves with the firmware's response APDU. */
  nfcApdu(command: Uint8Array): Promise<Uint8Array> {
    return this.exchange(1, NFC_EVENT.apdu, "Type 4", command);
  }

  /** A Type 2 command; resolves with the response (one byte for ACK/NAK). */
  nfcT2t(command: Uint8Array): Promise<Uint8Array> {
    return this.exchange(2, NFC_EVENT.t2t, "Type 2", command);
  }

  /** POLL: the oldest event for the MCU, with the command bytes of a tag command. */
  poll(cap: number): { result: number; data?: Uint8Array } {
    const event = this.events.shift();
    if (!event) return { result: NFC_EVENT.none };
    if (event.command && this.current?.event === event) {
      if (event.command.length > cap) {
        this.settle(
          new TapkitError(
            "SIM_NFC_TOO_LONG",
            `command of ${event.command.length} bytes exceeds the MCU's ${cap}-byte mailbox`,
            "keep commands within board.nfc.maxApdu",
          ),
        );
        return this.poll(cap);
      }
      this.current.polled = true;
    }
    return { result: event.kind, data: event.command };
  }

  /** ANSWER: the MCU's response to the polled command; empty means the exchange failed. */
  answer(response: Uint8Array): number {
    if (!this.current?.polled) return E_ARG; // late: its command already timed out
    this.exchanges++;
    if (response.length === 0)
      this.settle(
        new TapkitError("SIM_NFC_BAD_RESPONSE", "the firmware gave no valid response to the tag command", "see the shell's console (tapkit sim --verbose)"),
      );
    else this.settle(null, response.slice());
    return 0;
  }

  /** HELLO: the MCU rebooted. Its events are gone; a command in progress fails as a lost tag. */
  reset(): void {
    this.events = [];
    this.personality = 0;
    this.settle(new TapkitError("SIM_TAG_LOST", "the device rebooted during the tag command", "a real reader reports the tag as lost; tap again"));
  }

  private exchange(personality: NfcPersonalityId, kind: number, name: string, command: Uint8Array): Promise<Uint8Array> {
    const run = () => {
      if (this.personality !== personality) {
        return Promise.reject(
          new TapkitError(
            "SIM_NFC_PERSONALITY",
            `the firmware presents NFC personality ${this.personality}, not ${name}`,
            "the firmware selects its personality with hal.nfc_configure during tk_init",
          ),
        );
      }
      return new Promise<Uint8Array>((resolve, reject) => {
        const event: TagEvent = { kind, command: command.slice() };
        const timer = setTimeout(() => {
          this.events = this.events.filter((e) => e !== event);
          this.settle(
            new TapkitError(
              "SIM_TAG_LOST",
              `the MCU did not answer the ${name} command within ${this.answerTimeoutMs} ms`,
              "is the firmware running? see tapkit sim --verbose",
            ),
          );
        }, this.answerTimeoutMs);
        this.current = { event, polled: false, resolve, reject, timer };
        this.queue(event);
      });
    };
    const result = this.turn.then(run, run);
    this.turn = result.catch(() => {});
    return result;
  }

  private queue(event: TagEvent): void {
    this.events.push(event);
    this.raise();
  }

  private settle(error: Error | null, response?: Uint8Array): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    clearTimeout(c.timer);
    if (error) c.reject(error);
    else c.resolve(response!);
  }
}
