// tapkit sim: run a board's firmware in the reference board shell and serve its UART on a
// pseudo-terminal and on TCP, until SIGINT, SIGTERM or SIGHUP (its terminal closed). Boards
// with a C shell (qemu-m4) run in QEMU instead, their link on a pseudo-terminal only.
import { existsSync } from "node:fs";
import type { Command } from "../command.ts";
import { JSON_OPTION } from "../command.ts";
import { usageError } from "../output.ts";
import { tcpPortOption } from "../option-values.ts";
import { TapkitError } from "../../errors/index.ts";
import { loadBoard, qemuShell } from "../../boards/index.ts";
import { buildFirmware } from "../../build/index.ts";
import { startSimulator } from "../../sim/run.ts";
import type { SimDevice } from "../../sim/device.ts";
import { firmwareElfPath, firmwarePath } from "../../paths.ts";
import { startQemuBoard } from "../../qemu/qemu-board.ts";
import { parseBaud } from "./connect.ts";
import { servePcsc } from "../../sim/serve-pcsc.ts";
import { DeviceClient } from "../../device/client.ts";
import { installDemoWallet, type DemoWallet } from "../../wallet/demo-issuer.ts";
import { removeStaleSimFiles } from "../../sim/stale-sim-files.ts";
import { stopSignals } from "../stop-signals.ts";

function bootSummary(running: SimDevice["running"]): string {
  if (running === "development") return "development image (no trust anchor yet: tapkit image trust)";
  if (!running) return "recovery: no bootable image (tapkit image list, tapkit flash)";
  return `slot ${running.slot === 0 ? "a" : "b"}, version ${running.fields.version.join(".")}, ${running.mode}`;
}

/** What the board started with, in words: --blank and --blank-wallet change it. */
function setUpSummary(mode: string, blank: boolean, blankWallet: boolean): string {
  if (blank) return "blank (no keys, no demo set-up)";
  if (mode !== "card") return "with the DEMO set-up (demo keys, demo merchant)";
  if (blankWallet) return "with the DEMO keys and a blank wallet (certify it with your issuer: tapkit issuer certify)";
  return "with the DEMO set-up (demo keys, DEMO wallet)";
}

