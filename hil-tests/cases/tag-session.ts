// What tag cases share: APDUs as hex strings, status-word expectations with a readable
// reason, the NDEF application's SELECT and CC bytes, and a tag session that sets the tag's
// content for one case and always puts the previous content back.
import assert from "../check.ts";
import type { CaseContext } from "../case.ts";
import { encodeMessage, getTag, restoreArgs, setTag, uriRecord, type TagConfig } from "../../host-tools/src/ndef/index.ts";

export const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
export const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();
export const SELECT_APP = "00A4040007D276000085010100";
export const SELECT_CC = "00A4000C02E103";
export const SELECT_NDEF = "00A4000C02E104";
/** docs/nfc.md: the CC file of a read-only tag (write access FF). */
export const CC = "000F2000FF00FF0406E104040000FF";

/**
 * Type 2 frames reach the tag only over the link's nfc-test channel: a PC/SC reader (vpcd)
 * presents the Type 4 personality only. Under --reader the case's report says so.
 */
export function type2Frames(ctx: CaseContext): (frame: Uint8Array) => Promise<Uint8Array> {
  if (ctx.nfc.kind !== "nfc-test")
    ctx.path(`${ctx.device.port} (nfc-test channel): the PC/SC reader presents the Type 4 personality only, so Type 2 frames use the link`);
  return (frame) => ctx.device.nfcT2t(frame);
}

export async function apdu(ctx: CaseContext, h: string): Promise<string> {
  return toHex(await ctx.nfc.apdu(hex(h)));
}

export async function expectSw(ctx: CaseContext, h: string, want: string, why: string): Promise<void> {
  const got = await apdu(ctx, h);
  assert.ok(got.endsWith(want), `${why}: ${h} answered ${got}, expected ...${want}`);
}

/** Runs `fn` with the tag set to `config`, then puts the previous content back. */
export async function withTag(ctx: CaseContext, config: Partial<TagConfig> | null, fn: () => Promise<void>): Promise<void> {
  const before = await getTag(ctx.device);
  try {
    if (config) await setTag(ctx.device, config);
    await ctx.nfc.newTap();
    await fn();
  } finally {
    await ctx.nfc.newTap();
    await setTag(ctx.device, restoreArgs(before));
  }
}

export const STATIC_URL = "https://pay.example.com/m/12345";
export const STATIC = () => ({ m: encodeMessage([uriRecord(STATIC_URL)]), mode: 0, writable: false });
export const WRITABLE = () => ({ m: encodeMessage([uriRecord(STATIC_URL)]), mode: 0, writable: true });
