// The one exit table against the README's exit-code section (both ways: every status and
// its meaning, and which error codes exit with it), the link's codes inside the README's
// 0-10, and the host keeping one error type with one spelling of codes.
import { test } from "vitest";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../host-tools/src/paths.ts";
import { asTapkitError, EXIT, EXIT_FOR_CODE, EXIT_MEANING, exitStatusFor, TapkitError, type ExitName } from "../../host-tools/src/errors/index.ts";
import { DEFAULT_HINTS, LinkError, type LinkErrorCode } from "../../host-tools/src/link/errors.ts";

interface ReadmeRow {
  status: number;
  meaning: string;
  codes: string[];
}

/** The rows of the table under "### Exit codes" in README.md. */
function readmeExitRows(): ReadmeRow[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^### Exit codes$/m)[1]?.split(/^#/m)[0];
  assert.ok(section, "README.md has a '### Exit codes' section");
  return section
    .split("\n")
    .map((line) => /^\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|(.*)\|\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ status: Number(m[1]), meaning: m[2], codes: [...m[3].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((c) => c[1]) }));
}

const byStatus = (status: number): ExitName => (Object.keys(EXIT) as ExitName[]).find((n) => EXIT[n] === status)!;

test("README's exit statuses and meanings are the table's, and nothing else", () => {
  const rows = readmeExitRows();
  assert.deepEqual(
    rows.map((r) => r.status),
    Object.values(EXIT),
  );
  for (const r of rows) assert.equal(r.meaning, EXIT_MEANING[byStatus(r.status)], `README meaning of exit ${r.status}`);
  assert.deepEqual(Object.values(EXIT), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "the README promises 0-10");
});

test("README lists exactly the codes that exit 2..10, and its examples for 1 do exit 1", () => {
  for (const r of readmeExitRows()) {
    const fromTable = Object.keys(EXIT_FOR_CODE)
      .filter((c) => exitStatusFor(c) === r.status)
      .sort();
    if (r.status >= 2) assert.deepEqual([...r.codes].sort(), fromTable, `codes of exit ${r.status}`);
    else for (const c of r.codes) assert.equal(exitStatusFor(c), r.status, `${c} exits ${r.status}`);
  }
  assert.equal(exitStatusFor("CARD_REFUSED"), EXIT.failure, "a code not in the table is a plain failure");
});

test("every link failure exits with a README status: permission 4, refused/port errors 3, wrong version 6", () => {
  const expected: Record<LinkErrorCode, number> = {
    PORT_MISSING: 3,
    PORT_ERROR: 3,
    CONNECT_REFUSED: 3,
    LINK_CLOSED: 3,
    PORT_BUSY: 4,
    PORT_PERMISSION: 4,
    TIMEOUT: 5,
    NOT_TAPKIT: 6,
    UNSUPPORTED_VERSION: 6,
    DEVICE_ERROR: 7,
    TOO_LARGE: 1,
  };
  assert.deepEqual(Object.keys(DEFAULT_HINTS).sort(), Object.keys(expected).sort(), "every link code is checked here");
  for (const [code, status] of Object.entries(expected)) {
    const e = new LinkError(code as LinkErrorCode, "x");
    assert.ok(e instanceof TapkitError);
    assert.equal(e.exitCode, status, code);
    assert.ok(e.hint.length > 0, `${code} has a default hint`);
  }
  const device = new LinkError("DEVICE_ERROR", "device answered bad-arg", { deviceCode: "bad-arg", deviceMsg: "amount: must be > 0" });
  assert.deepEqual(device.details, { deviceCode: "bad-arg", deviceMsg: "amount: must be > 0" });
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("one error type on the host: no other Error classes, codes in one spelling, every throw site with a hint", () => {
  // the simulator's control-flow signals unwind Wasm frames to the shell; users never see them
  const signals = new Set(["PowerCut", "FirmwarePanic", "FirmwareReset", "HalFault"]);
  const files = sources(join(ROOT, "host-tools", "src"));
  const classes: string[] = [];
  const codes: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/class (\w+) extends (\w*Error)\b/g)) {
      const isTheType = m[1] === "TapkitError" || m[2] === "TapkitError";
      if (!signals.has(m[1]) && !isTheType) classes.push(`${m[1]} (${f})`);
    }
    for (const m of text.matchAll(/new (?:TapkitError|LinkError)\(\s*"([^"]*)"/g)) codes.push(m[1]);
    for (const m of text.matchAll(/new TapkitError\(\s*"[^"]*",\s*(?:"[^"]*"|`[^`]*`),\s*""\s*[,)]/g)) assert.fail(`empty hint: ${m[0]} (${f})`);
  }
  assert.deepEqual(classes, [], "error classes besides TapkitError");
  // a new build or board failure joins its exit class in the table (and the README)
  const families = files.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/"((BUILD|BOARD)_[A-Z_]+)"/g)].map((m) => [m[1], m[2]]));
  assert.ok(families.length >= 9);
  for (const [code, family] of families)
    assert.equal(exitStatusFor(code), family === "BUILD" ? EXIT.buildFailed : EXIT.boardInvalid, `${code} exits with its family`);
  assert.ok(codes.length > 150, `found ${codes.length} throw sites`);
  for (const c of codes) assert.match(c, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, `code ${c} is SCREAMING_SNAKE`);
  for (const c of Object.keys(EXIT_FOR_CODE)) assert.match(c, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
});

test("anything else thrown becomes FILE_ERROR (the OS refused a path) or INTERNAL (a bug), never a bare failure", () => {
  const known = new TapkitError("PIN_WRONG", "wrong PIN: 2 tries left", "check the PIN", { triesLeft: 2 });
  assert.equal(asTapkitError(known), known);
  let fsError: unknown;
  try {
    writeFileSync(join(ROOT, "no-such-folder-tapkit", "x.voucher"), "x");
  } catch (e) {
    fsError = e;
  }
  const file = asTapkitError(fsError);
  assert.deepEqual([file.code, file.exitCode, file.details.osCode], ["FILE_ERROR", 1, "ENOENT"]);
  assert.match(String(file.details.path), /no-such-folder-tapkit/);
  const bug = asTapkitError(new RangeError("index 9 out of range"));
  assert.deepEqual([bug.code, bug.exitCode, bug.message], ["INTERNAL", 1, "index 9 out of range"]);
  assert.match(bug.hint, /bug in tapkit/);
  assert.ok(bug.cause instanceof RangeError);
});
