// The host's side of the boot channel (docs/link-protocol.md, "boot channel"): a session
// whose hello goes to the board shell itself, so it works when no firmware image runs, and
// typed calls for the shell's update ops. A device refusal arrives as a TapkitError with
// the device's own code (IMAGE_* or BOOT_*), reason and hint, exit 1.
import { toHexLower as hex } from "../bytes/hex.ts";
import { TapkitError } from "../errors/index.ts";
import { LinkError, LinkSession, openTransport, type Body, type Transport } from "../link/index.ts";
import { BOOT_CHANNEL, type SlotReport } from "../boot/boot-protocol.ts";

export interface SlotListing {
  slots: SlotReport[];
  /** the security counter the device recorded */
  counter: number;
  /** the trust anchor's key id, or null when none is set */
  anchor: string | null;
  running: "none" | "development" | "trial" | "confirmed";
  chunk: number;
  max: number;
}

export interface BeginAnswer {
  sid?: number;
  slot: number;
  off: number;
  chunk: number;
  resumed?: boolean;
  /** the image already sits verified and pending in the slot */
  done?: boolean;
  /** the device already runs this image */
  installed?: boolean;
}

export interface BootClientOptions {
  baud?: number;
  timeoutMs?: number;
  retries?: number;
}

export class BootClient {
  private constructor(
    readonly session: LinkSession,
    readonly port: string,
  ) {}

  static async connect(port: string, opts: BootClientOptions = {}): Promise<BootClient> {
    return BootClient.over(await openTransport(port, { baud: opts.baud }), port, opts);
  }

  static async over(transport: Transport, port = transport.description, opts: BootClientOptions = {}): Promise<BootClient> {
    try {
      const session = await LinkSession.open(transport, { baud: opts.baud, timeoutMs: opts.timeoutMs, retries: opts.retries, helloChannel: BOOT_CHANNEL });
      return new BootClient(session, port);
    } catch (e) {
      await transport.close().catch(() => {});
      if (e instanceof LinkError && e.code === "DEVICE_ERROR" && e.details.deviceCode === "unknown-channel") {
        throw new TapkitError(
          "BOOT_UNSUPPORTED",
          `${port} answers, but its shell serves no boot channel: it cannot be updated over the link`,
          "run the simulator with --state DIR (its shell is then the bootloader), or flash this board with its own programmer",
        );
      }
      throw e;
    }
  }

  /**
   * The boot channel on a session that is already open (the web page's one link to the
   * device); say rehello() before the first upload call. close() would end that session too.
   */
  static onSession(session: LinkSession, port: string): BootClient {
    return new BootClient(session, port);
  }

  get board(): string {
    return this.session.device.board;
  }

  async call(op: string, args: Body = {}, timeoutMs?: number): Promise<Body> {
    try {
      return await this.session.request(BOOT_CHANNEL, op, args, timeoutMs ? { timeoutMs } : {});
    } catch (e) {
      throw this.deviceRefusal(e);
    }
  }

  /** upload.chunk requests, `window` in flight, each answered with the bytes held from the start. */
  async chunks(items: { sid: number; off: number; data: Uint8Array }[], window: number, onProgress: (done: number) => void): Promise<number> {
    try {
      const answers = await this.session.bulk(BOOT_CHANNEL, "upload.chunk", items as unknown as Body[], { window, onProgress: (done) => onProgress(done) });
      return answers.reduce((m, a) => Math.max(m, Number(a.off)), 0);
    } catch (e) {
      throw this.deviceRefusal(e);
    }
  }

  /** A device's ERR answer as the device's own refusal (code, reason, hint); anything else unchanged. */
  deviceRefusal(e: unknown): unknown {
    if (e instanceof LinkError && e.code === "DEVICE_ERROR" && e.details.deviceCode) {
      return new TapkitError(e.details.deviceCode.toUpperCase() as Uppercase<string>, e.details.deviceMsg ?? e.message, e.hint, { device: this.port });
    }
    return e;
  }

  async slots(): Promise<SlotListing> {
    return (await this.call("slots")) as unknown as SlotListing;
  }

  async trust(publicKey: Uint8Array): Promise<string> {
    return String((await this.call("trust", { key: publicKey })).kid);
  }

  async begin(sha256: Uint8Array, imageBytes: number, head: Uint8Array): Promise<BeginAnswer> {
    return (await this.call("upload.begin", { sha: sha256, len: imageBytes, head })) as unknown as BeginAnswer;
  }

  async finish(sid: number): Promise<{ slot: number; state: string }> {
    // the device hashes and verifies the whole slot before it answers
    return (await this.call("upload.finish", { sid }, 5000)) as unknown as { slot: number; state: string };
  }

  async confirm(): Promise<Body> {
    return this.call("confirm");
  }

  async revert(): Promise<Body> {
    return this.call("revert");
  }

  async reset(): Promise<void> {
    await this.call("reset");
  }

  /** Says hello again after a reset (the shell's answer cache is gone) and returns the new listing. */
  async rehello(): Promise<void> {
    await this.call("hello", { v: [1], max: 1024, n: Math.floor(Math.random() * 0x1_0000_0000) }, 2000);
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

export const shortSha = (sha: Uint8Array | undefined): string => (sha ? hex(sha).slice(0, 16) : "-");
