// Serves the device's UART on a TCP port, one client at a time, like a serial port that one
// program holds open. While a client is connected, another connection is refused, not
// allowed to take over (the first client would hang, half its answers gone to the newcomer):
// the newcomer gets one text line saying who holds the link (ended with 00, so a link
// receiver drops it as one bad frame), its first link request is answered
// `RESP|ERR {code: "busy", msg}` so `tapkit info --port tcp:...` says why, and the connection
// is closed. Device TX with no client attached is dropped, like a UART with nothing on the
// other end. A client that vanished without closing is found by TCP keepalive.

import net from "node:net";
import type { SimDevice } from "./device.ts";
import { TapkitError } from "../errors/index.ts";
import { encodeFrame, FLAGS, FrameReceiver, type FrameHeader } from "../link/index.ts";

export interface TcpUartServer {
  readonly host: string;
  readonly port: number;
  readonly description: string;
  /** connections accepted so far (refused ones included) */
  readonly connections: number;
  /** connections refused because another client held the link */
  readonly refused: number;
  close(): Promise<void>;
}

export interface ServeTcpOptions {
  host?: string;
  port?: number;
  /** told about every refused connection (the `tapkit sim` console prints it) */
  onRefused?: (who: string, holder: string) => void;
}

/** How long a refused connection may take to send a request before it is closed anyway. */
export const REFUSE_LINGER_MS = 1000;
const KEEPALIVE_MS = 10_000;

function peer(socket: net.Socket): string {
  return `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
}

function refuse(socket: net.Socket, holder: string): void {
  const msg = `the simulator's link is in use by another client (${holder}); close it first`;
  socket.setNoDelay(true);
  socket.write(`tapkit sim: ${msg}\n`);
  socket.write(Uint8Array.of(0));
  const answer = (h: FrameHeader) => {
    if (h.flags !== 0 || socket.destroyed) return;
    socket.end(encodeFrame({ channel: h.channel, flags: FLAGS.RESP | FLAGS.ERR, seq: h.seq, body: { code: "busy", msg } }));
  };
  const receiver = new FrameReceiver({ onBadBody: answer });
  socket.on("data", (chunk: Buffer) => {
    for (const f of receiver.push(new Uint8Array(chunk))) answer(f);
  });
  socket.on("error", () => socket.destroy());
  const linger = setTimeout(() => socket.end(), REFUSE_LINGER_MS);
  socket.on("close", () => clearTimeout(linger));
}

export async function serveTcp(device: SimDevice, options: ServeTcpOptions = {}): Promise<TcpUartServer> {
  const host = options.host ?? "127.0.0.1";
  let client: net.Socket | null = null;
  let holder = "";
  let connections = 0;
  let refused = 0;
  const pending = new Set<net.Socket>();
  const toClient = (bytes: Uint8Array) => {
    if (client && !client.destroyed) client.write(bytes);
  };
  device.on("uart", toClient);

  const server = net.createServer((socket) => {
    connections++;
    if (client && !client.destroyed) {
      refused++;
      options.onRefused?.(peer(socket), holder);
      pending.add(socket);
      socket.on("close", () => pending.delete(socket));
      refuse(socket, holder);
      return;
    }
    client = socket;
    holder = peer(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    socket.on("data", (chunk: Buffer) => {
      if (client === socket) device.receive(new Uint8Array(chunk));
    });
    socket.on("error", () => socket.destroy());
    // The client closing its side ends the connection (a PTY's socat exits): free the link
    // at once, so the next open is not refused while the close completes.
    const release = () => {
      if (client === socket) client = null;
    };
    socket.on("end", release);
    socket.on("close", release);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new TapkitError(
          "SIM_TCP_LISTEN",
          `cannot listen on ${host}:${options.port ?? 0}: ${e.code ?? e.message}`,
          e.code === "EADDRINUSE" ? "pick another --tcp port or leave it out for a free one" : "check the host address",
        ),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    description: `tcp:${host}:${port}`,
    get connections() {
      return connections;
    },
    get refused() {
      return refused;
    },
    async close() {
      device.off("uart", toClient);
      client?.destroy();
      client = null;
      for (const s of pending) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
