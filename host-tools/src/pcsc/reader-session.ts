// One interactive card session on a PC/SC reader, through `scriptor` (Debian pcsc-tools):
// a real PC/SC client (pcsc-lite via Chipcard::PCSC) that we drive one APDU at a time, so
// step-by-step procedures (NDEF reads, wallet payments, conformance cases) see each answer
// before they choose the next command.
//
// Why scriptor and not a Node addon: the PC/SC addons on npm build native code in install
// scripts, which `npm ci` here does not run without approval. Why the perl wrapper: scriptor
// leaves Perl's stdout block-buffered on a pipe, so an answer would sit in its buffer until
// exit; we load scriptor with STDOUT autoflush on, unchanged otherwise.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { TapkitError } from "../errors/index.ts";

export const VPCD_READER = "Virtual PCD 00 00";
const SCRIPTOR = "/usr/bin/scriptor";
const INSTALL_HINT = "install the PC/SC tools: apt-get install pcscd pcsc-tools (and start pcscd)";

export interface ReaderSessionOptions {
  /** Per-exchange timeout; a reader that stops answering is an error, never a hang. */
  timeoutMs?: number;
}

/** Whether scriptor is installed; null when it is, or what is missing. */
export function pcscToolsMissing(): string | null {
  if (spawnSync("sh", ["-c", "command -v scriptor"]).status !== 0) return "scriptor is not installed (Debian package pcsc-tools)";
  return null;
}

export class ReaderSession {
  private out = "";
  private err = "";
  private waiter: { resolve: (line: string) => void; reject: (e: Error) => void; prefix: string } | null = null;
  private exited: number | null = null;
  /** APDUs exchanged in this session (for reports). */
  exchanges = 0;

  private constructor(
    readonly reader: string,
    private child: ChildProcessWithoutNullStreams,
    private timeoutMs: number,
  ) {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      this.out += d;
      this.pump();
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (this.err += d));
    child.on("exit", (code) => {
      this.exited = code ?? -1;
      this.waiter?.reject(this.failure());
      this.waiter = null;
    });
  }

  /** Connects to the card in `reader`; rejects when no PC/SC stack, reader or card is there. */
  static async open(reader = VPCD_READER, opts: ReaderSessionOptions = {}): Promise<ReaderSession> {
    const missing = pcscToolsMissing();
    if (missing) throw new TapkitError("PCSC_TOOLS_MISSING", missing, INSTALL_HINT);
    const child = spawn("perl", ["-MIO::Handle", "-e", `STDOUT->autoflush(1); do "${SCRIPTOR}"; die $@ if $@;`, "--", "-r", reader]);
    const session = new ReaderSession(reader, child, opts.timeoutMs ?? 10_000);
    // scriptor prints "Using T=n protocol" once the card is connected.
    await session.expect("Using T=");
    return session;
  }

  /** Sends one command APDU; resolves with the response (data + SW1 SW2). */
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (apdu.length === 0) throw new TapkitError("PCSC_EMPTY_APDU", "an empty APDU cannot be sent", "give at least CLA INS P1 P2");
    this.child.stdin.write(
      Buffer.from(apdu)
        .toString("hex")
        .toUpperCase()
        .replace(/(..)(?!$)/g, "$1 ") + "\n",
    );
    const line = await this.expectResponse();
    this.exchanges++;
    return Uint8Array.from(Buffer.from(line, "hex"));
  }

  /** Resets the card (a new tap): PC/SC warm reset, which vpcd passes on as power cycle. */
  async reset(): Promise<void> {
    this.child.stdin.write("reset\n");
    const line = await this.expect("< ");
    if (!line.startsWith("< OK:"))
      throw new TapkitError(
        "PCSC_RESET",
        `reader "${this.reader}" refused the reset: ${line.slice(2)}`,
        "is the card still on the reader? (pcsc_scan shows it)",
      );
  }

  async close(): Promise<void> {
    if (this.exited !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.stdin.end("exit\n");
      setTimeout(() => this.child.kill("SIGTERM"), 2000).unref();
    });
  }

  /** A response is "< HEX ... : text", its hex wrapped over several lines for long answers. */
  private async expectResponse(): Promise<string> {
    let hex = "";
    let line = await this.expect("< ");
    for (;;) {
      const body = line.startsWith("< ") ? line.slice(2) : line;
      const end = body.indexOf(" : ");
      hex += (end >= 0 ? body.slice(0, end) : body).replace(/\s+/g, "");
      if (end >= 0) return hex;
      line = await this.expect("");
    }
  }

  private expect(prefix: string): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.exited !== null) return reject(this.failure());
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(
          new TapkitError(
            "PCSC_TIMEOUT",
            `reader "${this.reader}" did not answer within ${this.timeoutMs} ms`,
            "is the card still on the reader? (pcsc_scan shows it)",
          ),
        );
      }, this.timeoutMs);
      this.waiter = {
        prefix,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.pump();
    });
  }

  /** Hands complete stdout lines to the waiter; echoes ("> ...") and other chatter are skipped. */
  private pump(): void {
    for (;;) {
      if (!this.waiter) return;
      const nl = this.out.indexOf("\n");
      if (nl < 0) return;
      const line = this.out.slice(0, nl).trimEnd();
      this.out = this.out.slice(nl + 1);
      if (line.startsWith(this.waiter.prefix)) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(line);
      }
    }
  }

  private failure(): TapkitError {
    const why =
      this.err
        .trim()
        .split("\n")
        .filter((l) => !/^(Using given|Reading commands)/.test(l))
        .pop() ?? `scriptor exited with ${this.exited}`;
    if (/Unknown reader|Can't get readers list|No readers/i.test(why)) {
      return new TapkitError(
        "PCSC_NO_READER",
        `no PC/SC reader "${this.reader}": ${why}`,
        "list readers with pcsc_scan; for the simulator run pcscd and `tapkit sim --pcsc`",
      );
    }
    if (/Could not create Chipcard::PCSC/i.test(why)) {
      return new TapkitError("PCSC_NO_SERVICE", `the PC/SC service is not reachable: ${why}`, "start pcscd (pcscd -f, or systemctl start pcscd)");
    }
    return new TapkitError("PCSC_SESSION", `the card session on "${this.reader}" ended: ${why}`, "is a card on the reader? (pcsc_scan shows it)");
  }
}
