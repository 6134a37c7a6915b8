// tapkit demo (npm start): runs the shop-counter demo on a simulated board (library:
// host-tools/src/demo) and shows what it saw: the panel's codes, the taps, the panel itself.
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { table } from "../output.ts";
import { EXIT } from "../../errors/index.ts";
import { bitmapToText } from "../../raster/framebuffer.ts";
import { DEMO_AMOUNT, runDemo, type ScannedCode, type Tap } from "../../demo/shop-counter.ts";

export const demo: Command = {
  name: "demo",
  summary: "run the simulated plaque and show what it does (what npm start runs)",
  usage: "tapkit demo [--board NAME] [--png FILE] [--json]",
  examples: ["npm start", "tapkit demo --png panel.png", "tapkit demo --board sim-card --json"],
  options: {
    board: { type: "string", short: "b", help: "simulated board (default sim-plaque)" },
    png: { type: "string", help: "where to save the panel image (default demo-panel.png; the amount code goes to demo-panel-amount.png)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const { report, panel, passed } = await runDemo({ board: opts.board, png: opts.png, onStatus: out.status });
    out.result(report, (r: typeof report) => {
      out.line(`tapkit demo — ${r.hello.board} (firmware ${r.hello.fw}, HAL ABI ${r.hello.abi}, shell ${r.hello.shell})`);
      out.line(`${r.app.demo ? "DEMO set-up active: demo keys and demo merchant, not for real payments" : "blank device"}\n`);
      const rows: string[][] = [
        ["serial port", r.port],
        ["link", `protocol v${r.hello.v}, max frame ${r.hello.max} B, ${r.link.framesSent}/${r.link.framesReceived} frames, retries ${r.link.retries}`],
        ["mode", String(r.app.mode)],
        ["uptime", `${(r.info.uptime / 1000).toFixed(2)} s`],
      ];
      if (r.staticCode) rows.push(["panel QR (static)", describeCode(r.staticCode)]);
      r.taps.forEach((t, i) => rows.push([`NFC tap ${i + 1}`, describeTap(t)]));
      if (r.amountCode) rows.push([`POS asks ${DEMO_AMOUNT}`, describeCode(r.amountCode)]);
      out.line(table(rows));
      if (r.taps[0]) out.line(`\ntap URL: ${r.taps[r.taps.length - 1].url}`);
      if (panel) {
        out.line(`\npanel ${panel.width}x${panel.height} with the amount code (images: ${[r.staticCode?.png, r.amountCode?.png].filter(Boolean).join(", ")}):`);
        out.line(bitmapToText(panel, 2));
      }
      out.line("\nnext: 'npx tapkit sim' keeps a simulator running; 'npx tapkit --help' lists the commands.");
    });
    return passed ? EXIT.ok : EXIT.failure;
  },
};

function describeCode(c: ScannedCode): string {
  if (!c.decoded) return `NOT decoded (see ${c.png})`;
  if (!c.merchant) return `decoded, not an EMV payload: ${c.payload}`;
  return `decoded: ${c.merchant}, ${c.city}, ${c.initiation}${c.amount ? `, amount ${c.amount}` : ""}`;
}

function describeTap(t: Tap): string {
  return t.verified ? `SUN MAC valid, UID ${t.uid}, counter ${t.counter}` : `NOT verified: ${t.reason}`;
}
