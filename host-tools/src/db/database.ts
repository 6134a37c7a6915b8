// The one async database interface tapkit's records, audit trail, tap backend and settlement
// use, whether the file is SQLite (embedded default) or the server is PostgreSQL (a line with
// several stations, several backend processes). Callers write portable SQL with $1, $2, ...
// placeholders; anything that differs between the two (column types, locks) goes through
// `kind` in the few places that need it (migrations, the audit append).
import { TapkitError } from "../errors/index.ts";

export type DbKind = "sqlite" | "postgres";

/** One SQL parameter: text, a number, a bigint, or null. Bytes are stored as hex text. */
export type SqlValue = string | number | bigint | null;

export type Row = Record<string, unknown>;

export interface Queryable {
  readonly kind: DbKind;
  /** Rows of a SELECT (or of an INSERT/UPDATE ... RETURNING). */
  query<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface TxOptions {
  /**
   * One writer at a time for this key across every process: a PostgreSQL transaction-scoped
   * advisory lock (statements then see everything the previous holder committed). SQLite's
   * transactions always hold the file's write lock (BEGIN IMMEDIATE), so it needs no key.
   */
  lockKey?: number;
}

export interface Database extends Queryable {
  /** Where it is, without any password (for messages and logs). */
  readonly where: string;
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it throws.
   * Serialisation failures and deadlocks (PostgreSQL 40001/40P01) and SQLITE_BUSY retry the
   * whole function, so `fn` must be free of side effects outside `tx`.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TxOptions): Promise<T>;
  close(): Promise<void>;
}

/** Errors the caller may retry the whole transaction after. */
export function isRetryable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01" || code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT";
}

/** A unique or primary key constraint refused the row (both engines). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export function dbError(where: string, e: unknown): TapkitError {
  if (e instanceof TapkitError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  return new TapkitError(
    "DB_ERROR",
    `database ${where}: ${message}`,
    "check that the database is reachable (--db URL) and that this tapkit's migrations ran (tapkit opens with them)",
    typeof code === "string" ? { dbCode: code, where } : { where },
    { cause: e },
  );
}
