// tapkit hil: the conformance suite (hil-tests/). Lists the catalogue without a device, runs
// a selection against a device (real or simulated) over the nfc-test channel or a PC/SC
// reader, and files JUnit, JSON and HTML reports plus a signed summary; `hil verify-report`
// checks a filed report offline against the lab's public key.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { Command } from "../command.ts";
import { JSON_OPTION, PORT_OPTION } from "../command.ts";
import { table } from "../output.ts";
import { usageError } from "../output.ts";
import { EXIT, TapkitError } from "../../errors/index.ts";
import { runConformance } from "../../../../hil-tests/runner.ts";
import { ALL_CASES } from "../../../../hil-tests/cases/index.ts";
import { catalogueEntries } from "../../../../hil-tests/catalogue.ts";
import { readRerunReport, selectCases } from "../../../../hil-tests/select.ts";
import { toJUnit } from "../../../../hil-tests/reporters/junit.ts";
import { toJsonReport } from "../../../../hil-tests/reporters/json.ts";
import { toHtml } from "../../../../hil-tests/reporters/html.ts";
import { signReport, verifyReport } from "../../../../hil-tests/reporters/signed-summary.ts";
import { loadPublicKey, loadSigningKey } from "../../image/signing-key.ts";
import { withDevice } from "./connect.ts";
import { pcscPath } from "../../pcsc/index.ts";
import { optionalInteger } from "../option-values.ts";
import { checkDestination } from "../../files/durable-write.ts";
import { checkFirmwareMatchesDevice, readFirmwareFile } from "../../../../hil-tests/firmware-check.ts";

function parseSeed(v: string | undefined): number | undefined {
  return optionalInteger(v, "seed", {
    min: 0,
    max: 0xffffffff,
    what: "a seed",
    hint: "seeds are 0..4294967295; reuse the seed a report shows, e.g. --seed 1234",
  });
}

/** A lab key (--sign, --key): a missing or wrong file is a usage error naming the option. */
function labKey<T>(flag: string, path: string, load: (p: string) => T): T {
  try {
    return load(path);
  } catch (e) {
    if (e instanceof TapkitError && (e.code === "KEY_READ" || e.code === "KEY_FORMAT"))
      throw new TapkitError("USAGE", `${flag} ${path}: ${e.message}`, e.hint, { option: flag, path });
    throw e;
  }
}

/** Every report path must be writable before the run starts: an hour of cases is not lost to a typo. */
function checkReportPaths(files: Record<string, string | null>): void {
  for (const [what, path] of Object.entries(files)) {
    if (!path) continue;
    // A report thrown away on purpose (--junit /dev/null) is fine: writing to a character device works.
    if (existsSync(path) && statSync(path).isCharacterDevice()) continue;
    checkDestination(path, { force: true, option: `--${what}`, what: "report" });
  }
}

/** --timeout: the link's per-attempt timeout in ms (a loaded bench or a slow board needs more). */
function parseTimeout(v: string | undefined): number | undefined {
  return optionalInteger(v, "timeout", { min: 100, max: 999999, what: "milliseconds", hint: "e.g. --timeout 3000 on a loaded machine" });
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TapkitError("FILE_UNREADABLE", `cannot read the ${what} ${path}: ${(e as Error).message}`, `pass the ${what} file`);
  }
}

