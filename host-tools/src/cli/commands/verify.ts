// tapkit verify sun|tap: check NTAG 424-style SUN parameters with given keys, or a whole tap
// URL against a keys file with the on-disk replay store (strictly increasing counters per tag).
// Exit code 1 with the reason (BAD_MAC, REPLAY, ...) when a tap is not genuine.
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { hexOption, optionalInteger } from "../option-values.ts";
import { loadKeysFile, ReplayStore, verifySun, verifyTapUrl } from "../../verify/index.ts";

export const verifySunCommand: Command = {
  name: "verify sun",
  summary: "verify SUN parameters (PICCData or plain UID/counter, SDMMAC, optional SDMENCFileData)",
  usage: "tapkit verify sun (--picc HEX --meta-key HEX | --uid HEX --ctr N) --mac HEX --file-key HEX [--enc HEX] [--json]",
  examples: [
    "tapkit verify sun --picc EF963FF7828658A599F3041510671E88 --mac 94EED9EE65337086 --meta-key 00000000000000000000000000000000 --file-key 00000000000000000000000000000000",
    "tapkit verify sun --uid 04A1B2C3D4E5F6 --ctr 5 --mac 0123456789ABCDEF --file-key 00112233445566778899AABBCCDDEEFF",
  ],
  options: {
    picc: { type: "string", help: "encrypted PICCData, 32 hex" },
    uid: { type: "string", help: "plain mirror: UID, 14 hex" },
    ctr: { type: "string", help: "plain mirror: counter, decimal 0..16777215" },
    mac: { type: "string", help: "SDMMAC, 16 hex" },
    enc: { type: "string", help: "SDMENCFileData, hex" },
    "meta-key": { type: "string", help: "SDM meta-read key, 32 hex" },
    "file-key": { type: "string", help: "SDM file-read key, 32 hex" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (!opts.mac || !opts["file-key"]) throw usageError("--mac and --file-key are required", "see tapkit verify sun --help");
    const counter = optionalInteger(opts.ctr, "ctr", { min: 0, max: 0xffffff, what: "a SUN counter (24 bits)", hint: "the decimal counter, e.g. --ctr 5" });
    const r = verifySun({
      picc: hexOption(opts.picc, "picc", { bytes: 16 }),
      uid: hexOption(opts.uid, "uid", { bytes: 7 }),
      counter,
      mac: hexOption(opts.mac, "mac", { bytes: 8 })!,
      metaKey: hexOption(opts["meta-key"], "meta-key"),
      fileKey: hexOption(opts["file-key"], "file-key")!,
      enc: hexOption(opts.enc, "enc"),
    });
    const result = {
      valid: true,
      uid: Buffer.from(r.uid).toString("hex").toUpperCase(),
      counter: r.counter,
      fileData: r.fileData ? Buffer.from(r.fileData).toString("latin1") : null,
      fileDataHex: r.fileData ? Buffer.from(r.fileData).toString("hex").toUpperCase() : null,
    };
    out.result(result, (v) => {
      out.line(`valid: UID ${v.uid}, counter ${v.counter}`);
      if (v.fileData !== null) out.line(`file data: ${JSON.stringify(v.fileData)} (${v.fileDataHex})`);
    });
  },
};

export const verifyTapCommand: Command = {
  name: "verify tap",
  summary: "verify a tap URL (SUN or signed) with a keys file; rejects replays using a store on disk",
  usage: "tapkit verify tap URL --keys FILE [--replay FILE] [--json]",
  examples: ["tapkit verify tap 'https://pay.example.com/t?p=...&c=...' --keys keys.json --replay replay.json"],
  positionals: [1, 1],
  options: {
    keys: { type: "string", help: 'JSON keys file: {"tags": [{name, url, mode, metaKey, fileKey | publicKey, alg}]}' },
    replay: { type: "string", help: "replay store (default: KEYS.replay.json next to the keys file)" },
    ...JSON_OPTION,
  },
  async run(opts, [url], out) {
    if (!opts.keys) throw usageError("--keys FILE is required", "a JSON file listing each tag's URL prefix and keys");
    const replay = new ReplayStore(opts.replay ?? `${opts.keys.replace(/\.json$/, "")}.replay.json`);
    const v = verifyTapUrl(url, loadKeysFile(opts.keys), replay);
    out.result({ valid: true, ...v }, (r) => {
      out.line(`valid: tag ${r.tag} (${r.mode})${r.uid ? ` UID ${r.uid}` : ""}, counter ${r.counter}${r.epoch ? ` epoch ${r.epoch}` : ""}`);
      if (r.fileData) out.line(`file data: ${JSON.stringify(r.fileData)}`);
      if (r.merchant !== undefined) out.line(`merchant ${r.merchant ?? "-"}, amount ${r.amount ?? "-"}, time ${r.time ?? "-"}`);
    });
  },
};

export const VERIFY_COMMANDS: Command[] = [verifySunCommand, verifyTapCommand];
