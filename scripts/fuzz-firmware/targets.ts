// The fuzzing targets and what each input must satisfy. One input is one APDU, one Type 2
// command, one link frame, or one chunk of raw line bytes. Every input is checked for:
//   trap      the firmware trapped or panicked (the shell rebooted it)
//   hang      it ran more than HANG_INSTRUCTIONS Wasm instructions (the worker's wall-clock
//             watchdog catches a real endless loop: campaign.ts)
//   undocumented  a status word, error code, frame or answer shape outside the docs
//   deviation a documented code where the protocol says otherwise (no answer, two answers,
//             an answer to a frame the device must ignore); `known` when an expected-fail
//             test already records it (issue 16, finding 7)
import { decode as cborgDecode } from "cborg";
import zlib from "node:zlib";
import { checkApdu, checkFrame, checkT2t, cobsDecode, swOf, type DeviceFrame } from "./oracle.ts";
import { ENVELOPE, MERCHANT, PAYEE, encodeBody, rawFrame, wire, type BoardName, type Measured, type Rig } from "./rig.ts";
import { type Rand, mutateBytes } from "./random.ts";
import {
  T2T_CORPUS,
  T4T_CORPUS,
  WALLET_SELECT,
  mutatedCbor,
  mutatedCommand,
  mutatedEmvText,
  mutatedNdef,
  mutatedText,
  ndefCorpus,
  opSeeds,
  requestBody,
  walletCorpus,
  type OpSeed,
} from "./inputs.ts";
import { COSE_ALG_EDDSA, certifyDevice, encodeVoucherPayload, signerFromSecret, signSign1 } from "../../host-tools/src/wallet/index.ts";
import { fuzzIssuer } from "./rig.ts";

/** Instruction budget per input: a few times the costliest legitimate input (a QR render). */
export const HANG_INSTRUCTIONS = 50_000_000;
const MAX_FRAME = 1024;
const FINDINGS_KEPT = 10;

export type FindingKind = "trap" | "hang" | "undocumented" | "deviation" | "known";

export interface Finding {
  kind: FindingKind;
  target: string;
  board: BoardName;
  chunk: number;
  index: number;
  input: string;
  detail: string;
}

export interface Stats {
  inputs: number;
  traps: number;
  hangs: number;
  undocumented: number;
  deviations: number;
  known: number;
  /** answers that were a success (9000, a result map, Type 2 data or ACK) */
  ok: number;
  maxInstructions: number;
  instructions: number;
  /** answers by status word / error code */
  codes: Record<string, number>;
  /** known deviations by defect */
  knownBy: Record<string, number>;
  findings: Finding[];
}

export function emptyStats(): Stats {
  return {
    inputs: 0,
    traps: 0,
    hangs: 0,
    undocumented: 0,
    deviations: 0,
    known: 0,
    ok: 0,
    maxInstructions: 0,
    instructions: 0,
    codes: {},
    knownBy: {},
    findings: [],
  };
}

export function addStats(into: Stats, s: Stats): void {
  for (const k of ["inputs", "traps", "hangs", "undocumented", "deviations", "known", "ok", "instructions"] as const) into[k] += s[k];
  into.maxInstructions = Math.max(into.maxInstructions, s.maxInstructions);
  for (const [c, n] of Object.entries(s.codes)) into.codes[c] = (into.codes[c] ?? 0) + n;
  for (const [c, n] of Object.entries(s.knownBy)) into.knownBy[c] = (into.knownBy[c] ?? 0) + n;
  for (const f of s.findings) keep(into, f);
}