export const hil: Command = {
  name: "hil",
  summary: "run the conformance suite against a device (real or simulated); list it with --list",
  usage:
    "tapkit hil --list [--only PAT ...] [--exclude PAT ...] [--tag PAT ...] [--json] | tapkit hil --port PORT [--reader NAME] [--only PAT ...] [--exclude PAT ...] [--tag PAT ...] [--rerun-failed REPORT] [--allow-destructive] [--seed N] [--firmware FILE] [--junit F] [--report F] [--html F] [--sign KEY] [--json]",
  examples: [
    "tapkit hil --list                                   # the catalogue, no device needed",
    "tapkit hil --list --only 'NFC-T4-*' --json",
    "tapkit hil --list --only 'LINK-00[1-3]' --exclude LINK-002   # globs: * ? [...]",
    "tapkit hil --port /dev/ttyUSB0 --firmware fw-1.4.0.tki --report lab.json --html lab.html --sign keys/lab.pem",
    "tapkit hil --port tcp:127.0.0.1:7300 --reader 'Virtual PCD 00 00' --only nfc   # simulator started with --pcsc",
    "tapkit hil --port /dev/ttyUSB0 --rerun-failed lab.json   # the report's failures, with the report's seed (or --seed N)",
    "tapkit hil --port tcp:127.0.0.1:7300 --allow-destructive   # also the cases that spend value, use PIN tries, advance counters",
    "tapkit hil verify-report lab.json --key keys/lab.pub.pem",
  ],
  options: {
    ...PORT_OPTION,
    list: { type: "boolean", help: "print the catalogue (id, area, reference, roles, state change) without a device" },
    reader: { type: "string", help: "send the tag's APDUs through this PC/SC reader (pcsc_scan lists names); default: the link's nfc-test channel" },
    only: { type: "string", multiple: true, help: "run only these cases: exact id, area name, or glob (NFC-T4-*)" },
    exclude: { type: "string", multiple: true, help: "leave these cases out (same patterns as --only)" },
    tag: { type: "string", multiple: true, help: "run only cases with a tag matching this (glob)" },
    "rerun-failed": { type: "string", help: "run the fail and error cases of this JSON report again, with its seed unless --seed is given" },
    "allow-destructive": { type: "boolean", help: "also run cases that change lasting device state (listed in the report)" },
    timeout: { type: "string", help: "per-attempt link timeout in ms (default 500 ms + twice the line time); raise it on a loaded bench" },
    seed: { type: "string", help: "seed for the random parts (fuzzing); default random, always reported" },
    firmware: { type: "string", help: "the .wasm or .tki the device runs: its SHA-256 (and manifest) go in the report" },
    junit: { type: "string", help: "JUnit XML report (default tapkit-hil.xml)" },
    report: { type: "string", help: "JSON report (default: the JUnit file's name with .json)" },
    html: { type: "string", help: "one-page HTML report (default: the JUnit file's name with .html)" },
    sign: { type: "string", help: "lab private key (tapkit image keygen): writes REPORT.cose, a COSE_Sign1 over the JSON report's SHA-256" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const rerun = opts["rerun-failed"] ? readRerunReport(opts["rerun-failed"]) : undefined;
    const cases = selectCases(ALL_CASES, { only: opts.only, exclude: opts.exclude, tags: opts.tag, ids: rerun?.ids });
    if (opts.list) {
      const entries = catalogueEntries(cases);
      out.result({ count: entries.length, cases: entries }, (r: { cases: ReturnType<typeof catalogueEntries> }) => {
        out.line(
          table([
            ["id", "area", "tags", "roles", "state", "reference", "title"],
            ...r.cases.map((c) => [c.id, c.area, c.tags.join(",") || "-", c.roles.join("+"), c.changes ? "changes" : "-", c.ref, c.title]),
          ]),
        );
        out.line(`${r.cases.length} case(s)`);
      });
      return EXIT.ok;
    }
    // Everything the run needs from disk is checked before the device is touched.
    let seed = parseSeed(opts.seed);
    let seedFrom = seed === undefined ? "random" : "--seed";
    if (seed === undefined && rerun) {
      seed = rerun.seed;
      if (seed !== undefined) {
        seedFrom = "the --rerun-failed report";
        out.status(`--rerun-failed: reusing the report's seed ${seed} (give --seed N for another)`);
      }
    }
    const firmware = opts.firmware ? readFirmwareFile(opts.firmware) : undefined;
    const lab = opts.sign ? labKey("--sign", opts.sign, loadSigningKey) : undefined;
    // The reports sit together: --junit lab.xml puts lab.json and lab.html beside it.
    const junit = opts.junit ?? "tapkit-hil.xml";
    const stem = junit.endsWith(".xml") ? junit.slice(0, -4) : junit;
    const report = opts.report ?? `${stem}.json`;
    const files = { junit, report, html: opts.html ?? `${stem}.html`, signed: lab ? `${report}.cose` : null };
    checkReportPaths({ junit: files.junit, report: files.report, html: files.html, sign: files.signed });
    const suite = await withDevice({ ...opts, timeoutMs: parseTimeout(opts.timeout) }, async (device) => {
      if (firmware) await checkFirmwareMatchesDevice(firmware, device);
      const nfc = opts.reader ? await pcscPath(opts.reader) : undefined;
      out.status(
        `conformance run on ${device.port}: ${device.hello.board}, fw ${device.hello.fw}; tag APDUs via ${nfc?.description ?? "the nfc-test channel"}; ${cases.length} case(s)`,
      );
      try {
        return await runConformance(device, {
          cases,
          nfc,
          seed,
          allowDestructive: Boolean(opts["allow-destructive"]),
          firmware: firmware?.path,
          onResult: (r) => out.status(`  ${r.verdict.toUpperCase().padEnd(7)} ${r.id} ${r.title}${r.message ? ` — ${r.message}` : ""}`),
        });
      } finally {
        await nfc?.close();
      }
    });
    const json = toJsonReport(suite);
    writeFileSync(files.report, json);
    writeFileSync(files.junit, toJUnit(suite));
    writeFileSync(files.html, toHtml(suite));
    if (lab && files.signed) writeFileSync(files.signed, signReport(suite, Buffer.from(json), lab));
    const { cases: _all, ...headline } = suite;
    out.result({ ...headline, seedFrom, cases: suite.cases.map(({ figures: _f, ...c }) => c), files }, (s) => {
      out.line(
        table([
          ["pass", "fail", "error", "n/a", "skipped", "seed", "time"],
          [
            String(s.passed),
            String(s.failed),
            String(s.errors),
            String(s.notApplicable),
            String(s.skipped),
            `${s.seed}${s.seedFrom === "--seed" ? "" : ` (${s.seedFrom})`}`,
            `${(s.ms / 1000).toFixed(1)} s`,
          ],
        ]),
      );
      if (s.linkLostAt) out.line(`link lost at case ${s.linkLostAt}: the cases after it were not tried (bench fault)`);
      if (s.stateChanges.length) out.line(`state changes made:\n  ${s.stateChanges.join("\n  ")}`);
      if (s.stateChangesUnconfirmed.length) out.line(`state changes declared but not confirmed:\n  ${s.stateChangesUnconfirmed.join("\n  ")}`);
      out.line(`reports: ${[files.report, files.junit, files.html, files.signed].filter(Boolean).join(", ")}`);
    });
    return suite.failed > 0 || suite.errors > 0 ? EXIT.testsFailed : EXIT.ok;
  },
};

export const hilVerifyReport: Command = {
  name: "hil verify-report",
  summary: "check a signed conformance report offline: the lab's signature and that the JSON was not edited",
  usage: "tapkit hil verify-report REPORT.json --key LAB.pub.pem [--sig REPORT.json.cose] [--json]",
  examples: ["tapkit hil verify-report lab.json --key keys/lab.pub.pem", "tapkit hil verify-report lab.json --sig lab.json.cose --key keys/lab.pub.pem --json"],
  positionals: [1, 1],
  options: {
    key: { type: "string", short: "k", help: "the lab's public key (SPKI PEM from tapkit image keygen, or raw hex)" },
    sig: { type: "string", help: "the signed summary (default REPORT.cose)" },
    ...JSON_OPTION,
  },
  async run(opts, [report], out) {
    if (!opts.key) throw usageError("tapkit hil verify-report needs --key", "--key keys/lab.pub.pem (the lab's public key)");
    for (const [flag, path] of [
      ["REPORT", report],
      ["--key", opts.key],
      ["--sig", opts.sig ?? `${report}.cose`],
    ])
      if (!existsSync(path))
        throw usageError(`${flag} ${path}: no such file`, "tapkit hil verify-report REPORT.json --key LAB.pub.pem [--sig REPORT.json.cose]");
    const key = labKey("--key", opts.key, loadPublicKey);
    const r = verifyReport(readBytes(report, "JSON report"), readBytes(opts.sig ?? `${report}.cose`, "signed summary"), key.publicKey, key.alg);
    out.result({ ok: true, report, ...r }, (v) => {
      out.line(`OK: ${report} is the report signed by key ${v.kid}`);
      out.line(`  board ${v.board}, firmware ${v.firmwareSha256 || "(not recorded)"}, seed ${v.seed}, ${v.started} – ${v.ended}`);
      out.line(
        `  ${Object.entries(v.counts)
          .map(([k, n]) => `${k} ${n}`)
          .join(", ")}`,
      );
    });
    return EXIT.ok;
  },
};
