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

/**
 * A private server for this test file: started in beforeAll, stopped in afterAll.
 * `bin` is undefined (and the skip announced) when the binaries are missing.
 */
export function usePostgres(
  beforeAll: (fn: () => Promise<void>, timeout?: number) => void,
  afterAll: (fn: () => void) => void,
): { bin: string | undefined; server(): PostgresServer } {
  const bin = findPostgres();
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    if (bin) server = await startPostgres(bin);
  }, 120_000);
  afterAll(() => server?.stop());
  return {
    bin,
    server: () => {
      if (!server) throw new Error("PostgreSQL is not running (binaries missing: the suite should have been skipped)");
      return server;
    },
  };
}