export const sim: Command = {
  name: "sim",
  summary: "run the simulated board: firmware + virtual UART, NFC, flash, keystore, display",
  usage: "tapkit sim [--board NAME] [--state DIR] [--blank | --blank-wallet] [--pty PATH] [--tcp PORT] [--baud N] [--json]",
  examples: [
    "tapkit sim                                   # sim-plaque, demo set-up, state in memory",
    "tapkit sim --board sim-card --state ./card1  # keeps flash and keys in ./card1; a DEMO wallet (10000 XTS, PIN 1234)",
    "tapkit sim --board sim-card --blank-wallet   # demo keys, wallet left blank for tapkit issuer certify",
    "tapkit sim --pty /tmp/plaque --tcp 7300 --json",
    "tapkit sim --board qemu-m4 --pcsc --verbose      # the C shell on an emulated Cortex-M4 (QEMU)",
  ],
  options: {
    board: { type: "string", short: "b", help: "board to simulate (default sim-plaque)" },
    state: { type: "string", help: "directory that keeps flash and keystore across restarts (default: in memory)" },
    blank: { type: "boolean", help: "start without the demo set-up (no demo keys, merchant profile or demo wallet)" },
    "blank-wallet": {
      type: "boolean",
      help: "card boards: keep the demo keys but leave the wallet blank, for your own issuer (tapkit issuer certify)",
    },
    pty: { type: "string", help: "path of the pseudo-terminal link to create (default /tmp/tapkit-BOARD-PID)" },
    "no-pty": { type: "boolean", help: "serve TCP only (no socat needed)" },
    tcp: { type: "string", help: "TCP port on 127.0.0.1 (default: any free port)" },
    baud: { type: "string", help: "simulated line speed (default: the board's)" },
    verbose: { type: "boolean", short: "v", help: "print the firmware's native debug log on stderr" },
    pcsc: { type: "boolean", help: "also present the tag to pcscd through vpcd (127.0.0.1:35963), so PC/SC tools see a card" },
    ...JSON_OPTION,
  },
  async run(opts, _pos, out) {
    const board = loadBoard(opts.board ?? "sim-plaque");
    const wasmPath = firmwarePath(board.name);
    const emulated = qemuShell(board) !== null;
    if (!existsSync(emulated ? firmwareElfPath(board.name) : wasmPath)) {
      out.status(`no firmware for ${board.name} yet; building it ...`);
      await buildFirmware(board, { quiet: true, requireNative: true });
    }
    if (emulated && (opts.tcp !== undefined || opts.baud !== undefined || opts["no-pty"])) {
      throw usageError(
        `--tcp, --baud and --no-pty do not apply to ${board.name}`,
        "QEMU serves the emulated UART0 on a pseudo-terminal; use --pty PATH to choose its path",
      );
    }
    if (opts["blank-wallet"] && board.mode !== "card")
      throw usageError(`--blank-wallet applies to card boards; ${board.name} is a ${board.mode}`, "use --blank to start without the demo set-up");
    const tcpPort = tcpPortOption(opts.tcp, "tcp") ?? 0; // 0: any free port
    // Listen for the stop signals before anything is served: a script that reads the ready
    // line and stops us at once must get a clean stop (pty and socat removed), not a kill.
    const stopRequested = stopSignals();
    // on stderr also with --json: a script's log should show what we deleted
    for (const stale of removeStaleSimFiles(board.name))
      process.stderr.write(`tapkit sim: removed ${stale.path}, left by a tapkit sim (pid ${stale.pid}) that no longer runs\n`);
    const sim = emulated
      ? await startQemuBoard({
          board,
          elfPath: firmwareElfPath(board.name),
          stateDir: opts.state,
          blank: Boolean(opts.blank),
          pty: opts.pty ?? true,
          onConsole: opts.verbose ? (line) => process.stderr.write(`[${board.name}] ${line}\n`) : undefined,
        })
      : await startSimulator({
          board,
          wasmPath,
          stateDir: opts.state,
          blank: Boolean(opts.blank),
          pty: opts["no-pty"] ? false : (opts.pty ?? true),
          tcpPort,
          baud: parseBaud(opts.baud) ?? board.link.baud,
          verbose: Boolean(opts.verbose),
        });
    // The card's demo set-up includes a wallet certified by the DEMO issuer (wallet/demo-issuer.ts).
    let demoWallet: DemoWallet | null = null;
    if (board.mode === "card" && !emulated && !opts.blank && !opts["blank-wallet"] && "device" in sim) {
      try {
        const client = await DeviceClient.connect(`tcp:127.0.0.1:${sim.ports.tcp}`);
        try {
          demoWallet = await installDemoWallet(client);
        } finally {
          await client.close();
        }
      } catch (e) {
        await sim.stop();
        throw e;
      }
    }
    const pcsc = opts.pcsc
      ? await servePcsc("device" in sim ? sim.device : sim.chips.nfc).catch(async (e) => {
          await sim.stop();
          throw e;
        })
      : null;
    const ready = {
      event: "ready",
      board: board.name,
      pty: sim.ports.pty ?? null,
      tcp: sim.ports.tcp,
      baud: parseBaud(opts.baud) ?? board.link.baud,
      state: opts.state ?? null,
      demo: !opts.blank,
      pid: process.pid,
      pcsc: pcsc ? "Virtual PCD 00 00" : null,
      // with --state the shell is the bootloader (docs/boot.md): what it started
      boot: "device" in sim && sim.device.bootloader ? bootSummary(sim.device.running) : null,
      demoWallet,
    };
    if (out.json) process.stdout.write(JSON.stringify(ready) + "\n");
    else {
      out.line(`tapkit sim: ${board.name} running ${setUpSummary(board.mode, Boolean(opts.blank), Boolean(opts["blank-wallet"]))}`);
      if (ready.pty) out.line(`  serial (pty): ${ready.pty}`);
      out.line(`  tcp:          ${ready.tcp ?? "none (the link is on the pty)"}`);
      out.line(`  baud:         ${ready.baud}`);
      out.line(`  state:        ${ready.state ?? "in memory (use --state DIR to keep it)"}`);
      if (ready.boot) out.line(`  boot:         ${ready.boot}`);
      if (demoWallet)
        out.line(
          `  demo wallet:  ${demoWallet.balance} ${demoWallet.currency} (ISO 4217 test currency), PIN ${demoWallet.pin}, DEMO issuer root ${demoWallet.root}${demoWallet.installed ? "" : " (card already certified: left as it was)"}`,
        );
      if (ready.pcsc) out.line(`  pc/sc reader: ${ready.pcsc} (try: opensc-tool -r 0 -s 00A4040007D276000085010100)`);
      out.line(`try: tapkit info --port ${ready.pty ?? `tcp:127.0.0.1:${ready.tcp}`}    (Ctrl-C stops the simulator)`);
    }
    // An emulated board can also end by itself (a CPU lockup stops QEMU). QEMU that a signal
    // stopped was stopped with us: Ctrl-C or a closed terminal reaches the whole process group.
    const died = await Promise.race([
      stopRequested.then(() => null),
      "exited" in sim ? sim.exited.then((reason) => (/terminating on signal/.test(reason) ? null : reason)) : new Promise<never>(() => {}),
    ]);
    await pcsc?.close();
    await sim.stop();
    if (died) throw new TapkitError("SIM_BOARD_STOPPED", died, "run with --verbose to see the board's console");
    if (out.json) process.stdout.write(JSON.stringify({ event: "stopped" }) + "\n");
    else out.status("simulator stopped");
  },
};
