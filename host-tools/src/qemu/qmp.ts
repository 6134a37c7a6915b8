// A minimal QMP client (QEMU Machine Protocol, JSON lines over a Unix socket): enough to read
// guest memory (pmemsave) while the emulated board runs, e.g. the painted stack.
import net from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function qmpCommand(socketPath: string, execute: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const socket = net.connect(socketPath);
  const lines: string[] = [];
  let buffered = "";
  let wake: (() => void) | null = null;
  socket.on("data", (d) => {
    buffered += d.toString();
    let i;
    while ((i = buffered.indexOf("\n")) >= 0) {
      lines.push(buffered.slice(0, i));
      buffered = buffered.slice(i + 1);
    }
    wake?.();
  });
  const failed = new Promise<never>((_, reject) => socket.once("error", reject));
  const next = async (): Promise<any> => {
    for (;;) {
      const line = lines.shift();
      if (line !== undefined) {
        const msg = JSON.parse(line);
        if (!("event" in msg)) return msg;
        continue;
      }
      await Promise.race([new Promise<void>((r) => (wake = r)), failed]);
    }
  };
  try {
    await next(); // greeting
    socket.write(JSON.stringify({ execute: "qmp_capabilities" }) + "\n");
    await next();
    socket.write(JSON.stringify({ execute, arguments: args }) + "\n");
    const reply = await next();
    if (reply.error) throw new Error(`QMP ${execute}: ${reply.error.desc}`);
    return reply.return;
  } finally {
    socket.destroy();
  }
}

/** Guest physical memory [addr, addr + size). */
export async function readGuestMemory(socketPath: string, addr: number, size: number): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "tapkit-qmp-"));
  try {
    const file = join(dir, "mem.bin");
    await qmpCommand(socketPath, "pmemsave", { val: addr, size, filename: file });
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
