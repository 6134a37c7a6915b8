// Serves the device's UART on a TCP port, one client at a time: a new connection replaces
// the old one, as plugging a different cable into the same serial port would. Device TX
// with no client attached is dropped, like a UART with nothing on the other end.

import net from "node:net";
import type { SimDevice } from "./device.ts";
import { TapkitError } from "../errors/index.ts";

export interface TcpUartServer {
  readonly host: string;
  readonly port: number;
  readonly description: string;
  /** connections accepted so far */
  readonly connections: number;
  close(): Promise<void>;
}

export async function serveTcp(device: SimDevice, options: { host?: string; port?: number } = {}): Promise<TcpUartServer> {
  const host = options.host ?? "127.0.0.1";
  let client: net.Socket | null = null;
  let connections = 0;
  const toClient = (bytes: Uint8Array) => {
    if (client && !client.destroyed) client.write(bytes);
  };
  device.on("uart", toClient);

  const server = net.createServer((socket) => {
    connections++;
    client?.destroy();
    client = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (client === socket) device.receive(new Uint8Array(chunk));
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (client === socket) client = null;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(new TapkitError("SIM_TCP_LISTEN", `cannot listen on ${host}:${options.port ?? 0}: ${e.code ?? e.message}`, e.code === "EADDRINUSE" ? "pick another --tcp port or leave it out for a free one" : "check the host address")),
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
    async close() {
      device.off("uart", toClient);
      client?.destroy();
      client = null;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
