// The README's Layout section stays true to the tree: every folder of firmware/,
// host-tools/src/, docs file and top-level folder is named there, and nothing it names in
// the host or firmware lists is gone. A new folder lands with its line in the README.
import { test } from "vitest";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const layout = readme.slice(readme.indexOf("## Layout"), readme.indexOf("\n## ", readme.indexOf("## Layout") + 5));

/** The README block's text for one top-level entry (its line and the indented lines after it). */
function entry(name: string): string {
  const lines = layout.split("\n");
  const at = lines.findIndex((l) => l.startsWith(name));
  assert.ok(at >= 0, `README Layout has no line for ${name}`);
  const out = [lines[at]];
  for (let i = at + 1; i < lines.length && /^\s{10,}/.test(lines[i]); i++) out.push(lines[i]);
  return out.join(" ");
}

const folders = (dir: string) => readdirSync(join(ROOT, dir)).filter((n) => statSync(join(ROOT, dir, n)).isDirectory());
const mentions = (text: string, word: string) => new RegExp(`(^|[^a-z-])${word}([^a-z-]|$)`).test(text);

test("every folder of firmware/ and host-tools/src/ is named in the README's Layout", () => {
  for (const [top, dir] of [
    ["firmware/", "firmware"],
    ["host-tools/src/", "host-tools/src"],
  ]) {
    const text = entry(top);
    const missing = folders(dir).filter((f) => !mentions(text, f));
    assert.deepEqual(missing, [], `${top} folders missing from README Layout`);
  }
});

test("every docs/*.md file and top-level folder is named in the README's Layout", () => {
  const docs = entry("docs/");
  const missingDocs = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md") && !docs.includes(f));
  assert.deepEqual(missingDocs, [], "docs missing from README Layout");
  // A folder holding only what git ignores (build output, reports and bench results a run leaves
  // behind) is not part of the layout; one with tracked or new unignored files is.
  const holdsSource = (f: string) =>
    spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", `${f}/`], { cwd: ROOT, encoding: "utf8" }).stdout.trim() !== "";
  const missingTop = folders(".").filter((f) => !f.startsWith(".") && holdsSource(f) && !layout.includes(`${f}/`));
  assert.deepEqual(missingTop, [], "top-level folders missing from README Layout");
});
