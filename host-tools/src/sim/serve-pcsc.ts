// Presents the simulated tag to pcscd through the vsmartcard virtual reader (vpcd): we are
// the card side, a TCP client of vpcd (127.0.0.1:35963 by default). Every message both ways
// is a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is a control code:
// 00 power off, 01 power on, 02 reset, 04 "send your ATR"; anything longer is a command APDU,
// answered with the firmware's response APDU (device.nfcApdu). Power maps to the RF field,
// so a reader session behaves like a tap. The tag may answer later (an emulated board's NFC
// front-end waits for its MCU); messages are handled one at a time, in order.
import { connect, type Socket } from "node:net";
import { TapkitError } from "../errors/index.ts";

/** The card side: the simulator's SimDevice, or an emulated board's NFC front-end. */
export interface PcscTag {
  field(on: boolean): void;
  nfcApdu(apdu: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export const VPCD_PORT = 35963;
/** PC/SC part 3 ATR for an ISO 14443-4 card without historical bytes: 3B 80 80 01 + TCK. */
export const CONTACTLESS_ATR = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);
const CTRL_OFF = 0x00;
const CTRL_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_ATR = 0x04;
// What a failed exchange answers, so the reader sees a defined status, not silence.
const SW_MEMORY_FAILURE = Uint8Array.of(0x65, 0x81);

export interface PcscServeOptions {
  host?: string;
  port?: number;
  /** called on protocol events (tests, --verbose) */
  onEvent?: (what: string) => void;
}

export interface PcscCard {
  close(): Promise<void>;
}

/** Connects the tag to vpcd; rejects with SIM_PCSC_UNREACHABLE when vpcd does not listen (pcscd not running). */
export function servePcsc(device: PcscTag, options: PcscServeOptions = {}): Promise<PcscCard> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? VPCD_PORT;
  const event = options.onEvent ?? (() => {});
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port });
    let pending = Buffer.alloc(0);
    let opened = false;
    const send = (payload: Uint8Array) => {
      const head = Buffer.from([payload.length >> 8, payload.length & 0xff]);
      socket.write(Buffer.concat([head, payload]));
    };
    let turn: Promise<void> = Promise.resolve();
    const handle = async (msg: Buffer) => {
      if (msg.length === 1) {
        const code = msg[0];
        if (code === CTRL_OFF) device.field(false);
        else if (code === CTRL_ON) device.field(true);
        else if (code === CTRL_RESET) {
          device.field(false);
          device.field(true);
        } else if (code === CTRL_ATR) send(CONTACTLESS_ATR);
        event(`control ${code}`);
        return;
      }
      let response: Uint8Array;
      try {
        response = await device.nfcApdu(new Uint8Array(msg));
      } catch (e) {
        event(`apdu failed: ${(e as Error).message}`);
        response = SW_MEMORY_FAILURE;
      }
      event(`apdu ${msg.toString("hex")} -> ${Buffer.from(response).toString("hex")}`);
      send(response);
    };
    socket.on("connect", () => {
      opened = true;
      event(`connected to vpcd ${host}:${port}`);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            socket.once("close", () => done());
            socket.destroy();
          }),
      });
    });
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        if (len > 0) {
          const copy = Buffer.from(msg);
          turn = turn.then(() => handle(copy)).catch((e: Error) => event(`message failed: ${e.message}`));
        }
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (!opened) {
        reject(
          new TapkitError(
            "SIM_PCSC_UNREACHABLE",
            `vpcd does not answer on ${host}:${port} (${e.code ?? e.message})`,
            "start pcscd with the vsmartcard-vpcd driver installed: pcscd -f (Debian packages pcscd, vsmartcard-vpcd)",
          ),
        );
      } else {
        event(`vpcd connection error: ${e.message}`);
      }
    });
  });
}
