// Byte pipes the link runs over: a serial device (serialport), a TCP socket (the simulator's
// `tcp:HOST:PORT`), or an in-process pair for tests. Only bytes cross this interface, so the
// session and the simulator's own in-process transport stay interchangeable.
// OS failures become LinkErrors with a hint a technician can act on.
import net from "node:net";
import { LinkError } from "./errors.ts";

export interface Transport {
  write(bytes: Uint8Array): Promise<void>;
  /** Registers the receiver of incoming bytes (one receiver; bytes arriving earlier are held). */
  onData(cb: (bytes: Uint8Array) => void): void;
  close(): Promise<void>;
  /** Human-readable name for messages, e.g. "/dev/ttyUSB0 @ 115200" or "tcp:127.0.0.1:4000". */
  readonly description: string;
  /** Optional: told once when the other side goes away or the port fails. */
  onClose?(cb: (err?: LinkError) => void): void;
}

export interface OpenTransportOptions {
  /** Serial line rate; default 115200. Ignored for TCP. */
  baud?: number;
}

export const DEFAULT_BAUD = 115200;

/** Holds bytes and close notices until the owner registers a callback, so nothing is lost between open and onData. */
class Inbox {
  private dataCb?: (b: Uint8Array) => void;
  private closeCb?: (err?: LinkError) => void;
  private held: Uint8Array[] = [];
  private closed?: { err?: LinkError };

  deliver(bytes: Uint8Array): void {
    if (this.dataCb) this.dataCb(bytes);
    else this.held.push(bytes);
  }
  setData(cb: (b: Uint8Array) => void): void {
    this.dataCb = cb;
    const held = this.held;
    this.held = [];
    for (const b of held) cb(b);
  }
  ended(err?: LinkError): void {
    if (this.closed) return;
    this.closed = { err };
    this.closeCb?.(err);
  }
  setClose(cb: (err?: LinkError) => void): void {
    this.closeCb = cb;
    if (this.closed) cb(this.closed.err);
  }
  get isClosed(): boolean {
    return this.closed !== undefined;
  }
}

function closedError(description: string): LinkError {
  return new LinkError("LINK_CLOSED", `${description} is closed`);
}

/** Maps an error from opening a serial device to a LinkError. */
export function serialOpenError(path: string, err: Error & { code?: string }): LinkError {
  // @serialport/bindings-cpp reports strerror() text, not an errno code.
  const text = `${err.code ?? ""} ${err.message}`;
  const details = { cause: err };
  if (/ENOENT|No such file or directory/i.test(text)) {
    return new LinkError("PORT_MISSING", `serial port ${path} does not exist`, details);
  }
  if (/EACCES|EPERM|Permission denied|Operation not permitted/i.test(text)) {
    return new LinkError("PORT_PERMISSION", `no permission to open ${path}`, details);
  }
  if (/EBUSY|EAGAIN|Cannot lock port|busy|temporarily unavailable/i.test(text)) {
    return new LinkError("PORT_BUSY", `${path} is in use by another program`, details);
  }
  // ENOTTY: the path exists but takes no serial settings (/dev/null, a plain file).
  if (/ENOTTY|Inappropriate ioctl/i.test(text)) {
    return new LinkError("PORT_ERROR", `${path} is not a serial port`, {
      ...details,
      hint: "give the device's serial port (ls /dev/ttyUSB* /dev/ttyACM*), a simulator's pty, or tcp:HOST:PORT",
    });
  }
  return new LinkError("PORT_ERROR", `cannot open ${path}: ${err.message}`, details);
}

async function openSerial(path: string, baud: number): Promise<Transport> {
  // Loaded on demand: the native binding is only needed for real serial ports, so TCP and
  // in-process links keep working on a machine where it failed to install.
  let SerialPort: typeof import("serialport").SerialPort;
  try {
    ({ SerialPort } = await import("serialport"));
  } catch (e) {
    throw new LinkError("PORT_ERROR", `serial support is not available: ${(e as Error).message}`, {
      cause: e,
      hint: "reinstall the tapkit tools (npm ci) so the serialport native module matches this Node version",
    });
  }
  const port = new SerialPort({ path, baudRate: baud, dataBits: 8, parity: "none", stopBits: 1, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(serialOpenError(path, err)) : resolve()));
  });
  const description = `${path} @ ${baud}`;
  const inbox = new Inbox();
  port.on("data", (chunk: Buffer) => inbox.deliver(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  port.on("error", (err: Error) => inbox.ended(new LinkError("PORT_ERROR", `${description}: ${err.message}`, { cause: err })));
  port.on("close", () => inbox.ended());
  return {
    description,
    write(bytes) {
      if (inbox.isClosed) return Promise.reject(closedError(description));
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) =>
          err ? reject(new LinkError("PORT_ERROR", `write to ${description} failed: ${err.message}`, { cause: err })) : resolve(),
        );
      });
    },
    onData: (cb) => inbox.setData(cb),
    onClose: (cb) => inbox.setClose(cb),
    close() {
      if (!port.isOpen) return Promise.resolve();
      return new Promise((resolve) => port.close(() => resolve()));
    },
  };
}

