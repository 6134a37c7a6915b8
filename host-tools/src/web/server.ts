// `tapkit web`: the technician's page, served on 127.0.0.1 only. The page (page/, bundled by
// scripts/build-cli.mjs into dist/web/page.js) runs the same link library as the CLI in the
// browser; it reaches the device over Web Serial when the browser has it and the technician
// picks a port, or through this server's bridge: a WebSocket at /bridge whose binary messages
// are the raw link bytes of the device port the CLI opened (the simulator's tcp:..., or a
// serial device). A per-run token in the URL guards every route, and the bridge also checks
// the Origin header, so another page open in the same browser cannot drive the device.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { openTransport, type Transport } from "../link/index.ts";
import { TapkitError } from "../errors/index.ts";
import { ROOT } from "../paths.ts";
import { acceptWebSocket, type WebSocketPeer } from "./websocket.ts";
import { renderPage, type PageConfig } from "./page-html.ts";

const PAGE_BUNDLE = join(ROOT, "dist", "web", "page.js");

export interface WebServerOptions {
  /** the device port the bridge opens (serial path or tcp:HOST:PORT); none = Web Serial only */
  devicePort?: string;
  baud?: number;
  /** TCP port to listen on, 127.0.0.1 only (0 = any free port) */
  listenPort?: number;
  /** told about bridge connections and failures, for the CLI's log */
  onEvent?: (text: string) => void;
}

export interface WebServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function tokenOk(given: string | null, token: string): boolean {
  if (!given || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  if (!existsSync(PAGE_BUNDLE)) throw new TapkitError("FILE_UNREADABLE", `the web page is not built (${PAGE_BUNDLE} is missing)`, "run npm run build");
  const script = readFileSync(PAGE_BUNDLE, "utf8");
  const token = randomBytes(16).toString("hex");
  const log = opts.onEvent ?? (() => {});
  let bridge: { peer: WebSocketPeer; transport?: Transport } | undefined;
  let origin = "";

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, {
        "content-type": type,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "content-security-policy": `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
        "referrer-policy": "no-referrer",
      });
      res.end(body);
    };
    if (!tokenOk(url.searchParams.get("token"), token)) return send(403, "text/plain", "tapkit web: this address needs the token printed by `tapkit web`\n");
    if (req.method !== "GET") return send(405, "text/plain", "GET only\n");
    if (url.pathname === "/") {
      const config: PageConfig = { token, bridgePort: opts.devicePort ?? null, updates: false };
      return send(200, "text/html; charset=utf-8", renderPage(config, script));
    }
    return send(404, "text/plain", "not found\n");
  });

  server.on("upgrade", async (req, socket) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname !== "/bridge" || !tokenOk(url.searchParams.get("token"), token) || req.headers.origin !== origin) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    if (!opts.devicePort) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    const peer = acceptWebSocket(req, socket);
    if (!peer) return;
    // One page drives the device at a time: a reload replaces the old bridge.
    if (bridge) {
      bridge.peer.close(1001, "replaced by a newer page");
      await bridge.transport?.close().catch(() => {});
    }
    const mine: { peer: WebSocketPeer; transport?: Transport } = { peer };
    bridge = mine;
    try {
      const transport = await openTransport(opts.devicePort, { baud: opts.baud });
      mine.transport = transport;
      log(`bridge: page connected to ${transport.description}`);
      transport.onData((bytes) => peer.send(bytes));
      transport.onClose?.((err) => {
        log(`bridge: ${transport.description} closed${err ? `: ${err.message}` : ""}`);
        peer.close(1011, err ? err.message.slice(0, 100) : "device port closed");
      });
      peer.onMessage((data) => void transport.write(data).catch((e) => log(`bridge: write failed: ${(e as Error).message}`)));
      peer.onClose(() => {
        log("bridge: page disconnected");
        void transport.close();
        if (bridge === mine) bridge = undefined;
      });
    } catch (e) {
      const err = e as Error & { hint?: string };
      log(`bridge: cannot open ${opts.devicePort}: ${err.message}`);
      peer.close(1011, `cannot open ${opts.devicePort}: ${err.message}`.slice(0, 120));
      if (bridge === mine) bridge = undefined;
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new TapkitError("PORT_BUSY", `127.0.0.1:${opts.listenPort} is in use`, "pick another --listen port, or leave it out for any free port")
          : e,
      ),
    );
    server.listen(opts.listenPort ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    token,
    port,
    async close() {
      bridge?.peer.close(1001, "tapkit web is stopping");
      await bridge?.transport?.close().catch(() => {});
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
