// SQLite behind the Database interface (better-sqlite3, synchronous underneath). WAL mode
// so readers never block the writer and several processes share the file; a busy timeout
// so a second station waits for the write lock instead of failing. Transactions are
// BEGIN IMMEDIATE: the write lock is taken up front, so two processes never both read the
// same head and then both write (no SQLITE_BUSY upgrade deadlock half-way through).
//
// better-sqlite3 is synchronous and one connection has one transaction at a time, so
// transactions of one process queue on an in-process chain; statements outside a
// transaction go straight through.
import BetterSqlite3 from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Database, type Queryable, type Row, type SqlValue, type TxOptions, dbError, isRetryable, isUniqueViolation } from "./database.ts";

export const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/** `$1 ... $n` -> `?` with the parameters reordered to match (our SQL has no `$` in literals). */
function positional(sql: string, params: readonly SqlValue[]): { text: string; values: SqlValue[] } {
  const values: SqlValue[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    values.push(params[Number(n) - 1] ?? null);
    return "?";
  });
  return { text, values };
}

class SqliteQueryable implements Queryable {
  readonly kind = "sqlite" as const;
  constructor(
    protected readonly db: BetterSqlite3.Database,
    readonly where: string,
  ) {}
  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    try {
      const { text, values } = positional(sql, params);
      const stmt = this.db.prepare(text);
      if (stmt.reader) return stmt.all(...values) as T[];
      stmt.run(...values);
      return [];
    } catch (e) {
      throw isRetryable(e) || isUniqueViolation(e) ? e : dbError(this.where, e);
    }
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      const { text, values } = positional(sql, params);
      return this.db.prepare(text).run(...values).changes;
    } catch (e) {
      throw isRetryable(e) || isUniqueViolation(e) ? e : dbError(this.where, e);
    }
  }
}

export class SqliteDatabase extends SqliteQueryable implements Database {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new BetterSqlite3(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    super(db, `sqlite:${path}`);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>, _options?: TxOptions): Promise<T> {
    const next = this.queue.then(() => this.runTransaction(fn));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.db.exec("BEGIN IMMEDIATE");
      } catch (e) {
        if (isRetryable(e) && attempt < 20) continue;
        throw dbError(this.where, e);
      }
      try {
        const result = await fn(this);
        this.db.exec("COMMIT");
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        if (isRetryable(e) && attempt < 20) continue;
        throw e;
      }
    }
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
