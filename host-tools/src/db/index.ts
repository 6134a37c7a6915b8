// The database seam: one async interface over SQLite (embedded default) and PostgreSQL
// (several stations or service processes), opened by URL, schema migrated on open.
export { type Database, type DbKind, type Queryable, type Row, type SqlValue, type TxOptions, dbError, isRetryable, isUniqueViolation } from "./database.ts";
export { defaultDatabasePath, openDatabase, parseDatabaseUrl, type DatabaseTarget } from "./open-database.ts";
export { MIGRATIONS, migrate, schemaVersion, type Migration } from "./migrations.ts";
