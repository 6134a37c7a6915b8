// The private PostgreSQL server for test files (host-tools/src/db/private-postgres.ts, which
// the bench uses too): findPostgres() says loudly when the server binaries are missing, so
// the suites that need one skip with a reason instead of passing silently.
import { findPostgresBin, type PostgresServer, startPostgres } from "../../host-tools/src/db/private-postgres.ts";

export { startPostgres, type PostgresServer };

export function findPostgres(): string | undefined {
  const bin = findPostgresBin();
  if (bin === undefined) {
    console.warn(
      "\n*** PostgreSQL server binaries (initdb, pg_ctl, createdb) not found: SKIPPING the PostgreSQL tests. Install Debian's postgresql package (.ci/run lists it). ***\n",
    );
  }
  return bin;
}
