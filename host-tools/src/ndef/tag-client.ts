// The tag's link ops (firmware/nfc/tag-ops.ts) from the host: read and set the NDEF content
// and dynamic-URL layout, and the firmware's own NDEF build/parse/lint (used by tests and
// `tapkit ndef --device`).
import { CHANNEL } from "../link/index.ts";
import type { DeviceClient } from "../device/client.ts";
import type { TagConfig } from "./tap-template.ts";

export interface TagState extends Omit<TagConfig, "m" | "writable"> {
  tag_uid: Uint8Array;
  m: Uint8Array;
  writable: boolean;
  mode: number;
  /** tap counter in the store */
  counter: number;
  /** counter value behind the last dynamic URL served */
  last: number;
  limit: number;
}

export async function getTag(device: DeviceClient): Promise<TagState> {
  return (await device.session.request(CHANNEL.APP, "tag.get")) as unknown as TagState;
}

/** A tag.set argument map that puts back what `getTag` returned (tests and conformance cases restore with it). */
export function restoreArgs(s: TagState): Partial<TagConfig> & { tag_uid: Uint8Array } {
  const { counter: _c, last: _l, ...config } = s;
  return config;
}

/** Sets the tag's content (and optionally its 7-byte UID), kept in the device's store; returns the firmware's lint of the new message. */
export async function setTag(device: DeviceClient, config: Partial<TagConfig> & { tag_uid?: Uint8Array }): Promise<{ errors: string[]; warnings: string[] }> {
  return (await device.session.request(CHANNEL.APP, "tag.set", config as Record<string, unknown>)) as unknown as { errors: string[]; warnings: string[] };
}

export async function firmwareNdefBuild(device: DeviceClient, args: { uri?: string; title?: string; text?: string; lang?: string; aar?: string; ext_type?: string; ext_data?: Uint8Array }): Promise<Uint8Array> {
  return (await device.session.request(CHANNEL.APP, "ndef.build", args as Record<string, unknown>)).m as Uint8Array;
}

export async function firmwareNdefParse(device: DeviceClient, m: Uint8Array): Promise<{ records: { flags: number; tnf: number; type: Uint8Array; id: Uint8Array; payload: Uint8Array }[]; rest: number }> {
  return (await device.session.request(CHANNEL.APP, "ndef.parse", { m })) as never;
}

export async function firmwareNdefLint(device: DeviceClient, m: Uint8Array): Promise<{ errors: string[]; warnings: string[] }> {
  return (await device.session.request(CHANNEL.APP, "ndef.lint", { m })) as never;
}

/** Switches a board with both personalities (the plaque) to Type 4 (1) or Type 2 (2). */
export async function setPersonality(device: DeviceClient, p: 1 | 2): Promise<void> {
  await device.session.request(CHANNEL.NFC_TEST, "personality", { p });
}
