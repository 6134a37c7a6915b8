// Load on tap backend processes, as many phones would make it: each tag is one phone tapping
// with rising counters (one tap in flight per tag, many tags at once, spread over the
// processes). Some taps are fired twice at the same instant at two different processes (a
// replay racing the original: exactly one may be accepted), some are followed by a fresh URL
// for an older counter (out of order: must be refused). Counts what a payment operator must
// see as zero: replays accepted, stale counters accepted, genuine taps refused.
import { Agent, request } from "node:http";

export interface TapLoadOptions {
  /** service base URLs (http://127.0.0.1:PORT) */
  targets: string[];
  tags: number;
  countersPerTag: number;
  /** tap URL for tag index and counter (counters start at 1) */
  mint(tag: number, counter: number): string;
  replayShare?: number;
  staleShare?: number;
  /** tags tapping at once */
  concurrency?: number;
  /**
   * "tap": GET the tap URL's own path and query, as a phone opens it (cheapest for both
   * sides); "api" (default): GET /api/verify?url=<tap URL>.
   */
  via?: "tap" | "api";
}

export interface TapLoadResult {
  requests: number;
  genuine: number;
  accepted: number;
  genuineRefused: number;
  replaysFired: number;
  replaysAccepted: number;
  staleFired: number;
  staleAccepted: number;
  otherStatus: Record<string, number>;
  seconds: number;
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runTapLoad(o: TapLoadOptions): Promise<TapLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const other: Record<string, number> = {};
  const r = { requests: 0, genuine: 0, accepted: 0, genuineRefused: 0, replaysFired: 0, replaysAccepted: 0, staleFired: 0, staleAccepted: 0 };
  const replayShare = o.replayShare ?? 0.2;
  const staleShare = o.staleShare ?? 0.1;
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };

  const address = (target: string, tapUrl: string) =>
    o.via === "tap" ? target + tapUrl.slice(tapUrl.indexOf("/", tapUrl.indexOf("//") + 2)) : `${target}/api/verify?url=${encodeURIComponent(tapUrl)}`;

  const send = (target: string, tapUrl: string): Promise<{ status: number; reason?: string }> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(address(target, tapUrl), { agent }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => {
          latencies.push(performance.now() - started);
          r.requests++;
          let reason: string | undefined;
          try {
            reason = JSON.parse(body).reason;
          } catch {
            reason = undefined;
          }
          resolve({ status: res.statusCode ?? 0, reason });
        });
      });
      req.on("error", (e: NodeJS.ErrnoException) => {
        // a kept-alive socket the server closed as idle just as we reused it: the request never
        // reached the server (Node's documented case), so sending it again is no replay
        if (req.reusedSocket && e.code === "ECONNRESET") send(target, tapUrl).then(resolve, reject);
        else reject(e);
      });
      req.end();
    });

  const phone = async (tag: number) => {
    for (let c = 1; c <= o.countersPerTag; c++) {
      const url = o.mint(tag, c);
      const a = Math.floor(random() * o.targets.length);
      r.genuine++;
      if (random() < replayShare && o.targets.length > 1) {
        const b = (a + 1 + Math.floor(random() * (o.targets.length - 1))) % o.targets.length;
        r.replaysFired++;
        const answers = await Promise.all([send(o.targets[a], url), send(o.targets[b], url)]);
        const ok = answers.filter((x) => x.status === 200).length;
        if (ok === 0) r.genuineRefused++;
        else r.accepted++;
        if (ok > 1) r.replaysAccepted += ok - 1;
        for (const x of answers) if (x.status !== 200 && x.reason !== "replay") other[`${x.status} ${x.reason}`] = (other[`${x.status} ${x.reason}`] ?? 0) + 1;
      } else {
        const x = await send(o.targets[a], url);
        if (x.status === 200) r.accepted++;
        else {
          r.genuineRefused++;
          other[`${x.status} ${x.reason}`] = (other[`${x.status} ${x.reason}`] ?? 0) + 1;
        }
      }
      if (c > 2 && random() < staleShare) {
        r.staleFired++;
        const x = await send(o.targets[Math.floor(random() * o.targets.length)], o.mint(tag, c - 2));
        if (x.status === 200) r.staleAccepted++;
        else if (x.reason !== "counter-backwards") other[`${x.status} ${x.reason}`] = (other[`${x.status} ${x.reason}`] ?? 0) + 1;
      }
    }
  };

  const started = performance.now();
  let next = 0;
  const workers = Array.from({ length: Math.min(o.concurrency ?? 64, o.tags) }, async () => {
    while (next < o.tags) await phone(next++);
  });
  await Promise.all(workers);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((x, y) => x - y);
  return {
    ...r,
    otherStatus: other,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round(r.requests / seconds),
    p50ms: Math.round(percentile(latencies, 50) * 100) / 100,
    p99ms: Math.round(percentile(latencies, 99) * 100) / 100,
  };
}
