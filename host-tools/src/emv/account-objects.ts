// The merchant account objects (IDs 02-51) of a profile, from their EMV text back into
// fields: what `merchant.get` returns is the text the device stores, and people and
// `merchant set --profile` want {id, gui, fields} / {id, value}, the shape `emv build` takes.
import { emvError } from "./emv-error.ts";
import type { MerchantAccount } from "./mpm.ts";
import { parseObjects } from "./tlv.ts";

export function accountsFromText(text: string): MerchantAccount[] {
  return parseObjects(text, "merchant accounts").map((o) => {
    const id = Number(o.id);
    if (id < 2 || id > 51) throw emvError(o.id, "not a merchant account object (02-51)", "the accounts hold IDs 02-51 only");
    if (id < 26) return { id, value: o.value };
    const subs = parseObjects(o.value, o.id);
    const gui = subs.find((s) => s.id === "00")?.value;
    const fields = Object.fromEntries(subs.filter((s) => s.id !== "00").map((s) => [s.id, s.value]));
    return gui === undefined ? { id, fields } : { id, gui, fields };
  });
}
