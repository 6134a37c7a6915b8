// Input generators for the fuzzing campaign: seed corpora (real commands and requests, built
// with outside encoders where one exists: the `ndef` package for NDEF, cborg for CBOR) and
// the mutations applied to them. Every link op the firmware serves has seed arguments here;
// tests/fuzz/fuzz-firmware.test.ts probes the firmware for ops this table lacks.
import ndef from "ndef";
import { encode as cborgEncode } from "cborg";
import { buildTapTemplate } from "../../host-tools/src/ndef/tap-template.ts";
import {
  buildSyncToken,
  certifyDevice,
  COSE_ALG_EDDSA,
  walletProvisionArgs,
  encodeVoucherPayload,
  signerFromSecret,
  signSign1,
} from "../../host-tools/src/wallet/index.ts";
import { opChannel, type OpName } from "../../host-tools/src/ops/index.ts";
import { type Rand, mutateBytes } from "./random.ts";
import { ENVELOPE, MERCHANT, PAYEE, PIN, fuzzIssuer } from "./rig.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const ascii = (s: string) => Array.from(Buffer.from(s, "latin1"));

// ---- Type 4 (NDEF tag application) ----

export const T4T_CORPUS: Uint8Array[] = [
  "00A4040007D276000085010100",
  "00A4040C07D2760000850101",
  "00A4040007D276000085010000",
  "00A4000C02E103",
  "00A4000C02E104",
  "00A4000002E104",
  "00B000000F",
  "00B0000002",
  "00B00002FF",
  "00B003F000",
  "00B0820040",
  "00B081000F",
  "00B0000000",
  "00D60000020000",
  "00D600020DD1010955046578616D706C65",
  "00D60000020010",
  "00B1000005540300000000",
  "00D600000100",
  "00A4040007D276000085010100A4",
].map(hex);

// ---- Wallet applet (card), docs/wallet-apdu.md ----

const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const apdu = (ins: number, p1: number, p2: number, data?: number[], le?: number) =>
  Uint8Array.from([0x00, ins, p1, p2, ...(data ? [data.length, ...data] : []), ...(le === undefined ? [] : [le])]);

export const WALLET_SELECT = hex("00A4040007F07461706B5731");

export function walletCorpus(): Uint8Array[] {
  const challenge = Array.from({ length: 16 }, (_, i) => 0xc0 + i);
  const issuer = fuzzIssuer();
  const sync = buildSyncToken(issuer.batch, { deviceId: new Uint8Array(8).fill(0x5a), epoch: 1, settledCounter: 0, topUp: 100 });
  return [
    WALLET_SELECT,
    apdu(0xca, 0, 0),
    apdu(0xca, 0, 1),
    apdu(0xca, 0, 2),
    apdu(0xca, 0, 3),
    apdu(0xca, 0, 4),
    apdu(0xca, 0, 0, undefined, 0),
    apdu(0xca, 0, 0, undefined, 8),
    apdu(0xca, 0, 5),
    apdu(0x5c, 0, 0, be32(1)),
    apdu(0x50, 0, 0, [16, ...challenge, PAYEE.length, ...ascii(PAYEE)]),
    apdu(0x50, 0, 0, [16, ...challenge, PAYEE.length, ...ascii(PAYEE), 0, 0, 0, 0, 0x66, 0x00, 0x00, 0x00]),
    apdu(0x52, 0, 0, [...be32(250), ...ascii("EUR"), 0]),
    apdu(0x52, 0, 0, [...be32(250), ...ascii("EUR"), 1]),
    apdu(0xb2, 1, 4),
    apdu(0xb2, 0x20, 4),
    apdu(0x20, 0, 0x80, ascii(PIN)),
    apdu(0x20, 0, 0x80, ascii(PIN)),
    apdu(0x20, 0, 0x80, ascii("0000")),
    apdu(0x20, 0, 0x80),
    apdu(0x24, 0, 0x80, ascii(PIN)),
    apdu(0xd4, 1, 1, [...be32(500), ...be32(2000), ...be32(5)]),
    apdu(0xd4, 1, 2, be32(1000)),
    apdu(0xd4, 1, 3),
    apdu(0x54, 0, 0, [...be32(5), ...be32(100), ...ascii("EUR"), 0]),
    apdu(0x56, 0, 0, be32(1)),
    apdu(0x58, 0, 0),
    apdu(0x5a, 0, 0, Array.from(sync)),
    hex("00A4040007D276000085010100"),
  ];
}

