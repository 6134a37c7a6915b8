// Runs an emulated board: the chips on the host (BoardChips, on Unix sockets), then QEMU with
// the board's ELF, UART0 on a pseudo-terminal (the link, linked at a stable path like the
// simulator's), UARTs 1-4 on the chips' sockets, semihosting for the shell's console and a
// QMP socket to read guest memory. Ready once the shell reports the firmware booted; stop()
// ends QEMU (SIGTERM, then SIGKILL), the chips and the files. A Node process that exits takes
// QEMU with it; one killed outright leaves it to the orphan guard (sim/orphan-guard.ts), which
// also removes the link and the socket directory.
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { lstatSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { qemuShell, type Board } from "../boards/index.ts";
import { BoardChips, type BoardChipsOptions } from "../sim/peripherals/board-chips.ts";
import { TapkitError } from "../errors/index.ts";
import { forgetPath, forgetProcess, guardPath, guardProcess } from "../sim/orphan-guard.ts";
import { defaultSimLinkPath, simWorkDirPrefix } from "../sim/stale-sim-files.ts";
import { QEMU_ARM, elfSymbols } from "./qemu-tools.ts";
import { readGuestMemory } from "./qmp.ts";

/** 2^8 virtual ns per guest instruction: enough for the shell's timer to give exact counts (perf.c). */
export const COUNT_SHIFT = 8;
/** The painted stack word (shells/cortex-m/startup.c). */
const STACK_PAINT = 0x5afe57ac;
const READY = /^\[tapkit\] firmware ready/;
const HALTED = /^\[tapkit\] halted/;
const PTY = /char device redirected to (\/dev\/pts\/\d+) \(label link\)/;

export interface StartQemuBoardOptions {
  board: Board;
  elfPath: string;
  stateDir?: string;
  /** no demo keys, tk_init(0) */
  blank?: boolean;
  /** link path for the pty; true = /tmp/tapkit-<board>-<pid> */
  pty?: string | true;
  /** every console line (boot messages, firmware log, panics, traps) */
  onConsole?: (line: string) => void;
  /** default 60 s */
  readyTimeoutMs?: number;
  /**
   * count the firmware's Cortex-M instructions per export call (shells/cortex-m/perf.c): QEMU
   * runs under -icount shift=COUNT_SHIFT and the shell keeps exact counts (perf-counters.ts)
   */
  countInstructions?: boolean;
  /** chip settings beyond the state directory and blank (a seeded TRNG, frozen trusted time) */
  chips?: Pick<BoardChipsOptions, "seed" | "unixTime" | "trustedTime" | "answerDelayMs">;
}

export interface RunningQemuBoard extends EventEmitter {
  chips: BoardChips;
  /** pty: the stable link path; device: the /dev/pts node behind it; no TCP port (QEMU serves the pty) */
  ports: { pty: string; tcp: null; device: string };
  /** resolves with a reason if QEMU ends by itself (a CPU lockup, a crash), never after stop() */
  exited: Promise<string>;
  qemuPid: number;
  /** console lines since start */
  console: string[];
  /** guest physical memory [addr, addr + size), read while the board runs */
  readMemory(addr: number, size: number): Promise<Uint8Array>;
  /** bytes of the native stack ever used (the painted words overwritten), read from guest RAM */
  stackHighWater(): Promise<number>;
  stop(): Promise<void>;
}

export async function startQemuBoard(options: StartQemuBoardOptions): Promise<RunningQemuBoard> {
  const { board } = options;
  const shell = qemuShell(board);
  if (!shell) throw new TapkitError("SIM_NOT_EMULATED", `board ${board.name} has no QEMU shell`, "run it with tapkit sim (the Node simulator)");
  const work = mkdtempSync(simWorkDirPrefix(board.name));
  guardPath(work, "dir");
  const chips = new BoardChips(board, { ...options.chips, stateDir: options.stateDir, blank: options.blank });
  const linkPath = options.pty === undefined || options.pty === true ? defaultSimLinkPath(board.name) : options.pty;
  const events = new EventEmitter();
  const lines: string[] = [];
  let child: ChildProcess | null = null;
  let linked = false;
  let closeConsole = async () => {};
  let stopping = false;

  const killNow = () => child?.exitCode === null && child.kill("SIGKILL");
  const cleanup = async () => {
    stopping = true;
    process.off("exit", killNow);
    if (child && child.exitCode === null && child.signalCode === null) {
      const proc = child;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => proc.kill("SIGKILL"), 3000);
        proc.once("exit", () => {
          clearTimeout(force);
          resolve();
        });
        proc.kill("SIGTERM");
      });
    }
    await chips.close();
    await closeConsole();
    if (linked) {
      rmSync(linkPath, { force: true });
      forgetPath(linkPath, "link");
    }
    rmSync(work, { recursive: true, force: true });
    forgetPath(work, "dir");
  };

  try {
    const sockets = await chips.listen(work);
    const qmp = join(work, "qmp.sock");
    const consoleServer = await listenConsole(join(work, "console.sock"), (line) => {
      lines.push(line);
      if (lines.length > 1000) lines.shift();
      options.onConsole?.(line);
      events.emit("console", line);
    });
    closeConsole = () => new Promise<void>((resolve) => consoleServer.close(() => resolve()));
    const args = [
      "-M",
      shell.machine,
      "-cpu",
      shell.cpu,
      "-display",
      "none",
      "-monitor",
      "none",
      "-chardev",
      "pty,id=link",
      "-serial",
      "chardev:link",
      // UART1..4 in the shell's order (shells/cortex-m/cmsdk-uart.h)
      ...(["se", "nfc", "epd", "nor"] as const).flatMap((c) => ["-chardev", `socket,id=${c},path=${sockets[c]}`, "-serial", `chardev:${c}`]),
      "-qmp",
      `unix:${qmp},server=on,wait=off`,
      "-chardev",
      `socket,id=console,path=${join(work, "console.sock")}`,
      "-semihosting-config",
      `enable=on,target=native,chardev=console,arg=tapkit${options.blank ? "" : ",arg=demo"}${options.countInstructions ? `,arg=count=${COUNT_SHIFT}` : ""}`,
      ...(options.countInstructions ? ["-icount", `shift=${COUNT_SHIFT}`] : []),
      "-kernel",
      options.elfPath,
    ];
    const proc = spawn(QEMU_ARM, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    process.on("exit", killNow);
    guardProcess(proc.pid);
    proc.once("exit", () => forgetProcess(proc.pid));
    let output = "";
    let device = "";
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TapkitError(
              "SIM_BOOT_TIMEOUT",
              `${board.name} did not report a booted firmware within ${(options.readyTimeoutMs ?? 60000) / 1000} s`,
              "run with --verbose to see the shell's console",
            ),
          ),
        options.readyTimeoutMs ?? 60000,
      );
      const settle = (e?: Error) => {
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      proc.on("error", (e) =>
        settle(new TapkitError("SIM_NO_QEMU", `cannot start ${QEMU_ARM}: ${e.message}`, "install it (Debian/Ubuntu: apt-get install qemu-system-arm)")),
      );
      proc.on("exit", (code, signal) => {
        events.emit("exit", { code, signal });
        settle(
          new TapkitError(
            "SIM_QEMU_EXIT",
            `${QEMU_ARM} exited (${signal ?? code}) before the firmware booted: ${output.trim().split("\n").slice(-3).join(" / ") || lines.slice(-3).join(" / ")}`,
            "run with --verbose to see the shell's console",
          ),
        );
      });
      events.on("console", (line: string) => {
        if (READY.test(line))
          settle(
            device ? undefined : new TapkitError("SIM_PTY_START", `${QEMU_ARM} did not say which pty the link is on`, "check the QEMU version (7.2 or newer)"),
          );
        if (HALTED.test(line))
          settle(
            new TapkitError("SIM_BOOT_FAILED", `the firmware did not boot: ${lines.slice(-3).join(" / ")}`, "run with --verbose to see the shell's console"),
          );
      });
      // QEMU names the pty on stdout or stderr, depending on the version.
      for (const stream of [proc.stdout!, proc.stderr!]) {
        stream.on("data", (d: Buffer) => {
          output += d.toString();
          const m = PTY.exec(output);
          if (m && !device) device = m[1];
        });
      }
    });
    await ready;
    linkPty(linkPath, device);
    linked = true;
    guardPath(linkPath, "link");

    const [bottom, top] = Object.values(elfSymbols(options.elfPath, ["__stack_bottom", "__stack_top"]));
    const exited = new Promise<string>((resolve) =>
      proc.once("exit", (code, signal) => {
        if (!stopping) resolve(`${QEMU_ARM} exited (${signal ?? `code ${code}`}): ${(output.trim().split("\n").pop() ?? "") || lines.slice(-2).join(" / ")}`);
      }),
    );
    return Object.assign(events, {
      chips,
      ports: { pty: linkPath, tcp: null, device },
      exited,
      qemuPid: proc.pid!,
      console: lines,
      readMemory: (addr: number, size: number) => readGuestMemory(qmp, addr, size),
      async stackHighWater() {
        const mem = await readGuestMemory(qmp, bottom, top - bottom);
        const words = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
        let untouched = 0;
        while (untouched * 4 < mem.length && words.getUint32(untouched * 4, true) === STACK_PAINT) untouched++;
        return top - bottom - untouched * 4;
      },
      stop: cleanup,
    });
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Points `path` at the pty device, replacing only a symlink (never a file someone else owns). */
function linkPty(path: string, device: string): void {
  let existing;
  try {
    existing = lstatSync(path);
  } catch {
    existing = null;
  }
  if (existing && !existing.isSymbolicLink()) throw new TapkitError("SIM_PTY_START", `${path} exists and is not a symlink`, "pick another --pty path");
  if (existing) rmSync(path);
  symlinkSync(device, path);
}

/** The shell's console (semihosting output) arrives on a Unix socket, line by line. */
function listenConsole(path: string, onLine: (line: string) => void): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let partial = "";
    socket.on("data", (d: Buffer) => {
      partial += d.toString("utf8");
      let i;
      while ((i = partial.indexOf("\n")) >= 0) {
        onLine(partial.slice(0, i));
        partial = partial.slice(i + 1);
      }
    });
    socket.on("error", () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve(server));
  });
}
