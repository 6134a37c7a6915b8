// JUnit XML for a conformance run: one <testsuite> per area, so CI dashboards and lab
// systems that already read JUnit (twister, pytest-embedded) file our results unchanged.
import type { SuiteResult } from "../runner.ts";

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

export function toJUnit(suite: SuiteResult): string {
  const areas = [...new Set(suite.cases.map((c) => c.area))];
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`];
  out.push(
    `<testsuites name="tapkit conformance" tests="${suite.cases.length}" failures="${suite.failed}" skipped="${suite.skipped}" time="${(suite.ms / 1000).toFixed(3)}">`,
  );
  for (const area of areas) {
    const cases = suite.cases.filter((c) => c.area === area);
    const failures = cases.filter((c) => c.status === "fail").length;
    const skipped = cases.filter((c) => c.status === "skip").length;
    const time = cases.reduce((t, c) => t + c.ms, 0) / 1000;
    out.push(
      `  <testsuite name="${esc(area)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}" timestamp="${suite.started}">`,
    );
    out.push(`    <properties>`);
    for (const [k, v] of Object.entries(suite.device)) out.push(`      <property name="device.${k}" value="${esc(String(v))}"/>`);
    for (const [k, v] of Object.entries(suite.nfc)) out.push(`      <property name="nfc.${k}" value="${esc(String(v))}"/>`);
    out.push(`    </properties>`);
    for (const c of cases) {
      const name = `${c.id} ${c.title}`;
      out.push(`    <testcase classname="tapkit.${esc(area)}" name="${esc(name)}" time="${(c.ms / 1000).toFixed(3)}">`);
      if (c.status === "fail") out.push(`      <failure message="${esc(c.message ?? "failed")}">${esc(c.message ?? "")}</failure>`);
      if (c.status === "skip") out.push(`      <skipped message="${esc(c.message ?? "")}"/>`);
      const notes = Object.entries(c.notes);
      if (notes.length) out.push(`      <system-out>${esc(notes.map(([k, v]) => `${k}=${v}`).join("\n"))}</system-out>`);
      out.push(`    </testcase>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}
