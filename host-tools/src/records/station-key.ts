// A station's identity: an id ("line1-st3") and an Ed25519 key that signs every audit
// record the station appends. The secret key lives in a file only its owner can read
// (created 0600 on first use, refused when group or others can read it); the database keeps
// only the public key, registered once per station id and never silently replaced.
import { ed25519 } from "@noble/curves/ed25519.js";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { homedir } from "node:os";
import { TapkitError } from "../errors/index.ts";
import { toHex } from "../bytes/hex.ts";

export interface Station {
  id: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

const STATION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkStationId(id: string): void {
  if (!STATION_ID.test(id)) {
    throw new TapkitError("USAGE", `station id ${JSON.stringify(id)} is not usable`, "use 1-64 letters, digits, '.', '_' or '-', e.g. line1-st3");
  }
}

/** A station from a 32-byte Ed25519 secret key. */
export function stationFromSecret(id: string, secretKey: Uint8Array): Station {
  checkStationId(id);
  return { id, secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/** $XDG_DATA_HOME/tapkit/stations/<id>.key, else under ~/.local/share */
export function defaultStationKeyPath(id: string): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "tapkit", "stations", `${id}.key`);
}

/**
 * The station key in `path` (hex, one line), created with a fresh random key when missing.
 * A key file that group or others may read is refused.
 */
export function loadOrCreateStation(id: string, path = defaultStationKeyPath(id)): Station {
  checkStationId(id);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${toHex(ed25519.utils.randomSecretKey())}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new TapkitError(
      "KEY_FILE_PERMISSIONS",
      `station key ${path} can be read by others (mode ${mode.toString(8)})`,
      `chmod 600 ${path}: a station key signs audit records, so only its owner may read it`,
      { path, mode },
    );
  }
  const text = readFileSync(path, "utf8").trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new TapkitError("STATION_KEY_INVALID", `station key ${path} is not 64 hex digits`, "restore the file from the station's backup", { path });
  }
  return stationFromSecret(id, Uint8Array.from(Buffer.from(text, "hex")));
}
