// The server side of RFC 6455 WebSockets, only as much as the bridge needs: the handshake on
// a Node http upgrade, binary and text messages in both directions (client frames are masked,
// ours are not), ping/pong and close. Node 20 has a WebSocket client but no server, and the
// project adds no dependency for ~100 lines. Messages up to 1 MiB; the link's frames are far
// smaller.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_MESSAGE = 1 << 20;

export interface WebSocketPeer {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onMessage(cb: (data: Uint8Array, text: boolean) => void): void;
  onClose(cb: () => void): void;
}

/** Completes the handshake on `socket`; null (and a 400 answer) when it is not a WebSocket request. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WebSocketPeer | null {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || req.headers.upgrade?.toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return null;
  }
  const accept = createHash("sha1")
    .update(key + GUID)
    .digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let messageCb: (data: Uint8Array, text: boolean) => void = () => {};
  let closeCb: () => void = () => {};
  let buffered = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let fragmentText = false;
  let closed = false;

  const frame = (opcode: number, payload: Uint8Array) => {
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
    if (n >= 65536) {
      head[0] = 0x80 | opcode;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(n), 2);
    }
    if (!socket.destroyed) socket.write(Buffer.concat([head, payload]));
  };
  const end = () => {
    if (closed) return;
    closed = true;
    socket.destroy();
    closeCb();
  };

  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const fin = (buffered[0] & 0x80) !== 0;
      const opcode = buffered[0] & 0x0f;
      const masked = (buffered[1] & 0x80) !== 0;
      let len = buffered[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buffered.length < 4) return;
        len = buffered.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buffered.length < 10) return;
        len = Number(buffered.readBigUInt64BE(2));
        at = 10;
      }
      if (!masked || len > MAX_MESSAGE) {
        frame(8, Uint8Array.of(0x03, 0xea)); // 1002 protocol error
        return end();
      }
      if (buffered.length < at + 4 + len) return;
      const mask = buffered.subarray(at, at + 4);
      const payload = Buffer.from(buffered.subarray(at + 4, at + 4 + len));
      for (let i = 0; i < len; i++) payload[i] ^= mask[i & 3];
      buffered = buffered.subarray(at + 4 + len);
      if (opcode === 8) {
        frame(8, new Uint8Array());
        return end();
      }
      if (opcode === 9) frame(10, payload);
      else if (opcode === 1 || opcode === 2 || opcode === 0) {
        if (opcode !== 0) fragmentText = opcode === 1;
        fragments.push(payload);
        if (fin) {
          const whole = Buffer.concat(fragments);
          fragments = [];
          messageCb(new Uint8Array(whole.buffer, whole.byteOffset, whole.length), fragmentText);
        }
      }
    }
  });
  socket.on("close", end);
  socket.on("error", end);
  return {
    send: (data) => frame(2, data),
    close(code = 1000, reason = "") {
      const r = Buffer.from(reason);
      frame(8, Buffer.concat([Buffer.from([code >> 8, code & 0xff]), r]));
      socket.end();
    },
    onMessage: (cb) => (messageCb = cb),
    onClose: (cb) => (closeCb = cb),
  };
}
