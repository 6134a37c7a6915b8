// `tapkit web`: the technician's page, served on 127.0.0.1 only. The page (page/, bundled by
// scripts/build-cli.mjs into dist/web/page.js) runs the same link library as the CLI in the
// browser; it reaches the device over Web Serial when the browser has it and the technician
// picks a port, or through this server's bridge: a WebSocket at /bridge whose binary messages
// are the raw link bytes of the device port the CLI opened (the simulator's tcp:..., or a
// serial device). A per-run token in the URL guards every route, and the bridge also checks
// the Origin header, so another page open in the same browser cannot drive the device.
// Two more routes serve what the page must not hold itself: GET /image/N, the signed images
// named with --image (the page shows their manifests and uploads them over its link), and
// POST /tap, where this process verifies a tap the page read with the keys of --keys
// (tap-judge.ts); the keys never reach the page.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { openTransport, type Transport } from "../link/index.ts";
import { asTapkitError, TapkitError } from "../errors/index.ts";
import { ROOT } from "../paths.ts";
import { acceptWebSocket, type WebSocketPeer } from "./websocket.ts";
import { renderPage, type PageConfig } from "./page-html.ts";
import { judgePostedTap } from "./tap-judge.ts";
import { memoryReplay } from "../field/index.ts";
import type { ReplayGuard, TagKeys } from "../verify/index.ts";

const PAGE_BUNDLE = join(ROOT, "dist", "web", "page.js");

export interface WebServerOptions {
  /** the device port the bridge opens (serial path or tcp:HOST:PORT); none = Web Serial only */
  devicePort?: string;
  baud?: number;
  /** TCP port to listen on, 127.0.0.1 only (0 = any free port) */
  listenPort?: number;
  /** signed images (.tki) the page offers for a firmware update */
  images?: { name: string; bytes: Uint8Array }[];
  /** the tags' keys: the page's tap check is then verified here (SUN MAC / signature) */
  keys?: TagKeys[];
  /** where verified counters are kept (default: in memory for this run) */
  replay?: ReplayGuard;
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
  const images = opts.images ?? [];
  const replay = opts.replay ?? memoryReplay();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const send = (status: number, type: string, body: string | Uint8Array) => {
      res.writeHead(status, {
        "content-type": type,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "content-security-policy": `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src ${origin} ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
        "referrer-policy": "no-referrer",
      });
      res.end(body);
    };
    if (!tokenOk(url.searchParams.get("token"), token)) return send(403, "text/plain", "tapkit web: this address needs the token printed by `tapkit web`\n");
    if (url.pathname === "/tap" && req.method === "POST") {
      // only the page itself posts here (a form elsewhere cannot set this Origin)
      if (req.headers.origin !== origin) return send(403, "text/plain", "tapkit web: wrong origin\n");
      if (!opts.keys) return send(404, "text/plain", "tapkit web runs without --keys: taps are not verified here\n");
      return void readJson(req, 8192).then(
        (body) => {
          try {
            send(200, "application/json", JSON.stringify(judgePostedTap(body, opts.keys!, replay)));
          } catch (e) {
            const err = asTapkitError(e);
            log(`tap check: ${err.message}`);
            send(err.code === "USAGE" ? 400 : 500, "application/json", JSON.stringify({ error: { code: err.code, message: err.message, hint: err.hint } }));
          }
        },
        () => send(400, "text/plain", "a JSON body of at most 8 KiB\n"),
      );
    }
    if (req.method !== "GET") return send(405, "text/plain", "GET only\n");
    if (url.pathname === "/") {
      const config: PageConfig = {
        token,
        bridgePort: opts.devicePort ?? null,
        images: images.map((im, id) => ({ id, name: im.name, bytes: im.bytes.length })),
        tapKeys: Boolean(opts.keys),
      };
      return send(200, "text/html; charset=utf-8", renderPage(config, script));
    }
    const image = /^\/image\/(\d{1,3})$/.exec(url.pathname);
    if (image && images[Number(image[1])]) return send(200, "application/octet-stream", images[Number(image[1])].bytes);
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

/** A request's JSON body, refused past `max` bytes. */
function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (d: Buffer) => {
      size += d.length;
      if (size > max) {
        reject(new Error("too large"));
        req.destroy();
      } else parts.push(d);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString("utf8")));
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
}
