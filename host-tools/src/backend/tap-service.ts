// The tap backend: an HTTP service (Node's http) that the tap URL template points to.
//
//   GET <template path>?...   a phone's tap: verdict JSON, or 302 to the entry's `redirect`
//   GET /api/verify?url=U     the verdict for tap URL U, JSON
//   POST /api/verify          body {"url": U} (JSON, at most 4 KiB)
//   GET /health               200 when the database answers, else 503
//
// A tap is checked by the verify library (MAC or signature, the exact URL shape), with per-tag
// keys from the entry's master (AN10922) and the epoch ceiling from the database; then its
// counter is taken by one atomic statement (tap-state.ts). Status: 200 valid, 403 refused
// (bad-mac, bad-signature, replay, counter-backwards, revoked), 404 unknown-tag, 400
// malformed, 405, 408 slow client, 413 body too big, 414 URL too long, 429 rate-limited, 503 database down.
// Bad input stores nothing: the database is written only when a counter is taken.
// One access-log line (JSON) per request: time, client, method, path without the query,
// status, reason, tag id, milliseconds. Never a key, never a MAC or PICCData.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "../db/index.ts";
import { isTapkitError, TapkitError } from "../errors/index.ts";
import { checkTapUrl, type TapVerdict } from "../verify/index.ts";
import { SharedRateLimiter } from "./rate-limit.ts";
import { type BackendTagKeys, tagFileKey } from "./tap-keys.ts";
import { type TapRefusal, TapState } from "./tap-state.ts";

export const MAX_URL_CHARS = 2048;
export const MAX_BODY_BYTES = 4096;
/** How long the per-entry epoch ceiling is trusted before it is read again. */
const EPOCH_TTL_MS = 2000;

export interface TapServiceOptions {
  keys: BackendTagKeys[];
  db: Database;
  port?: number;
  host?: string;
  /** per client address: requests per second (0 = off) and burst */
  ipRate?: number;
  ipBurst?: number;
  /** per tag: accepted-or-refused taps per second (0 = off) and burst */
  tagRate?: number;
  tagBurst?: number;
  /** one JSON object per request */
  log?: (entry: Record<string, unknown>) => void;
  /** slow clients: the headers must arrive within this (default 5 s), ... */
  headersTimeoutMs?: number;
  /** ... and the whole request, body included, within this (default 10 s); else 408 */
  requestTimeoutMs?: number;
}

export type Reason =
  | TapRefusal
  | "bad-mac"
  | "bad-signature"
  | "unknown-tag"
  | "malformed"
  | "rate-limited"
  | "too-large"
  | "too-long"
  | "internal"
  | "database";

export interface Verdict {
  valid: boolean;
  reason?: Reason;
  message?: string;
  tag?: string;
  uid?: string;
  counter?: number;
  epoch?: number;
  serial?: number | null;
  merchant?: string | null;
}

const STATUS: Record<Reason, number> = {
  "bad-mac": 403,
  "bad-signature": 403,
  replay: 403,
  "counter-backwards": 403,
  revoked: 403,
  "unknown-tag": 404,
  malformed: 400,
  "rate-limited": 429,
  "too-large": 413,
  "too-long": 414,
  internal: 500,
  database: 503,
};

const REFUSAL_TEXT: Record<TapRefusal, string> = {
  replay: "this tap URL was already used",
  "counter-backwards": "the tag's counter is below one already accepted (an older tap URL)",
  revoked: "the tag is revoked",
};

/** A refusal the service decides itself (not the verify library's): TAP_REFUSED with its reason. */
function refused(reason: Reason, message: string, tag?: string): TapkitError {
  return new TapkitError("TAP_REFUSED", message, "the verdict's reason says why; a genuine tap is accepted once, in counter order", { reason, tag });
}

function reasonOf(e: unknown): Reason {
  if (isTapkitError(e, "TAP_REFUSED")) return e.details.reason as Reason;
  if (isTapkitError(e, "BAD_MAC") || isTapkitError(e, "BAD_PICC")) return "bad-mac";
  if (isTapkitError(e, "BAD_SIGNATURE")) return "bad-signature";
  if (isTapkitError(e, "UNKNOWN_TAG")) return "unknown-tag";
  if (isTapkitError(e, "BAD_URL") || isTapkitError(e, "BAD_INPUT") || isTapkitError(e, "HEX_INVALID")) return "malformed";
  if (isTapkitError(e, "DB_ERROR")) return "database";
  return "internal";
}

