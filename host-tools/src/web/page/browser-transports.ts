// The link's byte pipes in the browser (host-tools/src/link/transport.ts has Node's): the CLI's
// WebSocket bridge (binary messages = raw link bytes) and Web Serial (a USB-serial plaque
// picked by the technician). Both implement the same Transport interface the session uses.
import { LinkError, type Transport } from "../../link/index.ts";

class Inbox {
  private data?: (b: Uint8Array) => void;
  private closers: ((err?: LinkError) => void)[] = [];
  private held: Uint8Array[] = [];
  private ended?: { err?: LinkError };
  deliver(b: Uint8Array) {
    if (this.data) this.data(b);
    else this.held.push(b);
  }
  setData(cb: (b: Uint8Array) => void) {
    this.data = cb;
    for (const b of this.held.splice(0)) cb(b);
  }
  end(err?: LinkError) {
    if (this.ended) return;
    this.ended = { err };
    for (const cb of this.closers) cb(err);
  }
  /** Unlike Node's transports, several listeners: the session and the page both want to know. */
  setClose(cb: (err?: LinkError) => void) {
    this.closers.push(cb);
    if (this.ended) cb(this.ended.err);
  }
  get isEnded() {
    return this.ended !== undefined;
  }
}

/** The CLI's bridge at ws://127.0.0.1:PORT/bridge?token=... */
export function openBridge(url: string, description: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    const inbox = new Inbox();
    let opened = false;
    ws.onopen = () => {
      opened = true;
      resolve({
        description,
        write(bytes) {
          if (inbox.isEnded || ws.readyState !== WebSocket.OPEN) return Promise.reject(new LinkError("LINK_CLOSED", `${description} is closed`));
          ws.send(bytes);
          return Promise.resolve();
        },
        onData: (cb) => inbox.setData(cb),
        onClose: (cb) => inbox.setClose(cb),
        close() {
          ws.close();
          return Promise.resolve();
        },
      });
    };
    ws.onmessage = (ev) => inbox.deliver(new Uint8Array(ev.data as ArrayBuffer));
    ws.onclose = (ev) => {
      const err = new LinkError("LINK_CLOSED", `the bridge to ${description} closed${ev.reason ? `: ${ev.reason}` : ""}`, {
        hint: "is `tapkit web` still running, and the device (or simulator) still up?",
      });
      if (!opened) reject(err);
      inbox.end(ev.code === 1000 ? undefined : err);
    };
  });
}

interface SerialPortLike {
  open(o: { baudRate: number }): Promise<void>;
  close(): Promise<void>;
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

export function hasWebSerial(): boolean {
  return typeof navigator !== "undefined" && "serial" in navigator;
}

/** Asks the technician for a USB-serial port (Web Serial) and opens it 8N1. */
export async function openWebSerial(baudRate: number): Promise<Transport> {
  const serial = (navigator as unknown as { serial: { requestPort(): Promise<SerialPortLike> } }).serial;
  const port = await serial.requestPort();
  await port.open({ baudRate });
  const inbox = new Inbox();
  const reader = port.readable.getReader();
  const writer = port.writable.getWriter();
  const description = `USB serial @ ${baudRate} (Web Serial)`;
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value) inbox.deliver(value);
      }
      inbox.end();
    } catch (e) {
      inbox.end(new LinkError("PORT_ERROR", `${description}: ${(e as Error).message}`));
    }
  })();
  return {
    description,
    write: (bytes) => writer.write(bytes),
    onData: (cb) => inbox.setData(cb),
    onClose: (cb) => inbox.setClose(cb),
    async close() {
      await reader.cancel().catch(() => {});
      reader.releaseLock();
      writer.releaseLock();
      await port.close().catch(() => {});
    },
  };
}
