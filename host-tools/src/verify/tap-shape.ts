// The exact shape of the URL a tag serves, checked before any crypto. A SUN MAC covers only
// the mirrors (and SDMENCFileData), a signature only the query text up to "s=": the scheme,
// host, path, every other parameter and anything appended after the MAC or signature are
// covered by nothing. So the verifier accepts only a URL that is the tag's template with each
// placeholder replaced by exactly what the firmware mirrors there (firmware/nfc/sun-mirror.ts,
// signed-mirror.ts): upper-case hex of the fixed width, 86 base64url characters.
//
// A keys-file entry gives its `template` (the `tapkit ndef build --tap` URL, placeholders
// included), or the older `url` (scheme, host and path, exactly) plus `params`: then the query
// must hold exactly the mode's parameters, each once, and nothing else.
import { TapkitError } from "../errors/index.ts";

export type TapMode = "sun" | "sun-plain" | "signed";
export type Placeholder = "picc" | "uid" | "ctr" | "mac" | "enc" | "time" | "sig";

/** What a placeholder holds, as the firmware writes it. */
const VALUE_PATTERN: Record<Placeholder, (mode: TapMode) => string> = {
  picc: () => "[0-9A-F]{32}",
  uid: () => "[0-9A-F]{14}",
  ctr: (mode) => (mode === "signed" ? "[0-9A-F]{8}" : "[0-9A-F]{6}"),
  mac: () => "[0-9A-F]{16}",
  // SDMENCFileData: a multiple of 32 hex characters, at most 256 (firmware ENC_MAX_CHARS)
  enc: () => "(?:[0-9A-F]{32}){1,8}",
  time: () => "[0-9A-F]{8}",
  sig: () => "[A-Za-z0-9_-]{86}",
};

const REQUIRED: Record<TapMode, Placeholder[]> = { sun: ["picc", "mac"], "sun-plain": ["uid", "ctr", "mac"], signed: ["ctr", "sig"] };
const ALLOWED: Record<TapMode, Placeholder[]> = { sun: ["picc", "enc", "mac"], "sun-plain": ["uid", "ctr", "enc", "mac"], signed: ["ctr", "time", "sig"] };

/** Where each placeholder's value sits in a URL that matched. */
export interface TapMatch {
  values: Partial<Record<Placeholder, string>>;
  /** start index in the URL of each value */
  starts: Partial<Record<Placeholder, number>>;
}