export class TapVerifier {
  private readonly state: TapState;
  private readonly epochs = new Map<string, { epoch: number; at: number }>();
  private readonly tagLimiter: SharedRateLimiter;

  constructor(
    readonly keys: BackendTagKeys[],
    readonly db: Database,
    options: { tagRate?: number; tagBurst?: number } = {},
  ) {
    this.state = new TapState(db);
    this.tagLimiter = new SharedRateLimiter(db, "tag:", options.tagRate ?? 5, options.tagBurst ?? 20);
  }

  private async refreshEpochs(): Promise<void> {
    const now = Date.now();
    for (const k of this.keys) {
      const cached = this.epochs.get(k.name);
      if (cached && now - cached.at < EPOCH_TTL_MS) continue;
      this.epochs.set(k.name, { epoch: await this.state.maxEpoch(k.name, k.counterLimit ?? 0x1000000), at: now });
    }
  }

  /** The verdict for one tap URL; takes its counter when genuine. */
  async verify(url: string): Promise<Verdict> {
    if (url.length > MAX_URL_CHARS) throw refused("too-long", `tap URL longer than ${MAX_URL_CHARS} characters`);
    await this.refreshEpochs();
    const { verdict, replayId } = checkTapUrl(url, this.keys, {
      maxEpoch: (name) => this.epochs.get(name)?.epoch ?? 0,
      fileKeyFor: (entry, uid) => tagFileKey(entry as BackendTagKeys, uid),
    });
    if (!(await this.tagLimiter.take(replayId))) throw refused("rate-limited", "too many taps of this tag", replayId);
    const taken = await this.state.accept(replayId, verdict.tag, verdict.sequence, verdict.uid);
    if (!taken.taken) throw refused(taken.refusal, REFUSAL_TEXT[taken.refusal], replayId);
    const known = this.epochs.get(verdict.tag);
    if (known && verdict.epoch > known.epoch) known.epoch = verdict.epoch;
    return this.describe(verdict, replayId, taken.serial);
  }

  private describe(v: TapVerdict, replayId: string, serial: number | null): Verdict {
    const entry = this.keys.find((k) => k.name === v.tag);
    return { valid: true, tag: replayId, uid: v.uid, counter: v.counter, epoch: v.epoch, serial, merchant: entry?.merchant ?? v.merchant ?? null };
  }

