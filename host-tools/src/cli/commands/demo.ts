// tapkit demo (npm start): the main job end to end on the simulated default plaque — boot
// the firmware in the board shell, open its serial port like a USB-serial adapter, exchange
// versions, and show what the device is, what its NFC tag answers and what its panel shows.
import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { table } from "../output.ts";
import { loadBoard } from "../../boards/index.ts";
import { buildFirmware } from "../../build/index.ts";
import { startSimulator } from "../../sim/run.ts";
import { DeviceClient } from "../../device/client.ts";
import { haveSocat } from "../../bench/throughput.ts";
import { bitmapToPng, bitmapToText } from "../../raster/framebuffer.ts";
import { firmwarePath } from "../../paths.ts";
import { toHex } from "../../bytes/hex.ts";

const SELECT_NDEF_APP = "00A4040007D276000085010100";

export const demo: Command = {
  name: "demo",
  summary: "run the simulated plaque and show what it does (what npm start runs)",
  usage: "tapkit demo [--board NAME] [--png FILE] [--json]",
  examples: ["npm start", "tapkit demo --board sim-card --json"],
  options: {
    board: { type: "string", short: "b", help: "simulated board (default sim-plaque)" },
    png: { type: "string", help: "where to save the panel image (default demo-panel.png)" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const board = loadBoard(opts.board ?? "sim-plaque");
    if (!existsSync(firmwarePath(board.name))) await buildFirmware(board, { quiet: true });
    const usePty = haveSocat();
    if (!usePty) out.status("NOTE: socat is not installed (apt-get install socat); using the simulator's TCP port instead of a serial pty");
    const pty = usePty ? join(tmpdir(), `tapkit-demo-${process.pid}`) : false;
    const sim = await startSimulator({ board, wasmPath: firmwarePath(board.name), pty, tcpPort: 0, baud: board.link.baud });
    try {
      const port = pty || `tcp:127.0.0.1:${sim.ports.tcp}`;
      out.status(`simulated ${board.name} is up; opening ${port} at ${board.link.baud} baud`);
      const device = await DeviceClient.connect(port, { baud: board.link.baud });
      try {
        const info = await device.info();
        const status = await device.appStatus();
        const select = await device.nfcApdu(Uint8Array.from(Buffer.from(SELECT_NDEF_APP, "hex")));
        const fb = board.display ? await device.framebuffer() : null;
        const pngFile = fb ? (opts.png ?? "demo-panel.png") : null;
        if (fb && pngFile) writeFileSync(pngFile, bitmapToPng(fb, 2));
        const result = {
          port,
          hello: device.hello,
          info,
          app: status,
          nfc: { command: SELECT_NDEF_APP, response: toHex(select) },
          panel: fb ? { width: fb.width, height: fb.height, png: pngFile } : null,
          link: device.session.stats,
        };
        out.result(result, (r) => {
          out.line(`tapkit demo — ${r.hello.board} (firmware ${r.hello.fw}, HAL ABI ${r.hello.abi}, shell ${r.hello.shell})`);
          out.line(`${r.app.demo ? "DEMO set-up active: demo keys and demo merchant, not for real payments" : "blank device"}\n`);
          out.line(table([
            ["serial port", r.port],
            ["link", `protocol v${r.hello.v}, max frame ${r.hello.max} B`],
            ["mode", String(r.app.mode)],
            ["uptime", `${(r.info.uptime / 1000).toFixed(2)} s`],
            ["NFC SELECT NDEF app", `${r.nfc.command} -> ${r.nfc.response}`],
            ["frames sent/received", `${r.link.framesSent}/${r.link.framesReceived}, retries ${r.link.retries}`],
          ]));
          if (fb) {
            out.line(`\npanel ${fb.width}x${fb.height} (saved to ${pngFile}):`);
            out.line(bitmapToText(fb, 2));
          }
          out.line("\nnext: 'npx tapkit sim' keeps a simulator running; 'npx tapkit --help' lists the commands.");
        });
      } finally {
        await device.close();
      }
    } finally {
      await sim.stop();
    }
  },
};