/** One example per kind of finding (details compared with numbers left out), at most FINDINGS_KEPT per kind. */
function keep(stats: Stats, f: Finding): void {
  const shape = (d: string) => d.replace(/\d+/g, "N").replace(/keys not in deterministic order: [^(]*/, "keys not in deterministic order: ");
  if (stats.findings.some((g) => g.kind === f.kind && shape(g.detail) === shape(f.detail))) return;
  if (stats.findings.filter((g) => g.kind === f.kind).length < FINDINGS_KEPT) stats.findings.push(f);
}

export interface Ctx {
  rig: Rig;
  rand: Rand;
  stats: Stats;
  target: string;
  chunk: number;
  index: number;
  /** per-chunk state a target keeps between inputs */
  memo: Record<string, unknown>;
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Short names of the known defects (each recorded by an expected-fail test). */
export type KnownDefect = "unsorted-keys" | "small-max-drops-answer" | "small-max-corrupts-retry" | "flagged-unknown-channel";

function note(ctx: Ctx, kind: FindingKind, input: Uint8Array, detail: string, defect?: KnownDefect): void {
  const field = ({ trap: "traps", hang: "hangs", undocumented: "undocumented", deviation: "deviations", known: "known" } as const)[kind];
  ctx.stats[field]++;
  if (defect) ctx.stats.knownBy[defect] = (ctx.stats.knownBy[defect] ?? 0) + 1;
  keep(ctx.stats, { kind, target: ctx.target, board: ctx.rig.board, chunk: ctx.chunk, index: ctx.index, input: toHex(input).slice(0, 600), detail });
}

/** The checks every input goes through: reboot, instruction budget, shell error. False if the input's answer is not worth checking. */
function judged(ctx: Ctx, input: Uint8Array, m: Measured): boolean {
  ctx.stats.inputs++;
  ctx.stats.instructions += m.insns;
  if (m.insns > ctx.stats.maxInstructions) ctx.stats.maxInstructions = m.insns;
  if (m.reset) {
    note(ctx, "trap", input, `${m.reset.kind}: ${m.reset.message}`);
    return false;
  }
  if (m.insns > HANG_INSTRUCTIONS) note(ctx, "hang", input, `${m.insns} instructions`);
  if (m.error) {
    note(ctx, "undocumented", input, `shell: ${m.error.message}`);
    return false;
  }
  return true;
}

function count(ctx: Ctx, code: string, ok: boolean): void {
  ctx.stats.codes[code] = (ctx.stats.codes[code] ?? 0) + 1;
  if (ok) ctx.stats.ok++;
}

/**
 * Every frame the device sent decodes and has documented flags and codes; returns the
 * answers (log events left out), or null when a frame was broken (already counted).
 */
function checkedFrames(ctx: Ctx, input: Uint8Array): DeviceFrame[] | null {
  const answers: DeviceFrame[] = [];
  let broken = false;
  for (const f of ctx.rig.frames()) {
    if (f instanceof Error) {
      if (ctx.memo.smallMax && /CRC mismatch/.test(f.message)) {
        note(
          ctx,
          "known",
          input,
          "a retry after an answer that did not fit the small max got a corrupted cached frame (tests/firmware/link-session-defects.test.ts)",
          "small-max-corrupts-retry",
        );
        restoreSession(ctx);
      } else note(ctx, "undocumented", input, `device frame: ${f.message}`);
      broken = true;
      continue;
    }
    if (f.unsortedKeys)
      note(
        ctx,
        "known",
        input,
        `answer map keys not in deterministic order: ${Object.keys(f.body).join(",").slice(0, 80)} (tests/firmware/cbor-answer-defects.test.ts)`,
        "unsorted-keys",
      );
    const bad = checkFrame(f);
    if (bad) note(ctx, "undocumented", input, bad);
    if (f.flags !== 4) answers.push(f);
  }
  return broken ? null : answers;
}

function maybeTick(ctx: Ctx): void {
  if ((ctx.index & 63) === 63) ctx.rig.device.tickNow();
}

// ---- NFC ----

/** One NFC exchange (a field drop first, 1 in 20), judged; the answer, or null when the device rebooted. */
function nfcInput(ctx: Ctx, cmd: Uint8Array, exchange: (c: Uint8Array) => Uint8Array): Uint8Array | null {
  let r: Uint8Array | null = null;
  const fieldOff = ctx.rand.chance(0.05);
  const m = ctx.rig.measure(() => {
    maybeTick(ctx);
    if (fieldOff) ctx.rig.device.field(false);
    r = exchange(cmd);
  });
  return judged(ctx, cmd, m) ? r : null;
}

function apduInput(ctx: Ctx, cmd: Uint8Array): Uint8Array | null {
  const answer = nfcInput(ctx, cmd, (c) => ctx.rig.device.nfcApdu(c));
  if (!answer) return null;
  const bad = checkApdu(answer, ctx.rig.card);
  if (bad) note(ctx, "undocumented", cmd, bad);
  const sw = swOf(answer);
  count(ctx, sw.toString(16).padStart(4, "0"), sw === 0x9000);
  if ((ctx.index & 255) === 0) checkedFrames(ctx, cmd);
  return answer;
}

const t4t = (ctx: Ctx) => void apduInput(ctx, mutatedCommand(ctx.rand, T4T_CORPUS, true));

let walletSeeds: Uint8Array[] | null = null;

function wallet(ctx: Ctx): void {
  walletSeeds ??= walletCorpus();
  let cmd: Uint8Array;
  if (ctx.rand.chance(0.15)) cmd = WALLET_SELECT;
  else if (ctx.memo.begun && ctx.rand.chance(0.5))
    cmd = mutatedCommand(
      ctx.rand,
      walletSeeds.filter((c) => c[1] === 0x52 || c[1] === 0x54),
      true,
    );
  else cmd = mutatedCommand(ctx.rand, walletSeeds, true);
  const r = apduInput(ctx, cmd);
  ctx.memo.begun = cmd[1] === 0x50 && r !== null && swOf(r) === 0x9000;
}

function t2t(ctx: Ctx): void {
  const cmd = mutatedCommand(ctx.rand, T2T_CORPUS, false);
  const answer = nfcInput(ctx, cmd, (c) => ctx.rig.device.nfcT2t(c));
  if (!answer) return;
  const bad = checkT2t(answer);
  if (bad) note(ctx, "undocumented", cmd, bad);
  const ack = answer.length === 1 ? (answer[0] === 0x0a ? "ack" : "nak") : "pages";
  count(ctx, ack, ack !== "nak");
}

// ---- Link ----

/** Sends one well-formed frame and checks the answers against the protocol's rules. */
function frameInput(ctx: Ctx, channel: number, flags: number, body: Uint8Array): DeviceFrame | null {
  const seq = ctx.rand.int(0x10000);
  const raw = rawFrame(0x10 | channel, flags, seq, body);
  const bytes = wire(raw);
  const m = ctx.rig.measure(() => {
    maybeTick(ctx);
    ctx.rig.device.receive(bytes);
  });
  if (!judged(ctx, bytes, m)) {
    ctx.rig.frames();
    return null;
  }
  const answers = checkedFrames(ctx, bytes);
  if (!answers) return null;
  if (raw.length > MAX_FRAME || flags !== 0) {
    if (answers.length === 0) {
      count(ctx, raw.length > MAX_FRAME ? "dropped-oversize" : "ignored-flagged", false);
      return null;
    }
    if (flags !== 0 && channel >= 4)
      note(
        ctx,
        "known",
        bytes,
        `flags ${flags} on unknown channel ${channel} answered ${String(answers[0].body.code)} (docs: ignored; issue 16 finding 7)`,
        "flagged-unknown-channel",
      );
    else note(ctx, "deviation", bytes, `a frame the device must drop (flags ${flags}, ${raw.length} bytes) was answered`);
    return null;
  }
  if (channel === 0) noteSmallMax(ctx, body);
  if (answers.length !== 1) {
    if (answers.length === 0 && ctx.memo.smallMax) {
      note(
        ctx,
        "known",
        bytes,
        "no answer while a hello's small max is in force: the error answer does not fit (tests/firmware/link-session-defects.test.ts)",
        "small-max-drops-answer",
      );
      restoreSession(ctx);
    } else note(ctx, "deviation", bytes, `${answers.length} answers to one request on channel ${channel}`);
    return null;
  }
  const a = answers[0];
  if (a.seq !== seq || a.channel !== channel) note(ctx, "deviation", bytes, `answer on channel ${a.channel} seq ${a.seq} to channel ${channel} seq ${seq}`);
  if (channel >= 4 && a.body.code !== "unknown-channel") note(ctx, "deviation", bytes, `channel ${channel} answered ${JSON.stringify(a.body)}`);
  const code = a.flags & 2 ? String(a.body.code) : "ok";
  count(ctx, code, code === "ok");
  return a;
}

/** What a host does after a timeout or a broken answer: a new session with the full frame size. */
function restoreSession(ctx: Ctx): void {
  ctx.rig.device.receive(wire(rawFrame(0x10, 0, 0x4e11 + ctx.rand.int(0x100), encodeBody({ op: "hello", v: [1], max: MAX_FRAME }))));
  ctx.rig.frames();
  ctx.memo.smallMax = false;
}

/** The hellos among the well-formed frames inside raw line bytes. */
function noteSmallMaxOnLine(ctx: Ctx, bytes: Uint8Array): void {
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0) continue;
    if (i - start >= 9) {
      try {
        const raw = cobsDecode(bytes.subarray(start, i));
        if (raw[0] === 0x10 && raw[1] === 0 && Buffer.from(raw.subarray(raw.length - 4)).readUInt32LE() === zlib.crc32(raw.subarray(0, raw.length - 4)))
          noteSmallMax(ctx, raw.subarray(4, raw.length - 4));
      } catch {
        // not a frame
      }
    }
    start = i + 1;
  }
}

