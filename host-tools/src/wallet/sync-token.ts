// The issuer's SYNC token (docs/vouchers.md, Sync token): COSE_Sign1 by the batch key over a
// deterministic CBOR map naming the card (kid), the epoch it moves to (the card's current
// epoch + 1, so a token applies once), the highest voucher counter the issuer has settled,
// the top-up, and optionally a new envelope. The card checks it with the batch public key
// of the certificate it stores (firmware/wallet/wallet-sync.ts).
import type { WalletCard } from "./card-client.ts";
import type { Envelope } from "./certificate.ts";
import { decodeSign1, signSign1 } from "../cose/cose-sign1.ts";
import { decodeDet, encodeDet } from "../cose/det-cbor.ts";
import type { Signer } from "../cose/sig-alg.ts";
import { TapkitError } from "../errors/index.ts";

export const SYNC_VERSION = 1;
const SK = { version: 1, deviceId: 2, epoch: 3, settledCounter: 4, topUp: 5, envelope: 6 } as const;
/** The card takes the token in one short APDU. */
export const SYNC_TOKEN_MAX = 255;

export interface SyncTerms {
  deviceId: Uint8Array;
  /** the epoch the card moves to: its current epoch + 1 */
  epoch: number;
  /** highest voucher counter of this card the issuer has settled (<= the card's counter) */
  settledCounter: number;
  /** credited to sub-wallet 0, minor units (0 = none) */
  topUp: number;
  /** replaces the card's envelope; omitted = keep */
  envelope?: Envelope;
}

const U32 = (v: number) => Number.isSafeInteger(v) && v >= 0 && v <= 0xffffffff;

function encodeSyncPayload(t: SyncTerms): Uint8Array {
  if (t.deviceId.length !== 8)
    throw new TapkitError("SYNC_TERMS", `device id of ${t.deviceId.length} bytes, expected 8`, "use the kid the card reports (GET DATA info)");
  const env = t.envelope ? [t.envelope.maxBalance, t.envelope.perPayment, t.envelope.cumulative, t.envelope.maxCount] : [];
  for (const v of [t.epoch, t.settledCounter, t.topUp, ...env]) {
    if (!U32(v))
      throw new TapkitError("SYNC_TERMS", `sync value ${v} is not an unsigned 32-bit integer`, "epoch, counters and amounts are whole numbers below 2^32");
  }
  const m = new Map<number, unknown>([
    [SK.version, SYNC_VERSION],
    [SK.deviceId, t.deviceId],
    [SK.epoch, t.epoch],
    [SK.settledCounter, t.settledCounter],
    [SK.topUp, t.topUp],
  ]);
  if (t.envelope) m.set(SK.envelope, env);
  return encodeDet(m);
}

/** Signs a sync token with the issuer's batch key (the key the card's batch certificate names). */
export function buildSyncToken(batch: Signer, t: SyncTerms): Uint8Array {
  const token = signSign1(batch, encodeSyncPayload(t));
  if (token.length > SYNC_TOKEN_MAX)
    throw new TapkitError("SYNC_TOO_LONG", `sync token of ${token.length} bytes`, `a short APDU carries at most ${SYNC_TOKEN_MAX}`);
  return token;
}

/** Decodes a token's payload (no signature check: the card verifies). */
export function decodeSyncToken(token: Uint8Array): SyncTerms {
  const m = decodeDet(decodeSign1(token, "sync token").payload, "sync payload");
  const bad = (what: string) => new TapkitError("SYNC_FIELD", `sync payload: ${what}`, "see docs/vouchers.md, Sync token");
  if (!(m instanceof Map) || m.get(SK.version) !== SYNC_VERSION) throw bad("version 1 map expected");
  const id = m.get(SK.deviceId),
    epoch = m.get(SK.epoch),
    settled = m.get(SK.settledCounter),
    topUp = m.get(SK.topUp);
  if (!(id instanceof Uint8Array) || typeof epoch !== "number" || typeof settled !== "number" || typeof topUp !== "number")
    throw bad("device id, epoch, settled counter and top-up required");
  const t: SyncTerms = { deviceId: id, epoch, settledCounter: settled, topUp };
  const e = m.get(SK.envelope);
  if (e !== undefined) {
    if (!Array.isArray(e) || e.length !== 4) throw bad("envelope must be [maxBalance, perPayment, cumulative, maxCount]");
    t.envelope = { maxBalance: e[0], perPayment: e[1], cumulative: e[2], maxCount: e[3] };
  }
  return t;
}

export interface SyncOptions {
  topUp?: number;
  settledCounter?: number;
  envelope?: Envelope;
}

export interface SyncResult {
  kid: Uint8Array;
  epochBefore: number;
  balanceBefore: number;
  counter: number;
  epoch: number;
  balance: number;
  token: Uint8Array;
}

/** Issuer flow: reads the card's kid, epoch and counter, signs the token for epoch + 1 and applies it. */
export async function syncCard(card: WalletCard, batch: Signer, opts: SyncOptions = {}): Promise<SyncResult> {
  await card.select();
  const info = await card.info();
  if (info.epoch === undefined || info.ctr === undefined)
    throw new TapkitError("NOT_PROVISIONED", "the card's wallet is blank: nothing to sync", "provision it first (tapkit issuer certify)");
  const token = buildSyncToken(batch, {
    deviceId: new Uint8Array(info.kid),
    epoch: info.epoch + 1,
    settledCounter: opts.settledCounter ?? 0,
    topUp: opts.topUp ?? 0,
    envelope: opts.envelope,
  });
  const after = await card.sync(token);
  return { kid: new Uint8Array(info.kid), epochBefore: info.epoch, balanceBefore: info.bal ?? 0, counter: info.ctr, ...after, token };
}
