// Test support for the verifier tests: a simulated plaque whose SUN keys are fixed (slots 2
// and 3) serving a tap template, and one tap as a phone makes it (field on, Type 4 NDEF
// read, field off), decoded with the `ndef` package.
import ndef from "ndef";
import { bootTag, type Tag } from "../nfc/nfc-fixture.ts";
import { buildTapTemplate, readNdefType4, setTag, type TapTemplateOptions } from "../../host-tools/src/ndef/index.ts";
import { ALG_AES128 } from "../../host-tools/src/sim/keystore.ts";

export const META = "000102030405060708090A0B0C0D0E0F";
export const FILE = "F0E0D0C0B0A090807060504030201000";

export async function keyedTag(template: string, extra: Partial<TapTemplateOptions> = {}): Promise<Tag> {
  const t = await bootTag("sim-plaque");
  t.device.keystore.import(2, ALG_AES128, Buffer.from(META, "hex"));
  t.device.keystore.import(3, ALG_AES128, Buffer.from(FILE, "hex"));
  await setTag(t.client, buildTapTemplate({ url: template, ...extra }));
  return t;
}

export async function tap(t: Tag): Promise<string> {
  t.device.field(false);
  const read = await readNdefType4((a) => t.device.nfcApdu(a));
  t.device.field(false);
  return ndef.decodeMessage(Array.from(read.message))[0].value as string;
}