/** A hello asking for a max below the board's lowers the size of every later answer (docs/link-protocol.md). */
function noteSmallMax(ctx: Ctx, body: Uint8Array): void {
  let m: unknown;
  try {
    m = cborgDecode(body, { useMaps: true });
  } catch {
    return;
  }
  if (m instanceof Map && m.get("op") === "hello" && typeof m.get("max") === "number" && (m.get("max") as number) < MAX_FRAME) ctx.memo.smallMax = true;
}

function pickOp(ctx: Ctx): OpSeed {
  const ops = opSeeds().filter((o) => o.op !== "reset");
  return ctx.rand.pick(ops);
}

/** The op's own channel mostly; sometimes another known channel or an unknown one. */
function pickChannel(ctx: Ctx, spec: OpSeed): number {
  const r = ctx.rand.next();
  if (r < 0.85) return spec.channel;
  if (r < 0.94) return ctx.rand.int(4);
  return 4 + ctx.rand.int(12);
}

function safeBody(body: Record<string, unknown>, channel: number): Record<string, unknown> {
  // The shell's reset reboots by design; it is the one op never sent.
  return channel === 0 && body.op === "reset" ? { ...body, op: "info" } : body;
}

function linkOps(ctx: Ctx): void {
  // A full payment on a set-up plaque now and then, so submissions reach the checks past
  // the challenge (a mutated voucher for a live challenge).
  if (!ctx.rig.card && ctx.rig.state === "provisioned" && ctx.memo.challenge && ctx.rand.chance(0.5)) {
    const ch = ctx.memo.challenge as { challenge: Uint8Array; amount: number };
    ctx.memo.challenge = null;
    const card = (ctx.memo.card ??= fuzzCard()) as ReturnType<typeof fuzzCard>;
    card.counter++;
    let voucher = signSign1(
      card.key,
      encodeVoucherPayload({
        version: 1,
        deviceId: card.key.kid,
        counter: card.counter,
        amount: ch.amount,
        currency: "EUR",
        payee: PAYEE,
        challenge: ch.challenge,
        subWallet: 0,
        balanceAfter: 9_000,
        epoch: 0,
      }),
    );
    if (ctx.rand.chance(0.3)) voucher = mutateBytes(ctx.rand, voucher, 2);
    frameInput(ctx, 1, 0, encodeBody({ op: "acceptor.submit", voucher, chain: card.chain }));
    return;
  }
  const spec = pickOp(ctx);
  const channel = pickChannel(ctx, spec);
  const flags = ctx.rand.chance(0.06) ? ctx.rand.pick([1, 2, 3, 4, 8, 0x80, 0xff]) : 0;
  const body = safeBody(requestBody(ctx.rand, spec), channel);
  const a = frameInput(ctx, channel, flags, encodeBody(body));
  if (a && body.op === "acceptor.challenge" && a.flags === 1 && a.body.challenge instanceof Uint8Array) ctx.memo.challenge = a.body;
}

