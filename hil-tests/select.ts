// Which cases a run executes: --only / --exclude / --tag patterns (exact ids, area names,
// or globs with *, ? and [...] classes), and --rerun-failed (the fail and error cases of an earlier JSON
// report). A selection that matches nothing is a usage error, not an empty green run.
import { readFileSync } from "node:fs";
import type { ConformanceCase } from "./case.ts";
import { TapkitError } from "../host-tools/src/errors/index.ts";

export interface Selection {
  only?: string[];
  exclude?: string[];
  tags?: string[];
  /** ids to run (from --rerun-failed); intersected with the rest */
  ids?: string[];
}

/** A shell glob as a RegExp: * any run, ? one character, [...] a class ([1-3], [!x] or [^x] negated). */
function globToRegExp(glob: string): RegExp {
  let body = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    const close = ch === "[" ? glob.indexOf("]", i + 2) : -1;
    if (ch === "*") body += ".*";
    else if (ch === "?") body += ".";
    else if (close > 0) {
      const inner = glob.slice(i + 1, close);
      const negated = inner[0] === "!" || inner[0] === "^";
      body += `[${negated ? "^" : ""}${(negated ? inner.slice(1) : inner).replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else body += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${body}$`, "i");
}

const isGlob = (p: string) => /[*?]|\[.+\]/.test(p);

/** True when `pattern` names the case: its exact id, its area, or a glob over the id. */
export function matchesCase(c: ConformanceCase, pattern: string): boolean {
  if (isGlob(pattern)) return globToRegExp(pattern).test(c.id);
  return c.id.toUpperCase() === pattern.toUpperCase() || c.area.toLowerCase() === pattern.toLowerCase();
}

function matchesTag(c: ConformanceCase, pattern: string): boolean {
  const re = globToRegExp(pattern);
  return (c.tags ?? []).some((t) => re.test(t));
}

export function selectCases(all: ConformanceCase[], sel: Selection): ConformanceCase[] {
  // A pattern that names nothing is a typo (--only NFC-SUN for NFC-SUN-*): refuse it rather
  // than run less than the lab asked for.
  for (const [flag, patterns, matches] of [
    ["--only", sel.only, matchesCase],
    ["--exclude", sel.exclude, matchesCase],
    ["--tag", sel.tags, matchesTag],
  ] as const) {
    const unknown = (patterns ?? []).find((p) => !all.some((c) => matches(c, p)));
    if (unknown !== undefined)
      throw new TapkitError(
        "USAGE",
        `${flag} ${unknown} matches no conformance case`,
        "patterns are exact ids (NFC-T4-001), area names (nfc) or globs (NFC-T4-*, LINK-00[1-3]); 'tapkit hil --list' shows every case",
        { flag, pattern: unknown },
      );
  }
  const picked = all.filter(
    (c) =>
      (!sel.only?.length || sel.only.some((p) => matchesCase(c, p))) &&
      !sel.exclude?.some((p) => matchesCase(c, p)) &&
      (!sel.tags?.length || sel.tags.some((t) => matchesTag(c, t))) &&
      (!sel.ids || sel.ids.includes(c.id)),
  );
  if (picked.length === 0) {
    const asked = [
      ...(sel.only ?? []).map((p) => `--only ${p}`),
      ...(sel.exclude ?? []).map((p) => `--exclude ${p}`),
      ...(sel.tags ?? []).map((p) => `--tag ${p}`),
      ...(sel.ids ? [`--rerun-failed (${sel.ids.length} failed case(s) in the report)`] : []),
    ].join(" ");
    throw new TapkitError(
      "USAGE",
      `the selection matches no conformance case: ${asked}`,
      "patterns are exact ids (NFC-T4-001), area names (nfc) or globs (NFC-T4-*, LINK-00[1-3]); 'tapkit hil --list' shows every case",
      { only: sel.only ?? [], exclude: sel.exclude ?? [], tags: sel.tags ?? [] },
    );
  }
  return picked;
}

/** The ids whose verdict was fail or error in a JSON report written by `tapkit hil --report`. */
/** What --rerun-failed takes from an earlier JSON report: its fail and error cases, and its seed. */
export interface RerunReport {
  ids: string[];
  /** the seed the report ran with (undefined when it has none a run could reuse) */
  seed: number | undefined;
}

export function readRerunReport(path: string): RerunReport {
  const hint = "pass the .json report of an earlier tapkit hil run";
  let report: { cases?: { id: string; verdict: string }[]; seed?: unknown };
  try {
    report = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new TapkitError("USAGE", `--rerun-failed ${path}: no such file`, hint);
    throw new TapkitError("USAGE", `--rerun-failed: cannot read ${path} as a JSON report (${(e as Error).message})`, hint);
  }
  if (!Array.isArray(report.cases)) throw new TapkitError("USAGE", `--rerun-failed: ${path} has no cases list`, hint);
  const seed = report.seed;
  return {
    ids: report.cases.filter((c) => c.verdict === "fail" || c.verdict === "error").map((c) => c.id),
    seed: typeof seed === "number" && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff ? seed : undefined,
  };
}