// ---- Type 2 (plaque) ----

export const T2T_CORPUS: Uint8Array[] = [
  [0x30, 0x00],
  [0x30, 0x04],
  [0x30, 0xdd],
  [0x3a, 0x00, 0x0f],
  [0x3a, 0x04, 0x20],
  [0x3a, 0x00, 0xdd],
  [0xa2, 0x04, 0x03, 0x00, 0xfe, 0x00],
  [0xa2, 0x05, 0xd1, 0x01, 0x01, 0x55],
  [0xa2, 0x04, 0x03, 0x05, 0xd1, 0x01],
  [0x60],
  [0x39, 0x02],
  [0x1b, 0, 0, 0, 0],
].map((c) => Uint8Array.from(c));

/** A corpus entry mutated 0..3 times (header-aware for APDUs), or 1 in 8: noise of 0..300 bytes. */
export function mutatedCommand(rand: Rand, corpus: Uint8Array[], isApdu: boolean): Uint8Array {
  if (rand.chance(0.125)) return rand.bytes(rand.int(301));
  const c = Array.from(rand.pick(corpus));
  const mutations = rand.int(4);
  for (let m = 0; m < mutations; m++) {
    const r = rand.next();
    const at = rand.int(Math.max(1, c.length));
    if (r < 0.3 && c.length > 0) c[at] = rand.byte();
    else if (r < 0.45 && c.length > 0) c[at] ^= 1 << rand.int(8);
    else if (r < 0.6) c.length = at;
    else if (r < 0.75) for (let k = rand.int(40); k > 0; k--) c.push(rand.byte());
    else if (isApdu && r < 0.88 && c.length > 4) c[4] = rand.pick([0, 1, 0xff, c.length - 5, c.length - 4, c.length - 6]) & 0xff;
    else if (isApdu && c.length > 3) c[rand.int(4)] = rand.pick([0x00, 0xff, 0x80, 0x7f, 0xb0, 0xd6, 0xa4, 0xb1, 0xd7, 0xca, 0x50, 0x52, 0x20, 0x90]);
    else if (c.length > 0) c[at] = rand.pick([0x00, 0xff, 0xfe, 0x03]);
  }
  return Uint8Array.from(c);
}

// ---- NDEF messages (the `ndef` package) ----

export function ndefCorpus(): Uint8Array[] {
  const m = (records: unknown[]) => Uint8Array.from(ndef.encodeMessage(records));
  return [
    m([ndef.uriRecord("https://pay.example.com/t?p=00000000000000000000000000000000&c=0000000000000000")]),
    m([ndef.uriRecord("https://pay.example.com/m/12345"), ndef.record(ndef.TNF_EXTERNAL_TYPE, "android.com:pkg", [], "com.example.pay")]),
    m([ndef.textRecord("hello", "en"), ndef.uriRecord("tel:+351000")]),
    m([ndef.smartPoster([ndef.uriRecord("https://example.com"), ndef.textRecord("Pay here")])]),
    m([ndef.mimeMediaRecord("text/plain", Array.from(Buffer.from("plain")))]),
    m([ndef.record(ndef.TNF_EMPTY, [], [], [])]),
    m([
      ndef.record(
        ndef.TNF_EXTERNAL_TYPE,
        "example.com:t",
        [],
        Array.from({ length: 300 }, (_, i) => i & 0xff),
      ),
    ]),
  ];
}

/** NDEF-aware mutations: header flags (MB ME CF SR IL), TNF, type/id/payload lengths, and bytes. */
export function mutatedNdef(rand: Rand, corpus: Uint8Array[]): Uint8Array {
  const b = Uint8Array.from(rand.pick(corpus));
  if (b.length > 0 && rand.chance(0.5)) {
    b[0] ^= rand.pick([0x80, 0x40, 0x20, 0x10, 0x08, 0x07, 0x01, 0x06]);
    if (rand.chance(0.4) && b.length > 1) b[1] = rand.pick([0, 1, 0xff, b[1] + 1, b[1] - 1]) & 0xff;
    if (rand.chance(0.4) && b.length > 2) b[2] = rand.pick([0, 1, 0xff, 0x80, b[2] + 1, b[2] - 1]) & 0xff;
    return b;
  }
  return mutateBytes(rand, b, 6);
}

// ---- EMV (merchant-presented mode) text ----

const EMV_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .-_/:*&%$#@!";