export interface TapShape {
  /** text before the first placeholder or '?': what a near miss shares with this tag */
  base: string;
  /** the whole template, placeholders in braces, for messages */
  describe: string;
  /** literal characters (more = more specific, preferred when several match) */
  literalLength: number;
  match(url: string): TapMatch | null;
  /** why `url` does not have this shape (for a URL that starts with `base`) */
  explain(url: string): string;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function badKeys(tag: string, message: string, hint: string): TapkitError {
  return new TapkitError("BAD_KEYS_FILE", `tag ${tag}: ${message}`, hint);
}

/** The shape from a tap template such as `https://pay.example.com/t?p={picc}&c={mac}`. */
export function shapeFromTemplate(template: string, mode: TapMode, tag: string): TapShape {
  if (!/^[\x21-\x7e]+$/.test(template)) throw badKeys(tag, "template must be printable ASCII without spaces", "copy the URL given to tapkit ndef build --tap");
  const parts: (string | Placeholder)[] = [];
  const re = /\{([a-z]+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    const name = m[1] as Placeholder;
    if (!ALLOWED[mode].includes(name))
      throw badKeys(tag, `{${m[1]}} is not a ${mode} placeholder`, `${mode} templates use ${ALLOWED[mode].map((p) => `{${p}}`).join(" ")}`);
    if (parts.includes(name)) throw badKeys(tag, `{${name}} appears twice in the template`, "use each placeholder once");
    parts.push(template.slice(last, m.index), name);
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  for (const need of REQUIRED[mode]) {
    if (!parts.includes(need)) throw badKeys(tag, `a ${mode} template needs {${need}}`, "copy the URL given to tapkit ndef build --tap");
  }
  const names = parts.filter((_, i) => i % 2 === 1) as Placeholder[];
  const literals = parts.filter((_, i) => i % 2 === 0) as string[];
  const regex = new RegExp(`^${parts.map((p, i) => (i % 2 === 0 ? escapeRegex(p as string) : `(${VALUE_PATTERN[p as Placeholder](mode)})`)).join("")}$`);
  const q = template.indexOf("?");
  const firstPlaceholder = template.indexOf("{");
  const base = template.slice(0, q >= 0 && q < firstPlaceholder ? q : firstPlaceholder);
  return {
    base,
    describe: template,
    literalLength: literals.join("").length,
    match(url) {
      const m = regex.exec(url);
      if (!m) return null;
      const out: TapMatch = { values: {}, starts: {} };
      let at = 0;
      for (let i = 0; i < names.length; i++) {
        at += literals[i].length;
        out.values[names[i]] = m[i + 1];
        out.starts[names[i]] = at;
        at += m[i + 1].length;
      }
      return out;
    },
    explain(url) {
      // Walk the template: the first literal that differs, or the first value of the wrong form.
      let at = 0;
      for (let i = 0; i < parts.length; i++) {
        if (i % 2 === 0) {
          const lit = parts[i] as string;
          if (!url.startsWith(lit, at)) {
            let d = 0;
            while (d < lit.length && url[at + d] === lit[d]) d++;
            return `at character ${at + d} the tag serves ${JSON.stringify(lit.slice(d, d + 24))}, the URL has ${JSON.stringify(url.slice(at + d, at + d + 24))}`;
          }
          at += lit.length;
        } else {
          const name = parts[i] as Placeholder;
          const m = new RegExp(`^${VALUE_PATTERN[name](mode)}`).exec(url.slice(at));
          if (!m) return `{${name}} at character ${at} is not ${describeValue(name, mode)}`;
          at += m[0].length;
        }
      }
      return `${url.length - at} character(s) after the end of the tag's URL: ${JSON.stringify(url.slice(at, at + 40))}`;
    },
  };
}

function describeValue(name: Placeholder, mode: TapMode): string {
  switch (name) {
    case "sig":
      return "86 base64url characters";
    case "enc":
      return "a multiple of 32 upper-case hex characters";
    default:
      return `${VALUE_PATTERN[name](mode).match(/\{(\d+)\}/)![1]} upper-case hex characters`;
  }
}

/**
 * The shape from the older keys-file form: `url` is scheme, host and path exactly; the query
 * holds exactly the mode's parameters (names from `params`), each once, in any order; for
 * signed URLs the signature parameter comes last and everything before it is signed.
 */
export function shapeFromUrl(url: string, mode: TapMode, names: Record<Placeholder, string>, tag: string): TapShape {
  if (url.includes("?") || url.includes("#") || url.includes("{")) {
    throw badKeys(
      tag,
      `url ${JSON.stringify(url)} must be scheme, host and path only`,
      'give the full template as "template" instead, e.g. "https://pay.example.com/t?p={picc}&c={mac}"',
    );
  }
  const required = REQUIRED[mode];
  const check = (candidate: string): { match: TapMatch | null; why: string } => {
    const q = candidate.indexOf("?");
    if (q < 0) return { match: null, why: "the URL has no query" };
    if (candidate.slice(0, q) !== url) return { match: null, why: `the tag serves ${url}, the URL has ${candidate.slice(0, q)}` };
    if (candidate.includes("#")) return { match: null, why: "a fragment (#...) was added" };
    const out: TapMatch = { values: {}, starts: {} };
    let at = q + 1;
    const fields = candidate.slice(q + 1).split("&");
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      const eq = field.indexOf("=");
      const key = eq < 0 ? field : field.slice(0, eq);
      const value = eq < 0 ? "" : field.slice(eq + 1);
      const name = (Object.keys(names) as Placeholder[]).find((p) => names[p] === key && ALLOWED[mode].includes(p));
      // Signed: other parameters before the signature are signed text (the signature checks them).
      if (!name && mode !== "signed") {
        return { match: null, why: `parameter ${JSON.stringify(key)} is not one the tag serves (${ALLOWED[mode].map((p) => names[p]).join(", ")})` };
      }
      if (name) {
        if (name in out.values) return { match: null, why: `parameter ${key} appears twice` };
        if (!new RegExp(`^${VALUE_PATTERN[name](mode)}$`).test(value)) return { match: null, why: `${key}= is not ${describeValue(name, mode)}` };
        out.values[name] = value;
        out.starts[name] = at + key.length + 1;
        if (name === "sig" && i !== fields.length - 1)
          return {
            match: null,
            why: `parameters were appended after the signature: ${JSON.stringify(
              fields
                .slice(i + 1)
                .join("&")
                .slice(0, 40),
            )}`,
          };
      }
      at += field.length + 1;
    }
    for (const p of required) if (!(p in out.values)) return { match: null, why: `parameter ${names[p]}= is missing` };
    return { match: out, why: "" };
  };
  return {
    base: url,
    describe: `${url}?${ALLOWED[mode].map((p) => `${names[p]}={${p}}`).join("&")}`,
    literalLength: url.length,
    match: (candidate) => check(candidate).match,
    explain: (candidate) => check(candidate).why,
  };
}