function fuzzCard() {
  const key = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x42));
  return { key, chain: certifyDevice(fuzzIssuer(), key.publicKey, "EUR", ENVELOPE), counter: 0 };
}

function cbor(ctx: Ctx): void {
  const spec = pickOp(ctx);
  const body = safeBody(requestBody(ctx.rand, spec), spec.channel);
  frameInput(ctx, spec.channel, 0, mutatedCbor(ctx.rand, body));
}

function linkRaw(ctx: Ctx): void {
  if ((ctx.index & 127) === 127) {
    // Liveness: after any garbage, a delimiter and a ping must be answered.
    const bytes = Uint8Array.from([0, ...wire(rawFrame(0x10, 0, 0xbeef, encodeBody({ op: "ping" })))]);
    const m = ctx.rig.measure(() => ctx.rig.device.receive(bytes));
    if (!judged(ctx, bytes, m)) return;
    const all = checkedFrames(ctx, bytes);
    if (!all) return;
    const answers = all.filter((f) => f.seq === 0xbeef);
    if (answers.length !== 1) note(ctx, "deviation", bytes, `ping after resynchronising answered ${answers.length} times`);
    count(ctx, "liveness", answers.length === 1);
    return;
  }
  let bytes: Uint8Array;
  const r = ctx.rand.int(10);
  if (r < 3) {
    const zeros = ctx.rand.pick([0, 1 / 256, 1 / 8, 1 / 2]);
    bytes = Uint8Array.from({ length: 1 + ctx.rand.int(700) }, () => (ctx.rand.chance(zeros) ? 0 : 1 + ctx.rand.int(255)));
  } else if (r < 7) {
    const spec = pickOp(ctx);
    const body = safeBody(requestBody(ctx.rand, spec), spec.channel);
    bytes = mutateBytes(ctx.rand, wire(rawFrame(0x10 | spec.channel, 0, ctx.rand.int(0x10000), encodeBody(body))), 3);
  } else if (r < 8) {
    // another version nibble, or reserved flag bits, with a valid CRC
    const byte0 = (ctx.rand.pick([0, 2, 3, 15]) << 4) | ctx.rand.int(16);
    bytes = wire(rawFrame(byte0, ctx.rand.byte(), ctx.rand.int(0x10000), encodeBody({ op: "info" })));
  } else if (r < 9) {
    bytes = Uint8Array.from({ length: 1000 + ctx.rand.int(4000) }, () => 1 + ctx.rand.int(255));
  } else {
    // a frame split at a random point with noise in between: the first part must be dropped whole
    const full = wire(rawFrame(0x10, 0, ctx.rand.int(0x10000), encodeBody({ op: "ping", data: ctx.rand.bytes(ctx.rand.int(64)) })));
    const cut = 1 + ctx.rand.int(full.length - 1);
    bytes = Uint8Array.from([...full.subarray(0, cut), ...ctx.rand.bytes(ctx.rand.int(8)), ...full.subarray(cut)]);
  }
  noteSmallMaxOnLine(ctx, bytes);
  const m = ctx.rig.measure(() => {
    maybeTick(ctx);
    ctx.rig.device.receive(bytes);
  });
  if (!judged(ctx, bytes, m)) {
    ctx.rig.frames();
    return;
  }
  const answers = checkedFrames(ctx, bytes) ?? [];
  for (const a of answers) count(ctx, a.flags & 2 ? String(a.body.code) : "ok", !(a.flags & 2));
  if (answers.length === 0) count(ctx, "silent", false);
}