/** The merchant's account objects as EMV ID/length/value text, mutated at the object level. */
export function mutatedEmvText(rand: Rand, seed: string): string {
  let s = seed;
  for (let n = 1 + rand.int(3); n > 0; n--) {
    const at = rand.int(Math.max(1, s.length));
    switch (rand.int(9)) {
      case 0:
        s = s.slice(0, at) + String(rand.int(100)).padStart(2, "0") + s.slice(at + 2);
        break; // an ID or length pair
      case 1:
        s = s.slice(0, at);
        break;
      case 2:
        s = s + s.slice(0, rand.int(s.length + 1));
        break;
      case 3:
        s = s.slice(0, at) + rand.pick(["00", "99", "26", "51", "52", "62", "63", "64", "80"]) + String(rand.int(100)).padStart(2, "0") + s.slice(at);
        break;
      case 4:
        s = s.slice(0, at) + EMV_ALPHABET[rand.int(EMV_ALPHABET.length)] + s.slice(at + 1);
        break;
      case 5:
        s = s.slice(0, at) + rand.pick(["\u00e9", "\u0000", "\u007f", "\u4e2d", "\ud83d\ude00", "\n"]) + s.slice(at);
        break;
      case 6:
        s = "X".repeat(rand.pick([0, 1, 99, 100, 255, 256, 512, 700]));
        break;
      case 7:
        s = s.slice(0, at) + "2699" + "0".repeat(rand.int(120)) + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + s.slice(at + 1 + rand.int(4));
    }
  }
  return s;
}

export function mutatedText(rand: Rand, seed: string): string {
  switch (rand.int(8)) {
    case 0:
      return "";
    case 1:
      return seed + EMV_ALPHABET[rand.int(EMV_ALPHABET.length)].repeat(1 + rand.int(40));
    case 2:
      return seed.slice(0, rand.int(seed.length + 1));
    case 3:
      return rand.pick([
        "12.34",
        "0",
        "0.00",
        "-1",
        "1e3",
        "0x10",
        " 5",
        "12.345",
        ".5",
        "5.",
        "abc",
        "\uff11\uff12",
        "9999999999999",
        "00000000000001.00",
        "1,50",
      ]);
    case 4:
      return Array.from({ length: rand.int(30) }, () => EMV_ALPHABET[rand.int(EMV_ALPHABET.length)]).join("");
    case 5:
      return seed.replace(/./, rand.pick(["\u00e9", "\u0000", "~", "\u00ff"]));
    case 6:
      return seed.toLowerCase();
    default:
      return seed.split("").reverse().join("");
  }
}

// ---- Link ops: every op the firmware serves, with seed arguments ----

export interface OpSeed {
  op: string;
  channel: number;
  seeds: Record<string, unknown>[];
}

const BOUNDARY_UINTS: (number | bigint)[] = [
  0,
  1,
  2,
  3,
  7,
  15,
  16,
  23,
  24,
  63,
  64,
  127,
  128,
  255,
  256,
  1023,
  1024,
  1025,
  65534,
  65535,
  65536,
  0x7fffffff,
  0xffffffff,
  2 ** 32,
  2 ** 53 - 1,
  0xffffffffffffffffn,
];

/** The acceptor seeds need a voucher and chain from a card certified by the campaign issuer. */
function walletArtifacts() {
  const issuer = fuzzIssuer();
  const card = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x42));
  const chain = certifyDevice(issuer, card.publicKey, "EUR", ENVELOPE);
  const voucher = signSign1(
    card,
    encodeVoucherPayload({
      version: 1,
      deviceId: card.kid,
      counter: 1,
      amount: 250,
      currency: "EUR",
      payee: PAYEE,
      challenge: new Uint8Array(16).fill(0xc4),
      subWallet: 0,
      balanceAfter: 9_750,
      epoch: 0,
    }),
  );
  return { issuer, card, chain, voucher };
}

let opTable: OpSeed[] | null = null;

