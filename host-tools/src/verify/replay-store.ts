// The verifier's replay store: the highest counter accepted per tag, kept in a JSON file and
// replaced atomically (write to a temp file, rename), so a crash never loses or corrupts it.
// A tap is accepted only when its counter is strictly greater than the stored one (NXP:
// "reject SDMReadCtr values that have been seen before or that are played out-of-order").
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { TapkitError } from "../errors/index.ts";

export class ReplayStore {
  private readonly last: Record<string, number>;

  constructor(readonly path: string) {
    if (!existsSync(path)) {
      this.last = {};
      return;
    }
    try {
      this.last = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new TapkitError("REPLAY_STORE_CORRUPT", `replay store ${path} is not valid JSON: ${(e as Error).message}`, "restore it from a backup; deleting it re-opens every old tap URL to replay");
    }
  }

  /** Tag ids starting with `prefix`. */
  ids(prefix = ""): string[] {
    return Object.keys(this.last).filter((id) => id.startsWith(prefix));
  }

  lastCounter(tagId: string): number | undefined {
    return this.last[tagId];
  }

  /** Records `counter` for `tagId`, or throws REPLAY when it is not above the last accepted one. */
  accept(tagId: string, counter: number): void {
    const prev = this.last[tagId];
    if (prev !== undefined && counter <= prev) {
      throw new TapkitError("REPLAY", `counter ${counter} for tag ${tagId} is not above the last accepted ${prev}`, "a copied or replayed tap URL; tap the genuine tag again");
    }
    this.last[tagId] = counter;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.last, null, 1) + "\n");
    renameSync(tmp, this.path);
  }
}
