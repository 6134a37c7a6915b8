// tapkit ndef build|parse|lint: make tap messages (static, SUN or signed URL templates),
// read any NDEF message as records, and check it against what iPhones and Android phones
// need. `ndef build --port` also stores the result on a device's tag (tag.set).
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { EXIT } from "../../errors/index.ts";
import { withDevice } from "./connect.ts";
import { parseHex, toHex } from "../../bytes/hex.ts";
import {
  aarRecord,
  buildTapTemplate,
  decodeMessage,
  describeRecord,
  encodeMessage,
  externalRecord,
  lintMessage,
  smartPosterRecord,
  textRecord,
  uriRecord,
  setTag,
  type NdefRecord,
} from "../../ndef/index.ts";

function parseHexArg(text: string, what: string): Uint8Array {
  try {
    return parseHex(text);
  } catch {
    throw usageError(`${what} is not hex`, "write bytes as hex, e.g. D1010B5503...");
  }
}

export const ndefBuild: Command = {
  name: "ndef build",
  summary: "build an NDEF message: URI (or SUN/signed tap URL template), Text, Smart Poster, external, AAR",
  usage: "tapkit ndef build [--uri URL | --tap TEMPLATE] [--title T] [--text T] [--lang L] [--aar PKG] [--ext TYPE=HEX] [--port P] [--json]",
  examples: [
    "tapkit ndef build --uri https://pay.example.com/m/12345 --aar com.example.pay",
    "tapkit ndef build --tap 'https://pay.example.com/t?p={picc}&c={mac}' --port /tmp/tapkit-sim-plaque",
    "tapkit ndef build --tap 'https://pay.example.com/s?m=shop42&a=12.50&n={ctr}&t={time}&s={sig}' --sign-slot 0 --json",
  ],
  options: {
    uri: { type: "string", help: "URI record (https:// first for iPhones)" },
    tap: { type: "string", help: "tap URL template with {picc} {mac} | {uid} {ctr} {mac} | {enc} | {ctr} {time} {sig}" },
    "enc-plain": { type: "string", help: "plaintext for the {enc} SDMENCFileData mirror (e.g. amount=12.50)" },
    title: { type: "string", help: "with --uri: a Smart Poster with this title" },
    text: { type: "string", help: "a Text record" },
    lang: { type: "string", help: "language code of text records (default en)" },
    aar: { type: "string", help: "Android Application Record: package name" },
    ext: { type: "string", help: "external record TYPE=HEX, e.g. example.com:pay=0102" },
    "meta-slot": { type: "string", help: "keystore slot of the SUN meta-read key (default 2)" },
    "file-slot": { type: "string", help: "keystore slot of the SUN file-read key (default 3)" },
    "sign-slot": { type: "string", help: "keystore slot of the signing key (default 0)" },
    "counter-limit": { type: "string", help: "SUN counter values per key epoch (default 16777216)" },
    writable: { type: "boolean", help: "with --port: let readers write the tag" },
    ...PORT_OPTION,
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    if (opts.uri && opts.tap) throw usageError("give --uri or --tap, not both", "--tap is a URI with mirror placeholders");
    const num = (name: string) => (opts[name] === undefined ? undefined : Number(opts[name]));
    let config: ReturnType<typeof buildTapTemplate> | null = null;
    let records: NdefRecord[] = [];
    if (opts.tap) {
      config = buildTapTemplate({
        url: opts.tap,
        aar: opts.aar,
        encPlain: opts["enc-plain"],
        metaSlot: num("meta-slot"),
        fileSlot: num("file-slot"),
        signSlot: num("sign-slot"),
        counterLimit: num("counter-limit"),
        writable: Boolean(opts.writable),
      });
      records = decodeMessage(config.m);
    } else {
      if (opts.uri) records.push(opts.title ? smartPosterRecord(opts.uri, opts.title, opts.lang) : uriRecord(opts.uri));
      if (opts.text) records.push(textRecord(opts.text, opts.lang));
      if (opts.ext) {
        const [type, data = ""] = String(opts.ext).split("=");
        records.push(externalRecord(type, parseHexArg(data, "--ext data")));
      }
      if (opts.aar) records.push(aarRecord(opts.aar));
    }
    const message = config ? config.m : encodeMessage(records);
    const lint = lintMessage(message);
    let stored: { errors: string[]; warnings: string[] } | null = null;
    // $TAPKIT_PORT is the default port of every device command, this one included (its help says so).
    const port = opts.port ?? process.env.TAPKIT_PORT;
    if (port) {
      stored = await withDevice({ ...opts, port }, (d) => setTag(d, config ?? { m: message, mode: 0, writable: Boolean(opts.writable) }));
    }
    const { m: _m, ...mirror } = config ?? { m: null };
    out.result(
      {
        message: toHex(message),
        bytes: message.length,
        records: records.map(describeRecord),
        lint,
        mirror: config ? mirror : null,
        stored: stored !== null,
        port: port ?? null,
      },
      (r) => {
        out.line(r.message);
        out.line(`${r.bytes} bytes, ${r.records.length} record(s)`);
        if (config)
          out.line(
            `mirror: mode ${config.mode} picc ${config.picc} uid ${config.uid} ctr ${config.ctr} time ${config.time} enc ${config.enc}/${config.enc_len} mac-input ${config.mac_in} mac ${config.mac}`,
          );
        for (const e of lint.errors) out.line(`lint error: ${e}`);
        for (const w of lint.warnings) out.line(`lint warning: ${w}`);
        if (r.stored) out.line(`stored on the device's tag at ${port}${opts.port ? "" : " ($TAPKIT_PORT)"}`);
      },
    );
  },
};

export const ndefParse: Command = {
  name: "ndef parse",
  summary: "decode an NDEF message (hex) into records",
  usage: "tapkit ndef parse HEX [--json]",
  examples: ["tapkit ndef parse D1011855047061792E6578616D706C652E636F6D2F6D2F3132333435"],
  positionals: [1, 1],
  options: { ...JSON_OPTION },
  async run(_opts, [hex], out) {
    const records = decodeMessage(parseHexArg(hex, "message"));
    const views = records.map(describeRecord);
    out.result({ records: views }, (r) => {
      for (const v of r.records) out.line(JSON.stringify(v));
    });
  },
};

export const ndefLint: Command = {
  name: "ndef lint",
  summary: "check an NDEF message against iPhone/Android needs (https URI first, flags, size); exits 1 on errors",
  usage: "tapkit ndef lint HEX [--json]",
  examples: ["tapkit ndef lint D1011855047061792E6578616D706C652E636F6D2F6D2F3132333435"],
  positionals: [1, 1],
  options: { ...JSON_OPTION },
  async run(_opts, [hex], out) {
    const lint = lintMessage(parseHexArg(hex, "message"));
    out.result(lint, (r) => {
      for (const e of r.errors) out.line(`error: ${e}`);
      for (const w of r.warnings) out.line(`warning: ${w}`);
      if (r.errors.length + r.warnings.length === 0) out.line("ok");
    });
    return lint.errors.length > 0 ? EXIT.failure : EXIT.ok;
  },
};

export const NDEF_COMMANDS: Command[] = [ndefBuild, ndefParse, ndefLint];