/** Op name -> channel and seed arguments (`reset` and `device.wipe` are listed but never sent: they reboot or erase by design). */
export function opSeeds(): OpSeed[] {
  if (opTable) return opTable;
  const { issuer, chain, voucher } = walletArtifacts();
  const sun = buildTapTemplate({ url: "https://pay.example.com/t?p={picc}&c={mac}" });
  const plain = buildTapTemplate({ url: "https://pay.example.com/t?u={uid}&n={ctr}&c={mac}" });
  const signed = buildTapTemplate({ url: "https://pay.example.com/s?m=shop-42&a=12.50&n={ctr}&t={time}&s={sig}" });
  const [ndefA, ndefB] = ndefCorpus();
  // Channels from the op catalogue (host-tools/src/ops): the names are checked against it by the type.
  const seed = (op: OpName, seeds: Record<string, unknown>[]): OpSeed => ({ op, channel: opChannel(op), seeds });
  opTable = [
    seed("hello", [{ v: [1], max: 1024, n: 7 }, { v: [1] }, { v: [2, 1], max: 512 }, { v: [1], max: 64 }]),
    seed("info", [{}]),
    seed("ping", [{ data: new Uint8Array(16).fill(0xa5) }, {}]),
    seed("sink", [{ data: new Uint8Array(200).fill(0x5a) }]),
    seed("fb", [{ off: 0 }, { off: 1000 }, { off: 5000 }]),
    seed("reset", []),
    seed("level", [{ level: 3 }, { level: 0 }]),
    seed("recent", [{}]),
    seed("status", [{}]),
    seed("device.lock", [{}]),
    // Listed, never sent (like reset): a wipe erases the set-up the rest of the chunk fuzzes;
    // tests/ops/capability-table.test.ts covers it, power cuts included.
    seed("device.wipe", []),
    seed("keys", [{}]),
    seed("qr.encode", [{ text: "HELLO WORLD" }, { text: new Uint8Array(40).fill(0x31), ecl: 2, min: 1, max: 6, mask: 3, mode: 1, boost: true }]),
    seed("qr.grid", [{ off: 0 }, {}]),
    seed("qr.show", [{ caption: "12.34", scale: 2, quiet: 4, partial: true }, {}]),
    seed("tag.get", [{}]),
    seed("tag.set", [{ ...sun }, { ...plain }, { ...signed }, { m: ndefA, mode: 0, writable: true }, { m: ndefB, tag_uid: new Uint8Array(7).fill(4) }]),
    seed("ndef.build", [
      { uri: "https://pay.example.com/x", title: "Pay", aar: "com.example.pay", lang: "en" },
      { text: "hello", lang: "en" },
      { ext_type: "example.com:t", ext_data: new Uint8Array(8) },
    ]),
    seed("ndef.parse", [{ m: ndefA }, { m: ndefB }]),
    seed("ndef.lint", [{ m: ndefA }]),
    seed("wallet.info", [{ slot: 0 }, {}]),
    seed("wallet.provision", [walletProvisionArgs(chain, { pin: PIN, balance: 1000, currency: "EUR", limits: ENVELOPE })]),
    seed("acceptor.setup", [{ root: issuer.root.publicKey, payee: PAYEE, cur: "EUR" }]),
    seed("acceptor.challenge", [{ amount: 250 }, { amount: 500, unit: 5 }]),
    seed("acceptor.submit", [{ voucher, chain }]),
    seed("acceptor.payword", [{ slot: 0, word: new Uint8Array(32).fill(7) }]),
    seed("acceptor.list", [{}]),
    seed("acceptor.export", [{ slot: 0 }]),
    seed("acceptor.clear", [{}]),
    seed("store.put", [
      { k: 0x9000, v: new Uint8Array(40).fill(1) },
      { k: 0x0303, v: new Uint8Array(32) },
    ]),
    seed("store.get", [{ k: 0x0303 }, { k: 0x0100 }, { k: 0x9000 }]),
    seed("store.del", [{ k: 0x9000 }, { k: 0x0101 }]),
    seed("store.ctr", [{ id: 5 }, { id: 0, read: true }]),
    seed("store.tx", [
      { w: [0x9001, new Uint8Array(10), 0x9002, null], c: [5] },
      { w: [], c: [], abort: true },
    ]),
    seed("store.stats", [{}]),
    seed("store.compact", [{}]),
    seed("merchant.set", [{ ...MERCHANT }, { ...MERCHANT, postal: "1000-001" }]),
    seed("merchant.get", [{}]),
    seed("emv.build", [{ amount: "12.34", bill: "INV-7", ref: 5 }, {}]),
    seed("qr.amount", [{ amount: "12.34", bill: "INV-7", timeout: 60 }]),
    seed("qr.static", [{}]),
    seed("apdu", [{ c: hex("00A4040007D276000085010100") }, { c: WALLET_SELECT }, { c: hex("00B000000F") }]),
    seed("t2t", [{ c: Uint8Array.of(0x30, 4) }]),
    seed("field", [{ on: false }, { on: true }]),
    seed("personality", [{ p: 1 }, { p: 2 }]),
    seed("identity.get", [{}]),
    seed("identity.keygen", [{}]),
    seed("identity.set", [
      { serial: 1000, uid: hex("04A1B2000003E8"), chain },
      { serial: 1, uid: new Uint8Array(7), chain: [] },
    ]),
    seed("key.unwrap", [
      { slot: 2, alg: 3, blob: new Uint8Array(89).fill(4) },
      { slot: 5, alg: 4, blob: new Uint8Array(65) },
    ]),
  ];
  return opTable;
}

