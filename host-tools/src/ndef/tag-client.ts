// The tag's link ops (firmware/nfc/tag-ops.ts) from the host: read and set the NDEF content
// and dynamic-URL layout, and the firmware's own NDEF build/parse/lint (used by tests and
// `tapkit ndef --device`). Thin names over the typed op client (client.ops.tag, .ndef).
import type { DeviceClient } from "../device/client.ts";
import type { OpArgs, OpResult } from "../ops/index.ts";
import type { TagConfig } from "./tap-template.ts";

export type TagState = OpResult<"tag.get">;

export async function getTag(device: DeviceClient): Promise<TagState> {
  return device.ops.tag.get();
}

/** A tag.set argument map that puts back what `getTag` returned (tests and conformance cases restore with it). */
export function restoreArgs(s: TagState): Partial<TagConfig> & { tag_uid: Uint8Array } {
  const { counter: _c, last: _l, ...config } = s;
  return config;
}

/** Sets the tag's content (and optionally its 7-byte UID), kept in the device's store; returns the firmware's lint of the new message. */
export async function setTag(device: DeviceClient, config: Partial<TagConfig> & { tag_uid?: Uint8Array }): Promise<OpResult<"tag.set">> {
  return device.ops.tag.set(config);
}

export async function firmwareNdefBuild(device: DeviceClient, args: OpArgs<"ndef.build">): Promise<Uint8Array> {
  return (await device.ops.ndef.build(args)).m;
}

export async function firmwareNdefParse(device: DeviceClient, m: Uint8Array): Promise<OpResult<"ndef.parse">> {
  return device.ops.ndef.parse({ m });
}

export async function firmwareNdefLint(device: DeviceClient, m: Uint8Array): Promise<OpResult<"ndef.lint">> {
  return device.ops.ndef.lint({ m });
}

/** Switches a board with both personalities (the plaque) to Type 4 (1) or Type 2 (2). */
export async function setPersonality(device: DeviceClient, p: 1 | 2): Promise<void> {
  await device.ops.nfcTest.personality({ p });
}