let ndefSeeds: Uint8Array[] | null = null;

/** The EMV and NDEF parsers, reached through the ops that feed them. */
function parsers(ctx: Ctx): void {
  ndefSeeds ??= ndefCorpus();
  const r = ctx.rand.int(100);
  let body: Record<string, unknown>;
  if (r < 30) {
    body = { op: "merchant.set", ...MERCHANT, accounts: mutatedEmvText(ctx.rand, MERCHANT.accounts) };
    if (ctx.rand.chance(0.3)) {
      const field = ctx.rand.pick(["name", "city", "country", "currency", "mcc", "postal"] as const);
      body[field] = mutatedText(ctx.rand, (MERCHANT as Record<string, string>)[field] ?? "1000");
    }
  } else if (r < 48) {
    body = { op: "emv.build", amount: mutatedText(ctx.rand, "12.34"), bill: mutatedEmvText(ctx.rand, "INV-7") };
    if (ctx.rand.chance(0.3)) body.ref = ctx.rand.pick([0, 1, 99999999, 0xffffffff, 2 ** 32]);
  } else if (r < 50) {
    body = { op: "qr.amount", amount: mutatedText(ctx.rand, "12.34"), bill: mutatedText(ctx.rand, "INV-7") };
  } else if (r < 78) {
    body = { op: ctx.rand.chance(0.5) ? "ndef.parse" : "ndef.lint", m: mutatedNdef(ctx.rand, ndefSeeds) };
  } else if (r < 90) {
    body = { op: "tag.set", m: mutatedNdef(ctx.rand, ndefSeeds), mode: 0, writable: ctx.rand.chance(0.5) };
  } else {
    body = {
      op: "ndef.build",
      uri: mutatedText(ctx.rand, "https://pay.example.com/x"),
      title: mutatedText(ctx.rand, "Pay"),
      lang: mutatedText(ctx.rand, "en"),
      aar: mutatedText(ctx.rand, "com.example.pay"),
    };
    if (ctx.rand.chance(0.3)) Object.assign(body, { ext_type: mutatedText(ctx.rand, "example.com:t"), ext_data: ctx.rand.bytes(ctx.rand.int(600)) });
  }
  frameInput(ctx, 1, 0, encodeBody(body));
}

