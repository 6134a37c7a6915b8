// One page about a device for the field technician, from one link session: firmware (and
// image slots when the firmware has them), which key slots hold a key (never a value), the
// tag's set-up and counter, the merchant profile, store wear, demo and lifecycle state, the
// card's wallet, and the device's own record of recent refusals (log.recent). Each problem
// found comes with what to do. Used by `tapkit doctor` and the technician's web page; only
// link ops here (no files, no processes). A part the firmware does not offer is reported as
// "not available on this firmware" rather than failing the page.
import type { DeviceClient, DeviceInfo } from "../device/client.ts";
import { LinkError } from "../link/index.ts";
import { OPS, opChannel, type OpName } from "../ops/index.ts";
import { decodeMessage, describeRecord, getTag, MODE_IDS } from "../ndef/index.ts";
import { getMerchantProfile, type StoredProfile } from "../qr/payment-client.ts";
import { readWalletInfoIfAny } from "../wallet/index.ts";
import { firstUri } from "./tap-check.ts";
import { explainStatusWord } from "../iso7816/status-words.ts";
import { toHex } from "../bytes/hex.ts";

export const NOT_AVAILABLE = "not available on this firmware";

/** Keystore algorithm ids (docs/hal-abi.md, Keystore). */
const ALG_NAMES: Record<number, string> = { 1: "Ed25519", 2: "P-256", 3: "AES-128", 4: "HMAC-SHA-256" };
const MODE_NAMES = Object.fromEntries(Object.entries(MODE_IDS).map(([name, id]) => [id, name])) as Record<number, string>;

export interface DoctorProblem {
  severity: "error" | "warning";
  area: "firmware" | "keys" | "tag" | "merchant" | "store" | "state" | "wallet" | "log";
  problem: string;
  fix: string;
}

export interface DoctorReport {
  port: string;
  board: string;
  mode: string;
  firmware: { version: string; abi: number; shell: string; uptimeMs: number };
  /** image slots (A/B) when the firmware has such ops, else a note */
  imageSlots: { available: boolean; slots?: unknown; note?: string };
  /** lifecycle state as the firmware reports it (info.state), or derived from the demo flag */
  state: string;
  demo: boolean;
  keys: { available: boolean; slots: { slot: number; filled: boolean; alg: string | null }[]; note?: string };
  tag: {
    mode: string;
    url: string | null;
    bytes: number;
    counter: number;
    lastServed: number;
    limit: number;
    uid: string;
    keySlots: { meta?: number; file?: number; sign?: number };
  } | null;
  merchant: { available: boolean; profile: StoredProfile | null; note?: string };
  store: (DeviceInfo["store"] & { wearPercent: number; usedPercent: number }) | null;
  wallet: { provisioned: boolean; balance?: number; currency?: string; counter?: number; pinTries?: number } | null;
  log: { available: boolean; total: number; recent: { t: number; msg: string }[]; note?: string };
  problems: DoctorProblem[];
  verdict: "healthy" | "warnings" | "problems";
  /** one line for people */
  summary: string;
}

const isUnknownOp = (e: unknown) => e instanceof LinkError && (e.details.deviceCode === "unknown-op" || e.details.deviceCode === "unsupported");

/** Runs an op that older firmware may lack: its result, or null when the device does not know it. */
async function optional<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (isUnknownOp(e)) return null;
    throw e;
  }
}

/** A catalogue op for image slots (the A/B update work), if this build of tapkit has one. */
function imageSlotOp(): string | undefined {
  return OPS.find((o) => /slot/i.test(o.name) && /image|boot|slot/i.test(o.group))?.name;
}

function fixForRefusal(msg: string): string {
  const sw = /SW ([0-9A-F]{4})/.exec(msg);
  if (sw) {
    const s = explainStatusWord(parseInt(sw[1], 16));
    return `${s.meaning}; ${s.hint || "see docs/nfc.md (status words)"}`;
  }
  if (/unknown-op/.test(msg)) return "a tool asked for something this board does not have (e.g. a merchant profile on a card); use the command for this board";
  if (/unsupported/.test(msg)) return "not allowed in the device's current state; check the lifecycle state above";
  return "see the message; run the command again with --json for the device's code";
}

