// Rate limits per client address and per tag: token buckets (`perSecond` refill, `burst`
// deep) kept in the database (table rate_buckets), so every backend process behind a
// balancer draws from the same bucket: four processes allow the limit once, not four times.
//
// A take is one atomic statement: the row's tokens are refilled for the time since it was
// last counted, and one is taken only if at least one is there (INSERT ... ON CONFLICT DO
// UPDATE ... WHERE ... RETURNING): PostgreSQL locks the row and re-checks the WHERE against
// the newest version; SQLite runs it under the file's write lock. Time is each process's
// clock, and a row's time only moves forward, so a process whose clock lags never refills
// a bucket twice for the same interval.
//
// In front of the database, each process keeps a local copy of each bucket that counts only
// the takes the database granted through this process. It never holds more than the shared
// bucket (same refill, fewer takes), so when it is empty the shared one is too and the
// request is refused without a round trip: a flood from one address at one process costs
// no database work.
import type { Queryable } from "../db/index.ts";

/** A token bucket per key in this process's memory (the local pre-check). */
export class LocalBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  private bucket(key: string, now: number): { tokens: number; at: number } {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.clear(); // bounded memory under a flood of addresses
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.perSecond);
    b.at = Math.max(b.at, now);
    return b;
  }

  /** Whether a token is there, without taking it. */
  has(key: string, now = Date.now()): boolean {
    return this.bucket(key, now).tokens >= 1;
  }

  /** Takes one token (never below zero). */
  take(key: string, now = Date.now()): void {
    const b = this.bucket(key, now);
    b.tokens = Math.max(0, b.tokens - 1);
  }
}

const TAKE = `INSERT INTO rate_buckets (key, tokens, at_ms) VALUES ($1, CAST($2 AS DOUBLE PRECISION) - 1, $3)
ON CONFLICT (key) DO UPDATE SET
  tokens = CASE
    WHEN rate_buckets.tokens + (CASE WHEN excluded.at_ms > rate_buckets.at_ms THEN excluded.at_ms - rate_buckets.at_ms ELSE 0 END) * CAST($4 AS DOUBLE PRECISION) > CAST($2 AS DOUBLE PRECISION)
    THEN CAST($2 AS DOUBLE PRECISION)
    ELSE rate_buckets.tokens + (CASE WHEN excluded.at_ms > rate_buckets.at_ms THEN excluded.at_ms - rate_buckets.at_ms ELSE 0 END) * CAST($4 AS DOUBLE PRECISION)
  END - 1,
  at_ms = CASE WHEN excluded.at_ms > rate_buckets.at_ms THEN excluded.at_ms ELSE rate_buckets.at_ms END
WHERE rate_buckets.tokens + (CASE WHEN excluded.at_ms > rate_buckets.at_ms THEN excluded.at_ms - rate_buckets.at_ms ELSE 0 END) * CAST($4 AS DOUBLE PRECISION) >= 1
RETURNING tokens`;

/** How often a process deletes buckets that have refilled completely (they equal no row). */
const SWEEP_EVERY_MS = 60_000;

export class SharedRateLimiter {
  private readonly local: LocalBuckets;
  private lastSweep = Date.now();

  /**
   * `prefix` names the limit in the table ("ip:", "tag:"); `perSecond` <= 0 turns it off.
   */
  constructor(
    private readonly db: Queryable,
    readonly prefix: string,
    readonly perSecond: number,
    readonly burst: number,
  ) {
    this.local = new LocalBuckets(perSecond, burst);
  }

  /** Takes one token for `key` from the shared bucket; false when there is none. */
  async take(key: string, now = Date.now()): Promise<boolean> {
    if (this.perSecond <= 0) return true;
    if (!this.local.has(key, now)) return false;
    const granted = await this.db.query(TAKE, [this.prefix + key, this.burst, now, this.perSecond / 1000]);
    if (granted.length === 0) return false;
    this.local.take(key, now);
    if (now - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now;
      // a bucket untouched for burst / perSecond seconds is full again: the row says nothing
      const fullAfterMs = Math.ceil((this.burst / this.perSecond) * 1000);
      await this.db.run("DELETE FROM rate_buckets WHERE key LIKE $1 AND at_ms < $2", [`${this.prefix}%`, now - fullAfterMs]);
    }
    return true;
  }
}