// ---- The target table ----

export interface Target {
  name: string;
  what: string;
  /** share of the campaign's inputs */
  weight: number;
  /** share per board (boards without the interface are left out) */
  boards: Partial<Record<BoardName, number>>;
  /** puts the device in the state the target needs (the chunk number varies it) */
  prepare?(rig: Rig, chunk: number): void;
  step(ctx: Ctx): void;
}

const writableTag = (rig: Rig) => rig.call(1, "tag.set", { m: ndefCorpus()[1], mode: 0, writable: true });

export const TARGETS: Target[] = [
  {
    name: "apdu-t4t",
    what: "Type 4 NDEF application APDUs",
    weight: 0.18,
    boards: { "sim-plaque": 0.5, "sim-card": 0.5 },
    prepare: (rig, chunk) => void (chunk % 2 === 1 && writableTag(rig)),
    step: t4t,
  },
  {
    name: "apdu-wallet",
    what: "wallet applet APDUs (card); unknown AID on the plaque",
    weight: 0.14,
    boards: { "sim-card": 0.85, "sim-plaque": 0.15 },
    step: wallet,
  },
  {
    name: "t2t",
    what: "Type 2 commands (plaque personality 2)",
    weight: 0.1,
    boards: { "sim-plaque": 1 },
    prepare: (rig, chunk) => {
      if (chunk % 2 === 1) writableTag(rig);
      rig.call(3, "personality", { p: 2 });
    },
    step: t2t,
  },
  {
    name: "link-raw",
    what: "raw line bytes: noise, mutated frames, other versions, oversize runs, split frames",
    weight: 0.14,
    boards: { "sim-plaque": 0.5, "sim-card": 0.5 },
    step: linkRaw,
  },
  {
    name: "link-ops",
    what: "well-formed frames: every channel and op, mutated arguments, flags",
    weight: 0.22,
    boards: { "sim-plaque": 0.5, "sim-card": 0.5 },
    step: linkOps,
  },
  { name: "cbor", what: "mutated CBOR bodies in well-formed frames", weight: 0.12, boards: { "sim-plaque": 0.5, "sim-card": 0.5 }, step: cbor },
  {
    name: "emv-ndef",
    what: "EMV and NDEF parsers through merchant.set, emv.build, qr.amount, ndef.*, tag.set",
    weight: 0.1,
    boards: { "sim-plaque": 0.5, "sim-card": 0.5 },
    step: parsers,
  },
];