export async function runDoctor(device: DeviceClient): Promise<DoctorReport> {
  const problems: DoctorProblem[] = [];
  const add = (severity: DoctorProblem["severity"], area: DoctorProblem["area"], problem: string, fix: string) =>
    problems.push({ severity, area, problem, fix });

  const info = await device.info();
  const status = await device.appStatus();
  const plaque = status.mode === "plaque";

  const slotOp = imageSlotOp();
  // Found by name, not typed: the slot ops land with the A/B update work.
  const slotResult = slotOp ? await optional(() => device.session.request(opChannel(slotOp as OpName), slotOp, {})) : null;
  const imageSlots = slotResult ? { available: true, slots: slotResult } : { available: false, note: NOT_AVAILABLE };

  const infoState = (info as unknown as { state?: unknown }).state;
  const state = typeof infoState === "string" ? infoState : status.demo ? "demo" : "not reported (no lifecycle states on this firmware)";
  if (status.demo)
    add(
      "warning",
      "state",
      plaque
        ? "the demo set-up is active: demo keys anyone can derive, and a non-payable demo profile"
        : "the demo set-up is active: demo keys anyone can derive, and a wallet from the DEMO issuer (XTS, not money)",
      plaque
        ? "provision the device's own keys and set the merchant's profile before it goes to a shop"
        : "provision the card's own keys and certify it with your issuer before it holds value",
    );

  const keysResult = await optional(() => device.ops.device.keys());
  const keys = keysResult
    ? {
        available: true,
        slots: keysResult.slots.map((alg, slot) => ({ slot, filled: alg !== 0, alg: alg === 0 ? null : (ALG_NAMES[alg] ?? `alg ${alg}`) })),
      }
    : { available: false, slots: [], note: NOT_AVAILABLE };

  const t = await getTag(device);
  const mode = MODE_NAMES[t.mode] ?? `mode ${t.mode}`;
  let url: string | null = null;
  try {
    url = t.m.length ? firstUri(decodeMessage(t.m).map(describeRecord)) : null;
  } catch {
    add("error", "tag", "the tag's NDEF message does not parse", "write it again: tapkit ndef build --tap URL --port P");
  }
  const keySlots = mode === "signed" ? { sign: t.sign } : mode === "sun" ? { meta: t.meta, file: t.file } : mode === "sun-plain" ? { file: t.file } : {};
  const tag = { mode, url, bytes: t.m.length, counter: t.counter, lastServed: t.last, limit: t.limit, uid: toHex(t.tag_uid), keySlots };
  if (t.m.length === 0)
    add("error", "tag", "the tag is empty: a phone that taps sees nothing", "write the tap URL: tapkit ndef build --tap 'https://…?p={picc}&c={mac}' --port P");
  else if (!url) add("warning", "tag", "the tag holds no URI record: a phone opens nothing", "write a URL: tapkit ndef build --uri or --tap … --port P");
  if (keys.available) {
    for (const [role, slot] of Object.entries(keySlots)) {
      if (slot !== undefined && !keys.slots[slot]?.filled)
        add(
          "error",
          "keys",
          `the tag's ${role} key slot ${slot} is empty: dynamic taps are refused (SW 6982)`,
          "provision the tag keys into that slot, or rebuild the tag for the slots that hold keys",
        );
    }
  }
  if (mode !== "static" && t.limit > 0 && t.counter >= t.limit * 0.9)
    add(
      "warning",
      "tag",
      `the tap counter is at ${t.counter} of ${t.limit} for this key epoch`,
      "plan a key rotation before the counter runs out (docs/nfc.md, counter epochs)",
    );

  let merchant: DoctorReport["merchant"] = { available: false, profile: null, note: "this board has no payment app" };
  if (plaque) {
    try {
      const profile = await getMerchantProfile(device);
      merchant = { available: true, profile };
      if (profile.country === "XX" || profile.currency === "999" || profile.accounts.some((a) => /TAPKIT\.DEMO/i.test(a.gui ?? "")))
        add(
          "warning",
          "merchant",
          "the merchant profile is the non-payable DEMO profile",
          "set the shop's profile: tapkit merchant set --port P --profile merchant.json",
        );
    } catch (e) {
      if (!(e instanceof LinkError) || e.details.deviceCode !== "bad-arg") throw e;
      merchant = { available: true, profile: null, note: "no merchant profile set" };
      add(
        "error",
        "merchant",
        "no merchant profile: the panel shows no payment code",
        "tapkit merchant set --port P --profile merchant.json (or the flags of emv build)",
      );
    }
  }

  const s = info.store;
  const store = s
    ? { ...s, wearPercent: s.pages && s.rated ? (100 * s.erases) / (s.pages * s.rated) : 0, usedPercent: s.capacity ? (100 * s.live) / s.capacity : 0 }
    : null;
  if (store) {
    if (store.wearPercent >= 80)
      add(
        "warning",
        "store",
        `the flash has used ${store.wearPercent.toFixed(1)}% of its rated erase cycles`,
        "replace the device soon; its store will wear out",
      );
    if (store.maxErase >= store.rated) add("error", "store", `a flash page is past its rated ${store.rated} erase cycles`, "replace the device");
    if (store.usedPercent >= 90)
      add("warning", "store", `the store is ${store.usedPercent.toFixed(0)}% full`, "export and clear accepted vouchers (tapkit wallet export --clear)");
  }

  let wallet: DoctorReport["wallet"] = null;
  if (!plaque) {
    const w = await readWalletInfoIfAny(device);
    if (w) {
      const provisioned = w.chain.length > 0;
      wallet = { provisioned, balance: w.info.bal, currency: w.info.cur, counter: w.info.ctr, pinTries: w.info.pin };
      if (!provisioned)
        add(
          "error",
          "wallet",
          "the wallet is blank (no issuer certificate): payments are refused (SW 6A83)",
          "certify it: tapkit issuer certify --port P --issuer DIR --currency EUR --balance N --pin PIN",
        );
      else if (w.info.pin === 0) add("error", "wallet", "the owner PIN is blocked", "owner operations are refused; payments keep working");
    }
  }

  const recent = await optional(() => device.ops.log.recent());
  const log = recent ? { available: true, total: recent.total, recent: recent.recent } : { available: false, total: 0, recent: [], note: NOT_AVAILABLE };
  for (const r of log.recent) add("warning", "log", `refused ${(r.t / 1000).toFixed(1)} s after boot: ${r.msg}`, fixForRefusal(r.msg));

  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const verdict = errors ? "problems" : warnings ? "warnings" : "healthy";
  const summary =
    verdict === "healthy"
      ? `${status.board} is healthy`
      : `${status.board}: ${errors} problem(s), ${warnings} warning(s)${errors ? "; fix the problems before the device goes into service" : ""}`;
  return {
    port: device.port,
    board: status.board,
    mode: status.mode,
    firmware: { version: info.fw, abi: info.abi, shell: info.shell, uptimeMs: info.uptime },
    imageSlots,
    state,
    demo: status.demo,
    keys,
    tag,
    merchant,
    store,
    wallet,
    log,
    problems,
    verdict,
    summary,
  };
}
