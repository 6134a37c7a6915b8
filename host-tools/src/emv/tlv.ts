// EMV MPM data objects: ID (2 digits) + length (2 digits) + value, where the length counts
// characters (Unicode code points), not bytes: "0104最佳运输" is four characters.
import { emvError } from "./emv-error.ts";

export interface DataObject {
  id: string;
  value: string;
}

/** Splits text into objects; `where` names the enclosing template in errors. */
export function parseObjects(text: string, where = "payload"): DataObject[] {
  const chars = Array.from(text);
  const out: DataObject[] = [];
  let at = 0;
  while (at < chars.length) {
    if (chars.length - at < 4) throw emvError(where, `truncated object header at character ${at}`, "each object is ID(2) + length(2) + value");
    const id = chars.slice(at, at + 2).join("");
    const len = chars.slice(at + 2, at + 4).join("");
    if (!/^\d\d$/.test(id)) throw emvError(where, `object ID "${id}" at character ${at} is not two digits`, "IDs are 00-99");
    if (!/^\d\d$/.test(len)) throw emvError(`${prefix(where)}${id}`, `length "${len}" is not two digits`, "lengths are 00-99 characters");
    const n = Number(len);
    if (at + 4 + n > chars.length)
      throw emvError(`${prefix(where)}${id}`, `length ${n} runs past the end of the ${where}`, "the length counts characters of the value");
    out.push({ id, value: chars.slice(at + 4, at + 4 + n).join("") });
    at += 4 + n;
  }
  return out;
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
