// EMV MPM data objects: ID (2 digits) + length (2 digits) + value, where the length counts
// characters (Unicode code points), not bytes: "0104最佳运输" is four characters.
import { emvError } from "./emv-error.ts";

export interface DataObject {
  id: string;
  value: string;
}

/** Splits text into objects as far as it is well-formed; the error names where it stopped (`where`: the enclosing template). */
export function splitObjects(text: string, where = "payload"): { objects: DataObject[]; error?: { field: string; rule: string } } {
  const cs = Array.from(text);
  const objects: DataObject[] = [];
  let at = 0;
  while (at < cs.length) {
    if (cs.length - at < 4) return { objects, error: { field: where, rule: `truncated object header at character ${at}` } };
    const id = cs.slice(at, at + 2).join("");
    const len = cs.slice(at + 2, at + 4).join("");
    if (!/^\d\d$/.test(id)) return { objects, error: { field: where, rule: `object ID "${id}" at character ${at} is not two digits` } };
    if (!/^\d\d$/.test(len)) return { objects, error: { field: `${prefix(where)}${id}`, rule: `length "${len}" is not two digits` } };
    const n = Number(len);
    if (at + 4 + n > cs.length) return { objects, error: { field: `${prefix(where)}${id}`, rule: `length ${n} runs past the end of the ${where}` } };
    objects.push({ id, value: cs.slice(at + 4, at + 4 + n).join("") });
    at += 4 + n;
  }
  return { objects };
}

/** splitObjects that throws EMV_INVALID where the text stops being well-formed. */
export function parseObjects(text: string, where = "payload"): DataObject[] {
  const { objects, error } = splitObjects(text, where);
  if (error) throw emvError(error.field, error.rule, "each object is ID(2) + length(2) + value; the length counts characters");
  return objects;
}

function prefix(where: string): string {
  return where === "payload" ? "" : `${where}/`;
}

export function formatObject(id: string | number, value: string): string {
  const n = Array.from(value).length;
  const key = String(id).padStart(2, "0");
  if (n > 99) throw emvError(key, `value of ${n} characters exceeds 99`, "shorten the value");
  return `${key}${String(n).padStart(2, "0")}${value}`;
}