  redirectFor(verdict: Verdict): string | undefined {
    const family = verdict.tag?.split(":")[0];
    const entry = this.keys.find((k) => k.name === family);
    if (!entry?.redirect) return undefined;
    return entry.redirect
      .replaceAll("{tag}", encodeURIComponent(verdict.tag ?? ""))
      .replaceAll("{uid}", verdict.uid ?? "")
      .replaceAll("{counter}", String(verdict.counter ?? ""));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) return reject(refused("too-large", `body over ${MAX_BODY_BYTES} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      // past the limit (a chunked body gives no length up front): answered 413 on a closing
      // connection (see refuse); destroying the request here would cut the answer off too
      if (size > MAX_BODY_BYTES) reject(refused("too-large", `body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Access-log lines written once per event-loop turn rather than one write(2) each: under load
 * a turn answers several requests, and stderr to a file or pipe is a synchronous write. A line
 * waits at most until the loop's next check phase, so a crash loses at most that turn's lines.
 */
class BatchedLines {
  private lines: string[] = [];
  constructor(private readonly write: (text: string) => void) {}
  push(line: string): void {
    if (this.lines.length === 0) setImmediate(() => this.flush());
    this.lines.push(line);
  }
  flush(): void {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join("\n")}\n`;
    this.lines = [];
    this.write(text);
  }
}

export interface RunningTapService {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the service; resolves once it listens. */
export async function startTapService(options: TapServiceOptions): Promise<RunningTapService> {
  const verifier = new TapVerifier(options.keys, options.db, { tagRate: options.tagRate, tagBurst: options.tagBurst });
  const ipLimiter = new SharedRateLimiter(options.db, "ip:", options.ipRate ?? 50, options.ipBurst ?? 100);
  const accessLog = options.log ? undefined : new BatchedLines((text) => process.stderr.write(text));
  const log = options.log ?? ((e: Record<string, unknown>) => accessLog!.push(JSON.stringify(e)));
  // the origin each template's path is served under, to rebuild the URL the phone opened
  const origins = new Map<string, string>();
  for (const k of options.keys) {
    const t = k.template ?? k.url;
    if (!t) continue;
    try {
      const u = new URL(t.replace(/\{[a-z]+\}/g, "X"));
      origins.set(u.pathname, u.origin);
    } catch {
      // a template that is no URL is refused by the verify library when used
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ status: number; reason?: Reason; tag?: string }> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
      res.end(`${JSON.stringify(body)}\n`);
      return status;
    };
    const refuse = (e: unknown) => {
      const reason = reasonOf(e);
      const message = reason === "internal" ? "internal error" : e instanceof Error ? e.message : String(e);
      // a body too large is not read to its end: the connection closes after the answer
      const status = send(STATUS[reason], { valid: false, reason, message } satisfies Verdict, reason === "too-large" ? { connection: "close" } : {});
      return { status, reason, tag: isTapkitError(e, "TAP_REFUSED") ? (e.details.tag as string | undefined) : undefined };
    };
    const raw = req.url ?? "/";
    if (raw.length > MAX_URL_CHARS) return refuse(refused("too-long", `request URL longer than ${MAX_URL_CHARS} characters`));
    try {
      if (!(await ipLimiter.take(req.socket.remoteAddress ?? "?"))) return refuse(refused("rate-limited", "too many requests from this address"));
    } catch (e) {
      return refuse(e);
    }
    const path = raw.split("?")[0];
    if (path === "/health") {
      if (req.method !== "GET") return { status: send(405, { error: "GET only" }, { allow: "GET" }) };
      try {
        await options.db.query("SELECT 1 AS ok");
        return { status: send(200, { ok: true, db: options.db.kind }) };
      } catch {
        return { status: send(503, { ok: false, db: options.db.kind }), reason: "database" };
      }
    }
    let tapUrl: string;
    if (path === "/api/verify") {
      if (req.method === "POST") {
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch (e) {
          return refuse(isTapkitError(e, "TAP_REFUSED") ? e : refused("malformed", 'body must be JSON {"url": "..."}'));
        }
        const u = (body as { url?: unknown } | null)?.url;
        if (typeof u !== "string" || Object.keys(body as object).length !== 1) return refuse(refused("malformed", 'body must be exactly {"url": "..."}'));
        tapUrl = u;
      } else if (req.method === "GET") {
        const q = new URLSearchParams(raw.slice(path.length + 1));
        const u = q.getAll("url");
        if (u.length !== 1 || [...q.keys()].some((k) => k !== "url")) return refuse(refused("malformed", "give exactly one parameter, url"));
        tapUrl = u[0];
      } else return { status: send(405, { error: "GET or POST" }, { allow: "GET, POST" }) };
    } else {
      if (req.method !== "GET") return { status: send(405, { error: "a tap is a GET" }, { allow: "GET" }) };
      const origin = origins.get(path);
      if (!origin) return refuse(refused("unknown-tag", `no tag's URL has the path ${path.slice(0, 80)}`));
      tapUrl = origin + raw;
    }
    try {
      const verdict = await verifier.verify(tapUrl);
      const redirect = path !== "/api/verify" ? verifier.redirectFor(verdict) : undefined;
      if (redirect) {
        res.writeHead(302, { location: redirect, "cache-control": "no-store" });
        res.end();
        return { status: 302, tag: verdict.tag };
      }
      return { status: send(200, verdict), tag: verdict.tag };
    } catch (e) {
      return refuse(e);
    }
  }

  // connectionsCheckingInterval: how often Node enforces the timeouts below (default 30 s)
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end('{"valid":false,"reason":"internal"}\n');
        return { status: 500, reason: "internal" as Reason, tag: undefined };
      })
      .then((r) =>
        log({
          t: new Date().toISOString(),
          client: req.socket.remoteAddress,
          method: req.method,
          path: (req.url ?? "").split("?")[0].slice(0, 200),
          status: r.status,
          reason: r.reason,
          tag: r.tag,
          ms: Math.round((performance.now() - started) * 10) / 10,
        }),
      );
  });
  // slow clients: headers within 5 s, the whole request within 10 s, idle keep-alive 5 s
  server.headersTimeout = options.headersTimeoutMs ?? 5000;
  server.requestTimeout = options.requestTimeoutMs ?? 10_000;
  server.keepAliveTimeout = 5000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          accessLog?.flush();
          resolve();
        });
      }),
  };
}
