// PostgreSQL behind the Database interface (the pg package, a small pool). Transactions run
// SERIALIZABLE and retry on serialisation failure, so a transaction either sees the database
// as if it ran alone or runs again; `lockKey` adds a transaction-scoped advisory lock for the
// few places that must run one at a time across every process (the audit chain's append).
import pg from "pg";
import { type Database, type Queryable, type Row, type SqlValue, type TxOptions, dbError, isRetryable, isUniqueViolation } from "./database.ts";

// BIGINT (int8) columns come back as numbers, not strings: our values (serials, counters,
// milliseconds) stay below 2^53, and one representation on both engines keeps callers simple.
pg.types.setTypeParser(20, (v: string) => Number(v));

const MAX_ATTEMPTS = 50;

type Client = pg.Pool | pg.PoolClient;

// Statements with parameters run as named prepared statements: PostgreSQL parses and plans
// each once per connection instead of once per call (the tap backend runs one statement per
// request). pg prepares a name on a connection the first time it sees it there.
const statementNames = new Map<string, string>();
function prepared(sql: string, params: readonly SqlValue[]): pg.QueryConfig {
  if (params.length === 0) return { text: sql };
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `tapkit_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return { name, text: sql, values: params as unknown[] };
}

class PgQueryable implements Queryable {
  readonly kind = "postgres" as const;
  constructor(
    protected readonly client: Client,
    readonly where: string,
  ) {}
  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    try {
      return (await this.client.query(prepared(sql, params))).rows as T[];
    } catch (e) {
      throw isRetryable(e) || isUniqueViolation(e) ? e : dbError(this.where, e);
    }
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      return (await this.client.query(prepared(sql, params))).rowCount ?? 0;
    } catch (e) {
      throw isRetryable(e) || isUniqueViolation(e) ? e : dbError(this.where, e);
    }
  }
}

/** postgres://user:secret@host/db -> postgres://user@host/db */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return "postgres://(unparsable url)";
  }
}

export class PostgresDatabase extends PgQueryable implements Database {
  private readonly pool: pg.Pool;

  constructor(url: string, poolSize = 4) {
    const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
    // an idle client whose server went away must not crash the process
    pool.on("error", () => undefined);
    super(pool, redactUrl(url));
    this.pool = pool;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TxOptions = {}): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw dbError(this.where, e);
    }
    // a server that goes away mid-transaction makes the checked-out client emit 'error' too:
    // the failing query reports it, the event must not crash the process
    const ignore = () => undefined;
    client.on("error", ignore);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          // Under an advisory lock every statement must see what the previous holder committed,
          // so the snapshot is per statement (READ COMMITTED); without one, SERIALIZABLE.
          await client.query(options.lockKey === undefined ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN ISOLATION LEVEL READ COMMITTED");
          if (options.lockKey !== undefined) await client.query("SELECT pg_advisory_xact_lock($1)", [options.lockKey]);
          const result = await fn(new PgQueryable(client, this.where));
          await client.query("COMMIT");
          return result;
        } catch (e) {
          await client.query("ROLLBACK").catch(() => undefined);
          if (isRetryable(e) && attempt < MAX_ATTEMPTS) {
            await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
            continue;
          }
          throw dbError(this.where, e);
        }
      }
    } finally {
      client.off("error", ignore);
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
