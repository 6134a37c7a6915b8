// JUnit XML for a conformance run: one <testsuite> per area, so CI dashboards and lab
// systems that already read JUnit (twister, pytest-embedded) file our results unchanged.
// fail -> <failure>, error -> <error>, n/a and skipped -> <skipped> with the reason.
import type { SuiteResult } from "../runner.ts";

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}
const esc = escapeXml;

export function toJUnit(suite: SuiteResult): string {
  const areas = [...new Set(suite.cases.map((c) => c.area))];
  const skippedOf = (cs: SuiteResult["cases"]) => cs.filter((c) => c.verdict === "skipped" || c.verdict === "n/a").length;
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`];
  out.push(
    `<testsuites name="tapkit conformance" tests="${suite.cases.length}" failures="${suite.failed}" errors="${suite.errors}" skipped="${skippedOf(suite.cases)}" time="${(suite.ms / 1000).toFixed(3)}">`,
  );
  const props: [string, unknown][] = [
    ...Object.entries(suite.device).map(([k, v]) => [`device.${k}`, v] as [string, unknown]),
    ...Object.entries(suite.nfc).map(([k, v]) => [`nfc.${k}`, v] as [string, unknown]),
    ["seed", suite.seed],
    ["firmware.sha256", suite.facts.firmware.sha256 ?? ""],
    ["tapkit.version", suite.facts.tapkit.version],
    ["tapkit.commit", suite.facts.tapkit.commit ?? ""],
  ];
  for (const area of areas) {
    const cases = suite.cases.filter((c) => c.area === area);
    const failures = cases.filter((c) => c.verdict === "fail").length;
    const errors = cases.filter((c) => c.verdict === "error").length;
    const time = cases.reduce((t, c) => t + c.ms, 0) / 1000;
    out.push(
      `  <testsuite name="${esc(area)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skippedOf(cases)}" time="${time.toFixed(3)}" timestamp="${suite.started}">`,
    );
    out.push(`    <properties>`);
    for (const [k, v] of props) out.push(`      <property name="${esc(k)}" value="${esc(String(v))}"/>`);
    out.push(`    </properties>`);
    for (const c of cases) {
      const name = `${c.id} ${c.title}`;
      out.push(`    <testcase classname="tapkit.${esc(area)}" name="${esc(name)}" time="${(c.ms / 1000).toFixed(3)}">`);
      const msg = esc(c.message ?? "");
      if (c.verdict === "fail") out.push(`      <failure message="${msg}">${msg}</failure>`);
      if (c.verdict === "error") out.push(`      <error message="${msg}">${msg}</error>`);
      if (c.verdict === "skipped") out.push(`      <skipped message="${msg}"/>`);
      if (c.verdict === "n/a") out.push(`      <skipped message="not applicable: ${msg}"/>`);
      const notes = [`ref=${c.ref}`, ...Object.entries(c.notes).map(([k, v]) => `${k}=${v}`)];
      out.push(`      <system-out>${esc(notes.join("\n"))}</system-out>`);
      out.push(`    </testcase>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return `${out.join("\n")}\n`;
}
