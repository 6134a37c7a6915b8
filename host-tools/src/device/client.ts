// A tapkit device as the host sees it: typed operations over one link session
// (info, framebuffer, NFC injection, log). Used by the CLI, the conformance suite and the
// bench alike, so every tool talks to real and simulated devices the same way.
import { LinkSession, openTransport, CHANNEL } from "../link/index.ts";
import type { Transport } from "../link/index.ts";

export interface DeviceInfo {
  board: string;
  fw: string;
  abi: number;
  shell: string;
  uptime: number;
  link: Record<string, number>;
  mem: Record<string, number>;
  [key: string]: unknown;
}

export interface Framebuffer {
  width: number;
  height: number;
  /** rows of ceil(width/8) bytes, MSB = leftmost pixel, 1 = black */
  data: Uint8Array;
}

export interface ConnectOptions {
  baud?: number;
  timeoutMs?: number;
  retries?: number;
}

export class DeviceClient {
  private constructor(readonly session: LinkSession, readonly port: string) {}

  static async connect(port: string, opts: ConnectOptions = {}): Promise<DeviceClient> {
    const transport = await openTransport(port, { baud: opts.baud });
    return DeviceClient.over(transport, port, opts);
  }

  /** Use an already open transport (in-process simulator, tests). */
  static async over(transport: Transport, port = transport.description, opts: ConnectOptions = {}): Promise<DeviceClient> {
    try {
      const session = await LinkSession.open(transport, { baud: opts.baud, timeoutMs: opts.timeoutMs, retries: opts.retries });
      return new DeviceClient(session, port);
    } catch (e) {
      await transport.close().catch(() => {});
      throw e;
    }
  }

  get hello() {
    return this.session.device;
  }

  async info(): Promise<DeviceInfo> {
    return (await this.session.request(CHANNEL.SHELL, "info")) as unknown as DeviceInfo;
  }

  async ping(data: Uint8Array = new Uint8Array()): Promise<Uint8Array> {
    const r = await this.session.request(CHANNEL.SHELL, "ping", { data });
    return r.data as Uint8Array;
  }

  async framebuffer(): Promise<Framebuffer> {
    let off = 0;
    let out: Uint8Array | undefined;
    let width = 0;
    let height = 0;
    for (;;) {
      const r = await this.session.request(CHANNEL.SHELL, "fb", { off });
      width = r.w as number;
      height = r.h as number;
      const total = r.total as number;
      out ??= new Uint8Array(total);
      const chunk = r.data as Uint8Array;
      if (chunk.length === 0 && off < total) throw new Error(`device returned an empty framebuffer chunk at offset ${off}`);
      out.set(chunk, off);
      off += chunk.length;
      if (off >= total) break;
    }
    return { width, height, data: out };
  }

  async nfcApdu(command: Uint8Array): Promise<Uint8Array> {
    const r = await this.session.request(CHANNEL.NFC_TEST, "apdu", { c: command });
    return r.r as Uint8Array;
  }

  async nfcT2t(command: Uint8Array): Promise<Uint8Array> {
    const r = await this.session.request(CHANNEL.NFC_TEST, "t2t", { c: command });
    return r.r as Uint8Array;
  }

  async nfcField(on: boolean): Promise<void> {
    await this.session.request(CHANNEL.NFC_TEST, "field", { on });
  }

  async appStatus(): Promise<Record<string, unknown>> {
    return this.session.request(CHANNEL.APP, "status");
  }

  async setLogLevel(level: number): Promise<void> {
    await this.session.request(CHANNEL.LOG, "level", { level });
  }

  onLog(cb: (line: { level: number; msg: string; t: number }) => void): void {
    this.session.onEvent((ev) => {
      if (ev.channel === CHANNEL.LOG) cb(ev.body as { level: number; msg: string; t: number });
    });
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
