// What the wallet families observe on a card, read the way the spec states it: raw command
// APDUs built byte by byte from docs/wallet-apdu.md's table (not through the host's
// WalletCard encoder), the exact status word and refusal byte, and a snapshot of everything
// a refusal must leave as it was (balances, counter, epoch, use since sync, log head, PIN tries).
import { assert } from "../check.ts";
import type { CaseContext } from "../case.ts";
import { buildSyncToken, type Envelope, type WalletCard } from "../../host-tools/src/wallet/index.ts";
import { certifiedByLab, LAB_LIMITS, LAB_PIN, labIssuer, readyCard } from "./wallet.ts";

/** One short command APDU, CLA 00: header, then Lc and data when there is data (ISO/IEC 7816-4 §5.1). */
export function command(ins: number, p1: number, p2: number, data: ArrayLike<number> = []): Uint8Array {
  return data.length ? Uint8Array.from([0x00, ins, p1, p2, data.length, ...Array.from(data)]) : Uint8Array.of(0x00, ins, p1, p2);
}

export const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const ascii = (s: string) => Array.from(new TextEncoder().encode(s));
const hex = (b: ArrayLike<number>) => Buffer.from(Uint8Array.from(b)).toString("hex").toUpperCase();

/** Sends `apdu` and returns the answer's data and status word as hex (e.g. "9000", "6985"). */
export async function send(ctx: CaseContext, apdu: Uint8Array): Promise<{ data: string; sw: string }> {
  const r = await ctx.nfc.apdu(apdu);
  assert.ok(r.length >= 2, `an answer carries a status word (got ${r.length} bytes)`);
  return { data: hex(r.subarray(0, r.length - 2)), sw: hex(r.subarray(r.length - 2)) };
}

/** Expects exactly `sw` (and, when given, exactly `data`: a refusal reason byte, or "" for none). */
export async function expectSw(ctx: CaseContext, apdu: Uint8Array, sw: string, data?: string, what = ""): Promise<void> {
  const r = await send(ctx, apdu);
  const label = `${what || hex(apdu.subarray(0, 4))}: expected ${sw}${data ? ` ${data}` : ""}, got ${r.sw}${r.data.length <= 8 ? ` ${r.data}` : ` with ${r.data.length / 2} bytes`}`;
  assert.equal(r.sw, sw, label);
  if (data !== undefined) assert.equal(r.data, data, label);
}

export const BEGIN = (payee = "conformance", challenge: number[] = Array(16).fill(0x42)) =>
  command(0x50, 0, 0, [challenge.length, ...challenge, payee.length, ...ascii(payee)]);
export const SIGN = (amount: number, currency: string, sub = 0) => command(0x52, 0, 0, [...u32(amount), ...ascii(currency), sub]);
export const VERIFY = (pin?: string) => command(0x20, 0x00, 0x80, pin === undefined ? [] : ascii(pin));
export const CHANGE_PIN = (pin: string) => command(0x24, 0x00, 0x80, ascii(pin));
export const SET_LIMITS = (sub: number, per: number, cum: number, count: number) => command(0xd4, sub, 1, [...u32(per), ...u32(cum), ...u32(count)]);
export const FUND = (sub: number, amount: number) => command(0xd4, sub, 2, u32(amount));
export const CLOSE_SUB = (sub: number) => command(0xd4, sub, 3);
export const SYNC = (token: Uint8Array) => command(0x5a, 0, 0, token);

/** Everything a refused command must leave as it was. */
export async function snapshot(card: WalletCard): Promise<string> {
  const info = await card.info();
  const limits = await card.limits();
  const [newest] = await card.log(1);
  return JSON.stringify({
    bal: info.bal,
    ctr: info.ctr,
    epoch: info.epoch,
    pin: info.pin,
    balances: await card.balances(),
    spent: limits.spent,
    count: limits.count,
    subs: limits.subWallets.map((s) => [s.spent, s.count]),
    logSeq: newest?.seq ?? null,
  });
}

/** Sends a command that must be refused with `sw` (+ reason), and checks nothing moved. */
export async function refusedUnchanged(ctx: CaseContext, card: WalletCard, setup: Uint8Array[], apdu: Uint8Array, sw: string, reason: string, what: string) {
  const before = await snapshot(card);
  for (const s of setup) await expectSw(ctx, s, "9000", undefined, `${what} (set-up)`);
  await expectSw(ctx, apdu, sw, reason, what);
  assert.equal(await snapshot(card), before, `${what}: the refusal left balances, counter, epoch, use since sync, log and PIN tries unchanged`);
}

/** Cases that sign sync tokens need the lab issuer's batch key: only a lab-profile card qualifies. */
export async function labProfileCard(ctx: CaseContext): Promise<WalletCard> {
  const card = await readyCard(ctx);
  if (!(await certifiedByLab(card)))
    ctx.precondition("the issuer's batch key (the card was not certified by the lab issuer, and only its issuer can sign a sync)");
  return card;
}

/** BEGIN then SIGN of `amount`, both answered 9000 (a payment the case expects to go through). */
export async function paid(ctx: CaseContext, amount: number, currency: string, what: string, sub = 0): Promise<void> {
  await expectSw(ctx, BEGIN(), "9000", undefined, `${what} (BEGIN)`);
  await expectSw(ctx, SIGN(amount, currency, sub), "9000", undefined, what);
}

/** Applies a lab-signed sync for the card's next epoch with `envelope` (no top-up); returns the new epoch. */
export async function labSync(card: WalletCard, envelope: Envelope = LAB_LIMITS, topUp = 0): Promise<number> {
  const info = await card.info();
  const token = buildSyncToken(labIssuer().batch, {
    deviceId: new Uint8Array(info.kid),
    epoch: (info.epoch ?? 0) + 1,
    settledCounter: info.ctr ?? 0,
    topUp,
    envelope,
  });
  return (await card.sync(token)).epoch;
}

/** Verifies the lab PIN (VERIFY, 9000); a card whose PIN is another is a precondition error, with the try it cost said. */
export async function verifyLabPin(ctx: CaseContext): Promise<void> {
  const r = await send(ctx, VERIFY(LAB_PIN));
  if (r.sw === "6983") ctx.precondition("an unblocked PIN (the card's PIN is blocked: a blocked PIN never unblocks, use a fresh lab card)");
  if (r.sw.startsWith("63C")) ctx.precondition(`the lab profile's PIN ${LAB_PIN} (the card refused it and has ${r.sw[3]} tries left; this attempt used one)`);
  assert.equal(r.sw, "9000", `VERIFY of the lab PIN answered ${r.sw}`);
}

/** PIN tries left as GET DATA info reports them; at least `need` or the case cannot run without blocking the card. */
export async function triesAtLeast(ctx: CaseContext, card: WalletCard, need: number): Promise<number> {
  const left = (await card.info()).pin ?? 0;
  if (left < need) ctx.precondition(`at least ${need} PIN tries left (the card has ${left}): the case would block the PIN`);
  return left;
}
