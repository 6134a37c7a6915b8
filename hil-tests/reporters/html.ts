// The one-page HTML report: the run's facts and verdict counts, then failures and errors
// first, then one table per area, with the panel pictures QR cases attached shown inline.
// Self-contained (no scripts, no external files) so it can be mailed or archived as is.
import { escapeXml as esc } from "./junit.ts";
import type { CaseResult, SuiteResult } from "../runner.ts";

const ORDER: Record<string, number> = { fail: 0, error: 1, pass: 2, "n/a": 3, skipped: 4 };

/** `runPath`: the run's tag path; a case that took another one says which. */
function row(c: CaseResult, runPath: string): string {
  const figs = c.figures
    .map((f) => `<figure><img alt="${esc(f.caption)}" src="data:image/png;base64,${f.png}"><figcaption>${esc(f.caption)}</figcaption></figure>`)
    .join("");
  return `<tr class="${c.verdict === "n/a" ? "na" : c.verdict}"><td>${esc(c.id)}</td><td>${esc(c.verdict)}</td><td>${esc(c.title)}${c.message ? `<div class="msg">${esc(c.message)}</div>` : ""}${c.path !== runPath ? `<div class="msg">path: ${esc(c.path)}</div>` : ""}${figs}</td><td>${esc(c.ref)}</td><td>${c.checks}</td><td>${c.ms}</td></tr>`;
}

function table(cases: CaseResult[], runPath: string): string {
  return `<table><tr><th>id</th><th>verdict</th><th>case</th><th>reference</th><th>checks</th><th>ms</th></tr>${cases.map((c) => row(c, runPath)).join("")}</table>`;
}

export function toHtml(suite: SuiteResult): string {
  const f = suite.facts;
  const facts: [string, string][] = [
    ["board", `${f.board} (${f.role}), fw ${f.fw}, shell ${f.shell}, HAL ABI ${f.halAbi}`],
    [
      "firmware SHA-256",
      `${f.firmware.sha256 ?? "not recorded (tapkit hil --firmware FILE)"}${f.firmware.file ? ` — ${f.firmware.file} (${f.firmware.source})` : ""}`,
    ],
    ["image manifest", f.firmware.manifest ? JSON.stringify(f.firmware.manifest) : "none"],
    ["device identity", `${f.identity.kind} ${f.identity.value ?? ""}`],
    ["path", `link ${f.path.link}; tag APDUs via ${f.path.nfc}`],
    ["tapkit", `${f.tapkit.version} (${f.tapkit.commit ?? "no git commit"}), Node ${f.node}, ${f.os}`],
    ["seed", String(suite.seed)],
    ["time", `${suite.started} – ${suite.ended} (${(suite.ms / 1000).toFixed(1)} s)`],
    ["state-changing cases", suite.allowDestructive ? `run (${suite.destructive})` : "not run (no --allow-destructive, not a lab-profile device)"],
  ];
  const counts = Object.entries(suite.counts)
    .map(([k, v]) => `<span class="${k === "n/a" ? "na" : k}">${esc(k)} ${v}</span>`)
    .join(" ");
  const bad = suite.cases.filter((c) => c.verdict === "fail" || c.verdict === "error");
  const areas = [...new Set(suite.cases.map((c) => c.area))];
  const byArea = areas
    .map((a) => {
      const cs = suite.cases.filter((c) => c.area === a).sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict]);
      const pass = cs.filter((c) => c.verdict === "pass").length;
      return `<h2>${esc(a)} — ${pass}/${cs.length} pass</h2>${table(cs, f.path.nfc)}`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tapkit conformance — ${esc(f.board)} — ${esc(suite.started)}</title>
<style>
body{font:14px/1.35 system-ui,sans-serif;margin:1.5em;max-width:80em}
table{border-collapse:collapse;width:100%;margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
.fail td:nth-child(2),span.fail{color:#b00;font-weight:bold}.error td:nth-child(2),span.error{color:#a60;font-weight:bold}
.pass td:nth-child(2),span.pass{color:#070}.na td:nth-child(2),.skipped td:nth-child(2){color:#666}
.msg{color:#444;font-family:monospace;white-space:pre-wrap}figure{display:inline-block;margin:4px}img{image-rendering:pixelated;max-width:240px;border:1px solid #999}
</style></head><body>
<h1>tapkit conformance report</h1>
<p class="counts">${counts}</p>
<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
${suite.linkLostAt ? `<p class="error">The link was lost at case ${esc(suite.linkLostAt)}: the cases after it were not tried (bench fault).</p>` : ""}
${suite.stateChanges.length ? `<h2>State changes made</h2><ul>${suite.stateChanges.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>` : "<p>No lasting state changes were made.</p>"}
${suite.stateChangesUnconfirmed.length ? `<h2>State changes declared but not confirmed</h2><ul>${suite.stateChangesUnconfirmed.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>` : ""}
<h2>Failures and errors (${bad.length})</h2>
${bad.length ? table(bad, f.path.nfc) : "<p>none</p>"}
${byArea}
</body></html>
`;
}