/** Arg names the firmware reads anywhere: mutations add them to ops that do not expect them. */
export const ARG_NAMES = [
  "v",
  "op",
  "off",
  "m",
  "data",
  "cur",
  "chain",
  "c",
  "writable",
  "word",
  "w",
  "voucher",
  "text",
  "tag_uid",
  "root",
  "read",
  "pin",
  "payee",
  "partial",
  "p",
  "on",
  "max",
  "limit",
  "level",
  "k",
  "id",
  "ext_data",
  "caption",
  "boost",
  "abort",
  "ref",
  "timeout",
  "city",
  "country",
  "currency",
  "mcc",
  "name",
  "postal",
  "aar",
  "accounts",
  "amount",
  "bill",
  "ext_type",
  "lang",
  "title",
  "uri",
  "bal",
  "count",
  "ctr",
  "cum",
  "enc",
  "enc_len",
  "file",
  "mac",
  "mac_in",
  "meta",
  "mode",
  "per",
  "picc",
  "sign",
  "slot",
  "time",
  "uid",
  "unit",
  "ecl",
  "min",
  "mask",
  "scale",
  "quiet",
  "n",
];

export function randomValue(rand: Rand, depth = 0): unknown {
  switch (rand.int(depth > 1 ? 8 : 10)) {
    case 0:
      return rand.pick(BOUNDARY_UINTS);
    case 1:
      return rand.int(1 << rand.int(31));
    case 2:
      return -1 - rand.int(1000);
    case 3:
      return rand.bytes(rand.pick([0, 1, 7, 16, 32, 33, 64, 65, 255, 256, 300, 512, 513, 1000]));
    case 4:
      return Array.from({ length: rand.pick([0, 1, 3, 8, 25, 64, 300]) }, () => EMV_ALPHABET[rand.int(EMV_ALPHABET.length)]).join("");
    case 5:
      return rand.pick(["", "\u00e9\u4e2d", "\ud83d\ude00", "EUR", "1234", "https://", "12.34", "level", "store."]);
    case 6:
      return rand.chance(0.5);
    case 7:
      return rand.chance(0.5) ? null : rand.pick([1.5, -0.0, 1e300]);
    case 8:
      return Array.from({ length: rand.int(6) }, () => randomValue(rand, depth + 1));
    default: {
      const m: Record<string, unknown> = {};
      for (let i = rand.int(4); i > 0; i--) m[rand.pick(ARG_NAMES)] = randomValue(rand, depth + 1);
      return m;
    }
  }
}

function tweak(rand: Rand, v: unknown): unknown {
  if (typeof v === "number" || typeof v === "bigint") {
    const n = Number(v);
    return rand.pick<unknown>([n + 1, Math.max(0, n - 1), n * 2, 0, rand.pick(BOUNDARY_UINTS), -n - 1]);
  }
  if (v instanceof Uint8Array) return mutateBytes(rand, v, 3);
  if (typeof v === "string") return rand.chance(0.5) ? mutatedText(rand, v) : mutatedEmvText(rand, v);
  if (Array.isArray(v)) {
    const a = v.slice();
    const at = rand.int(Math.max(1, a.length));
    switch (rand.int(4)) {
      case 0:
        a.splice(at, 1);
        break;
      case 1:
        a.splice(at, 0, a[at] ?? randomValue(rand, 1));
        break;
      case 2:
        a[at] = tweak(rand, a[at]);
        break;
      default:
        a[at] = randomValue(rand, 1);
    }
    return a;
  }
  return randomValue(rand, 1);
}

/** Seed args with 0..3 mutations: drop a key, add a foreign key, replace or tweak a value. */
export function mutatedArgs(rand: Rand, args: Record<string, unknown>): Record<string, unknown> {
  const a: Record<string, unknown> = { ...args };
  for (let n = rand.int(4); n > 0; n--) {
    const keys = Object.keys(a);
    const key = keys.length ? rand.pick(keys) : "x";
    switch (rand.int(5)) {
      case 0:
        delete a[key];
        break;
      case 1:
        a[rand.pick(ARG_NAMES)] = randomValue(rand);
        break;
      case 2:
        a[key] = randomValue(rand);
        break;
      default:
        a[key] = tweak(rand, a[key]);
    }
  }
  return a;
}

