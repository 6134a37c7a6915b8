// Replay state of the tap backend in the database (table tap_state, migration 2).
//
// accept() is one statement on both engines:
//   INSERT ... ON CONFLICT (tag) DO UPDATE SET sequence = excluded.sequence
//   WHERE tap_state.sequence < excluded.sequence AND tap_state.revoked_at IS NULL RETURNING
// so a counter is taken at most once per tag and never below the highest taken, however
// many processes race: PostgreSQL locks the row and re-checks the WHERE against the newest
// version; SQLite runs the statement under the file's write lock. Nothing is read first in
// JavaScript. Only a refusal reads the row back, to say why (replay, backwards, revoked). The
// statement also returns the tap's serial from the records (devices.uid, indexed), so a
// genuine tap costs one round trip.
import type { Database } from "../db/index.ts";

export type TapRefusal = "replay" | "counter-backwards" | "revoked";

export class TapState {
  constructor(readonly db: Database) {}

  /**
   * Takes `sequence` for `tag`: the serial the records know for `uid` when taken, else why not.
   * The serial comes back from the same statement (one round trip per genuine tap).
   */
  async accept(
    tag: string,
    family: string,
    sequence: number,
    uid?: string,
  ): Promise<{ taken: true; serial: number | null } | { taken: false; refusal: TapRefusal }> {
    const now = new Date().toISOString();
    const taken = await this.db.query<{ serial: number | null }>(
      `INSERT INTO tap_state (tag, family, sequence, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tag) DO UPDATE SET sequence = excluded.sequence, updated_at = excluded.updated_at
       WHERE tap_state.sequence < excluded.sequence AND tap_state.revoked_at IS NULL
       RETURNING (SELECT serial FROM devices WHERE uid = $5 LIMIT 1) AS serial`,
      [tag, family, sequence, now, uid ?? null],
    );
    if (taken.length === 1) return { taken: true, serial: taken[0].serial === null ? null : Number(taken[0].serial) };
    const [row] = await this.db.query<{ sequence: number; revoked_at: string | null }>("SELECT sequence, revoked_at FROM tap_state WHERE tag = $1", [tag]);
    if (row?.revoked_at) return { taken: false, refusal: "revoked" };
    return { taken: false, refusal: Number(row?.sequence) === sequence ? "replay" : "counter-backwards" };
  }

  /** The highest epoch accepted for any tag of a keys entry. */
  async maxEpoch(family: string, counterLimit: number): Promise<number> {
    const [row] = await this.db.query<{ s: number | null }>("SELECT MAX(sequence) AS s FROM tap_state WHERE family = $1", [family]);
    const s = row?.s === null || row?.s === undefined ? -1 : Number(row.s);
    return s < 0 ? 0 : Math.floor(s / counterLimit);
  }

  /** Refuses every tap of `tag` from now on (true) or again accepts them (false). */
  async setRevoked(tag: string, revoked: boolean): Promise<void> {
    const family = tag.split(":")[0];
    const now = new Date().toISOString();
    await this.db.run(
      `INSERT INTO tap_state (tag, family, sequence, revoked_at, updated_at) VALUES ($1, $2, -1, $3, $4)
       ON CONFLICT (tag) DO UPDATE SET revoked_at = excluded.revoked_at, updated_at = excluded.updated_at`,
      [tag, family, revoked ? now : null, now],
    );
  }

  /**
   * Re-keying: the tag now counts in `epoch` (its keys derived for that epoch, as the firmware
   * rolls over at counter exhaustion); every tap of an older epoch is refused from now on.
   */
  async rekey(tag: string, epoch: number, counterLimit: number): Promise<void> {
    const family = tag.split(":")[0];
    const floor = epoch * counterLimit - 1;
    await this.db.run(
      `INSERT INTO tap_state (tag, family, sequence, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tag) DO UPDATE SET sequence = excluded.sequence, updated_at = excluded.updated_at
       WHERE tap_state.sequence < excluded.sequence`,
      [tag, family, floor, new Date().toISOString()],
    );
  }

  async state(tag: string): Promise<{ sequence: number; revoked: boolean } | undefined> {
    const [row] = await this.db.query<{ sequence: number; revoked_at: string | null }>("SELECT sequence, revoked_at FROM tap_state WHERE tag = $1", [tag]);
    return row ? { sequence: Number(row.sequence), revoked: row.revoked_at !== null } : undefined;
  }
}
