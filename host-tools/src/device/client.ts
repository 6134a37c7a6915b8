// A tapkit device as the host sees it: every op of the catalogue, typed, as `client.ops`
// (host-tools/src/ops), plus conveniences over them (info, framebuffer, NFC injection, log).
// Used by the CLI, the conformance suite and the bench alike, so every tool talks to real and
// simulated devices the same way. `client.session.request(channel, op, args)` stays for raw access.
import { LinkSession, openTransport, CHANNEL } from "../link/index.ts";
import type { BulkOptions, Transport } from "../link/index.ts";
import { definedArgs, opChannel, opsClient, type OpArgs, type OpName, type OpResult, type OpsClient } from "../ops/index.ts";

export type DeviceInfo = OpResult<"info">;
export type AppStatus = OpResult<"status">;

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
  /** Every op of the catalogue: `ops.qr.amount({ amount })`, `ops.shell.info()`, ... */
  readonly ops: OpsClient;

  private constructor(
    readonly session: LinkSession,
    readonly port: string,
  ) {
    this.ops = opsClient(session);
  }

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
    return this.ops.shell.info();
  }

  async ping(data: Uint8Array = new Uint8Array()): Promise<Uint8Array> {
    return (await this.ops.shell.ping({ data })).data;
  }

  async framebuffer(): Promise<Framebuffer> {
    let off = 0;
    let out: Uint8Array | undefined;
    let width = 0;
    let height = 0;
    for (;;) {
      const r = await this.ops.shell.fb({ off });
      width = r.w;
      height = r.h;
      const total = r.total;
      out ??= new Uint8Array(total);
      const chunk = r.data;
      if (chunk.length === 0 && off < total) throw new Error(`device returned an empty framebuffer chunk at offset ${off}`);
      out.set(chunk, off);
      off += chunk.length;
      if (off >= total) break;
    }
    return { width, height, data: out };
  }

  /** One request of op `name` per item, up to `window` outstanding (docs/link-protocol.md, Windowing); results in item order. */
  async bulk<N extends OpName>(name: N, items: OpArgs<N>[], opts: BulkOptions = {}): Promise<OpResult<N>[]> {
    return (await this.session.bulk(opChannel(name), name, items.map(definedArgs), opts)) as OpResult<N>[];
  }

  async nfcApdu(command: Uint8Array): Promise<Uint8Array> {
    return (await this.ops.nfcTest.apdu({ c: command })).r;
  }

  async nfcT2t(command: Uint8Array): Promise<Uint8Array> {
    return (await this.ops.nfcTest.t2t({ c: command })).r;
  }

  async nfcField(on: boolean): Promise<void> {
    await this.ops.nfcTest.field({ on });
  }

  async appStatus(): Promise<AppStatus> {
    return this.ops.device.status();
  }

  async setLogLevel(level: number): Promise<void> {
    await this.ops.log.level({ level });
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