/** A request body: the op (sometimes a mutated or foreign name, or not text) and its args. */
export function requestBody(rand: Rand, spec: OpSeed): Record<string, unknown> {
  const seed = spec.seeds.length ? rand.pick(spec.seeds) : {};
  const args = rand.chance(0.3) ? { ...seed } : mutatedArgs(rand, seed);
  let op: unknown = spec.op;
  if (rand.chance(0.1))
    op = rand.pick<unknown>([
      spec.op.toUpperCase(),
      spec.op.slice(0, -1),
      `${spec.op}x`,
      spec.op + "\u00e9",
      "",
      "store.",
      "acceptor.",
      "store.putt",
      "acceptor.x",
      1,
      new Uint8Array([0x6f, 0x70]),
      null,
      [spec.op],
    ]);
  return { ...args, op };
}

// ---- CBOR bodies at the byte level ----

const CBOR_INJECT: number[][] = [
  [0x5f],
  [0x7f],
  [0x9f],
  [0xbf],
  [0xff], // indefinite lengths, break
  [0xf9, 0x3c, 0x00],
  [0xfa, 0x3f, 0x80, 0, 0],
  [0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0], // floats
  [0xc0],
  [0xc2, 0x41, 0x01],
  [0xd8, 0x18],
  [0xf7],
  [0xf6],
  [0xf8, 0x20], // tags, undefined, simple
  [0x18, 0x05],
  [0x19, 0x00, 0x05],
  [0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // non-shortest, huge
  [0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x9b, 0, 0, 0, 1, 0, 0, 0, 0],
  [0x5a, 0xff, 0xff, 0xff, 0xff], // lengths past the end
  [0x62, 0xff, 0xfe],
  [0x63, 0xed, 0xa0, 0x80],
  [0x62, 0xc0, 0xaf], // invalid UTF-8, surrogate, overlong
  [0xa1, 0x01, 0x02],
  [0xa1, 0x41, 0x6b, 0x00], // non-text keys
  [0x1c],
  [0x3f],
  [0xfc], // reserved additional info
];

/** A body that is wrong CBOR in one of the ways decoders get wrong, or mutated bytes of a real body. */
export function mutatedCbor(rand: Rand, body: Record<string, unknown>): Uint8Array {
  const enc = Array.from(cborgEncode(body));
  switch (rand.int(7)) {
    case 0: {
      // inject a special item somewhere
      const at = rand.int(enc.length + 1);
      enc.splice(at, rand.int(3), ...rand.pick(CBOR_INJECT));
      return Uint8Array.from(enc);
    }
    case 1: {
      // duplicate the first key/value pair's bytes (duplicate key) and bump the map count
      if (enc.length > 2 && enc[0] >= 0xa1 && enc[0] < 0xb7) {
        const pair = enc.slice(1, Math.min(enc.length, 1 + 2 + rand.int(12)));
        return Uint8Array.from([enc[0] + 1, ...pair, ...enc.slice(1)]);
      }
      return Uint8Array.from(enc);
    }
    case 2: {
      // deep nesting
      const depth = rand.pick([8, 16, 32, 33, 64, 200, 600]);
      const open = rand.pick([0x81, 0xa1]);
      const nest = open === 0x81 ? Array(depth).fill(0x81) : Array.from({ length: depth }, () => [0xa1, 0x61, 0x61]).flat();
      return Uint8Array.from([0xa2, 0x62, 0x6f, 0x70, 0x64, 0x69, 0x6e, 0x66, 0x6f, 0x61, 0x78, ...nest, 0x00]);
    }
    case 3: // the header byte of some item changed to another major type
      if (enc.length) enc[rand.int(enc.length)] = (rand.int(8) << 5) | (enc[rand.int(enc.length)] & 0x1f);
      return Uint8Array.from(enc);
    case 4: // a lone item that is not a map
      return Uint8Array.from(rand.pick([[0x80], [0x60], [0x00], [0xf6], [0x40], [0xa0, 0xa0], [0xa1], []]));
    case 5: // truncated
      return Uint8Array.from(enc.slice(0, rand.int(enc.length)));
    default:
      return mutateBytes(rand, Uint8Array.from(enc), 4);
  }
}