async function openTcp(host: string, portNumber: number): Promise<Transport> {
  const description = `tcp:${host}:${portNumber}`;
  const socket = net.connect({ host, port: portNumber });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNREFUSED") reject(new LinkError("CONNECT_REFUSED", `nothing listens on ${description}`, { cause: err }));
      else if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN")
        reject(new LinkError("PORT_MISSING", `host ${host} not found`, { cause: err, hint: "check the host name in tcp:HOST:PORT" }));
      else reject(new LinkError("PORT_ERROR", `cannot connect to ${description}: ${err.message}`, { cause: err }));
    });
  });
  socket.removeAllListeners("error");
  const inbox = new Inbox();
  socket.on("data", (chunk: Buffer) => inbox.deliver(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  socket.on("error", (err) => inbox.ended(new LinkError("PORT_ERROR", `${description}: ${err.message}`, { cause: err })));
  socket.on("close", () => inbox.ended());
  return {
    description,
    write(bytes) {
      if (inbox.isClosed || socket.destroyed) return Promise.reject(closedError(description));
      return new Promise((resolve, reject) => {
        socket.write(bytes, (err) => (err ? reject(new LinkError("PORT_ERROR", `write to ${description} failed: ${err.message}`, { cause: err })) : resolve()));
      });
    },
    onData: (cb) => inbox.setData(cb),
    onClose: (cb) => inbox.setClose(cb),
    close() {
      if (socket.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        socket.once("close", () => resolve());
        socket.end();
        socket.destroySoon();
      });
    },
  };
}

/** Opens `tcp:HOST:PORT` as a TCP connection, anything else as a serial device path (8N1). */
export async function openTransport(port: string, opts: OpenTransportOptions = {}): Promise<Transport> {
  const tcp = /^tcp:(.+):(\d+)$/.exec(port);
  if (tcp) {
    const portNumber = tcp[2]!.length <= 5 ? Number(tcp[2]) : 0;
    if (portNumber < 1 || portNumber > 65535)
      throw new LinkError("PORT_MISSING", `"${port}": TCP port ${tcp[2]} is not 1..65535`, { hint: "write e.g. tcp:127.0.0.1:4000" });
    return openTcp(tcp[1]!.replace(/^\[(.*)\]$/, "$1"), portNumber);
  }
  if (port.startsWith("tcp:")) {
    throw new LinkError("PORT_MISSING", `"${port}" is not tcp:HOST:PORT`, { hint: "write e.g. tcp:127.0.0.1:4000" });
  }
  return openSerial(port, opts.baud ?? DEFAULT_BAUD);
}

/**
 * Two connected in-process Transports (like the two ends of a cable), for tests.
 * Delivery is asynchronous (a macrotask later), as on a real line; each write arrives as one chunk.
 */
export function createStreamPair(names: [string, string] = ["pipe:a", "pipe:b"]): [Transport, Transport] {
  const inboxes = [new Inbox(), new Inbox()] as const;
  let open = true;
  const end = (self: 0 | 1): Transport => ({
    description: names[self],
    write(bytes) {
      if (!open) return Promise.reject(closedError(names[self]));
      const copy = bytes.slice();
      const peer = inboxes[self === 0 ? 1 : 0];
      return new Promise((resolve) => {
        setImmediate(() => {
          if (open) peer.deliver(copy);
          resolve();
        });
      });
    },
    onData: (cb) => inboxes[self].setData(cb),
    onClose: (cb) => inboxes[self].setClose(cb),
    async close() {
      if (!open) return;
      open = false;
      inboxes[0].ended();
      inboxes[1].ended();
    },
  });
  return [end(0), end(1)];
}
