// tapkit serve verify|revoke|rekey: run the tap backend (an HTTP service verifying SUN and
// signed tap URLs, replay state in the records database), and revoke or re-key one tag in
// that database. The database packages load when a command runs.
import { integerOption } from "../option-values.ts";
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { DB_OPTION } from "./audit.ts";

function wholeNumber(value: string | undefined, name: string, fallback: number): number {
  return integerOption(value, name, { min: 0, max: 999_999_999, hint: `e.g. --${name} ${Math.max(fallback, 1)}` }, fallback);
}

/** the spelling verdicts use: entry name as given, a UID upper-case, a signed tag's public key lower-case */
function tagId(text: string): string {
  const [name, id] = text.split(":");
  return `${name}:${id.length === 14 ? id.toUpperCase() : id.toLowerCase()}`;
}

const TAG_ID_HINT = "the tag id a verdict names: <keys entry>:<UID>, e.g. plaque-1:04A1B2C3D4E5F6";

export const serveVerifyCommand: Command = {
  name: "serve verify",
  summary: "the tap backend: an HTTP service verifying SUN and signed tap URLs, replay state in the database",
  usage: "tapkit serve verify [--keys FILE] [--db URL] [--port N] [--host ADDR] [--ip-rate N] [--tag-rate N]",
  examples: [
    "tapkit serve verify --keys tap-keys.json --db postgres://tap@db/taps --port 8080",
    'TAPKIT_TAP_KEYS="$(cat tap-keys.json)" tapkit serve verify --db taps.sqlite --port 8080',
    "curl 'http://127.0.0.1:8080/api/verify?url=https%3A%2F%2Fpay.example.com%2Ft%3Fp%3D...%26c%3D...'",
  ],
  options: {
    keys: { type: "string", help: "keys file, owner-only (chmod 600); default $TAPKIT_TAP_KEYS (the JSON itself)" },
    ...DB_OPTION,
    port: { type: "string", help: "TCP port (default 8080; 0 = any free port, printed)" },
    host: { type: "string", help: "address to listen on (default 127.0.0.1; 0.0.0.0 behind a proxy)" },
    "ip-rate": {
      type: "string",
      help: "requests per second per client address, burst twice that, shared by every process on the same --db (default 50; 0 = off)",
    },
    "tag-rate": { type: "string", help: "taps per second per tag, burst 4x, shared like --ip-rate (default 5; 0 = off)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const port = wholeNumber(opts.port, "port", 8080);
    if (port > 65535) throw usageError(`--port ${port} is not a TCP port`, "0-65535");
    const ipRate = wholeNumber(opts["ip-rate"], "ip-rate", 50);
    const tagRate = wholeNumber(opts["tag-rate"], "tag-rate", 5);
    const { loadBackendKeys, startTapService } = await import("../../backend/index.ts");
    const { openDatabase } = await import("../../db/index.ts");
    const keys = loadBackendKeys(opts.keys);
    const db = await openDatabase(opts.db, { poolSize: 8 });
    const service = await startTapService({ keys, db, port, host: opts.host, ipRate, ipBurst: ipRate * 2, tagRate, tagBurst: tagRate * 4 });
    out.result({ listening: service.url, db: db.where, tags: keys.length }, (v) =>
      out.line(`tap backend listening on ${v.listening} (${v.tags} keys entries, ${v.db}); Ctrl-C stops it`),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await service.close();
    await db.close();
  },
};

export const serveRevokeCommand: Command = {
  name: "serve revoke",
  summary: "refuse every tap of one tag from now on (or --restore to accept it again)",
  usage: "tapkit serve revoke --tag ID [--restore] [--db URL]",
  examples: ["tapkit serve revoke --tag plaque-1:04A1B2C3D4E5F6 --db postgres://tap@db/taps"],
  options: { tag: { type: "string", help: TAG_ID_HINT }, restore: { type: "boolean", help: "lift the revocation" }, ...DB_OPTION, ...JSON_OPTION },
  async run(opts, _pos, out) {
    if (!opts.tag || !/^[^:]+:[0-9A-Fa-f]+$/.test(opts.tag)) throw usageError("--tag ID is required", TAG_ID_HINT);
    const { openDatabase } = await import("../../db/index.ts");
    const { TapState } = await import("../../backend/index.ts");
    const db = await openDatabase(opts.db);
    try {
      await new TapState(db).setRevoked(tagId(opts.tag), !opts.restore);
      out.result({ tag: opts.tag, revoked: !opts.restore }, (v) => out.line(`${v.tag}: ${v.revoked ? "revoked" : "accepted again"}`));
    } finally {
      await db.close();
    }
  },
};

export const serveRekeyCommand: Command = {
  name: "serve rekey",
  summary: "move one tag to a new key epoch: taps of older epochs are refused from now on",
  usage: "tapkit serve rekey --tag ID --epoch N [--counter-limit N] [--db URL]",
  examples: ["tapkit serve rekey --tag plaque-1:04A1B2C3D4E5F6 --epoch 1 --db taps.sqlite"],
  options: {
    tag: { type: "string", help: TAG_ID_HINT },
    epoch: { type: "string", help: "the epoch the tag now counts in (1, 2, ...)" },
    "counter-limit": { type: "string", help: "the tag's counter limit (default 16777216, as its keys entry)" },
    ...DB_OPTION,
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.tag || !/^[^:]+:[0-9A-Fa-f]+$/.test(opts.tag)) throw usageError("--tag ID is required", TAG_ID_HINT);
    const epoch = wholeNumber(opts.epoch, "epoch", -1);
    if (epoch < 1) throw usageError("--epoch N (1 or more) is required", "the epoch after the roll-over, e.g. --epoch 1");
    const limit = wholeNumber(opts["counter-limit"], "counter-limit", 0x1000000);
    const { openDatabase } = await import("../../db/index.ts");
    const { TapState } = await import("../../backend/index.ts");
    const db = await openDatabase(opts.db);
    try {
      await new TapState(db).rekey(tagId(opts.tag), epoch, limit);
      out.result({ tag: opts.tag, epoch }, (v) => out.line(`${v.tag}: epoch ${v.epoch}; older epochs refused`));
    } finally {
      await db.close();
    }
  },
};

export const SERVE_COMMANDS: Command[] = [serveVerifyCommand, serveRevokeCommand, serveRekeyCommand];
