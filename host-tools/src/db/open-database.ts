// Opening a database by URL: `postgres://...` (or postgresql://) is PostgreSQL; `sqlite:PATH`
// or a plain path is a SQLite file; nothing given is $TAPKIT_DB, else the default SQLite file
// under the user's data directory. Every open runs the pending schema migrations.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { TapkitError } from "../errors/index.ts";
import type { Database } from "./database.ts";
import { migrate } from "./migrations.ts";
import { PostgresDatabase } from "./postgres.ts";
import { SqliteDatabase } from "./sqlite.ts";

/** $XDG_DATA_HOME/tapkit/records.sqlite, else ~/.local/share/tapkit/records.sqlite */
export function defaultDatabasePath(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "tapkit", "records.sqlite");
}

export type DatabaseTarget = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** What a --db value names (no connection made). */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  const value = url ?? process.env.TAPKIT_DB ?? "";
  if (value === "") return { kind: "sqlite", path: defaultDatabasePath() };
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: "postgres", url: value };
  if (/^sqlite:/i.test(value)) {
    const path = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw badUrl(value);
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw badUrl(value);
  return { kind: "sqlite", path: resolve(value) };
}

function badUrl(value: string): TapkitError {
  return new TapkitError(
    "DB_URL",
    `cannot tell which database ${JSON.stringify(value.replace(/:[^:@/]*@/, ":***@"))} is`,
    "give postgres://user@host/dbname, sqlite:PATH or a plain file path (SQLite)",
  );
}

/** Opens the database a --db value names and brings its schema up to date. */
export async function openDatabase(url?: string, options: { poolSize?: number } = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const db = target.kind === "postgres" ? new PostgresDatabase(target.url, options.poolSize) : new SqliteDatabase(target.path);
  try {
    await migrate(db);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return db;
}
