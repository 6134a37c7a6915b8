// Public API of the host side of link protocol v1 (docs/link-protocol.md): codecs, frames,
// transports and sessions. Other layers (device client, CLI, conformance, bench) import from here.
export { cobsEncode, cobsDecode, cobsMaxEncodedLength } from "./cobs.ts";
export { crc32 } from "./crc32.ts";
export { encodeBody, decodeBody, type Body } from "./cbor.ts";
export {
  VERSION,
  CHANNEL,
  FLAGS,
  HEADER_LENGTH,
  CRC_LENGTH,
  MIN_RAW_FRAME,
  DEFAULT_MAX_FRAME,
  encodeFrame,
  buildRawFrame,
  wireFromRaw,
  maxWireLength,
  FrameReceiver,
  type Frame,
  type FrameHeader,
  type OutgoingFrame,
  type ReceiverCounters,
  type FrameReceiverOptions,
} from "./frame.ts";
export { LinkError, DEFAULT_HINTS, lifecycleHint, type LinkErrorCode, type LinkErrorDetails } from "./errors.ts";
export { openTransport, createStreamPair, serialOpenError, DEFAULT_BAUD, type Transport, type OpenTransportOptions } from "./transport.ts";
export {
  LinkSession,
  DEFAULT_RETRIES,
  DEFAULT_WINDOW,
  BASE_TIMEOUT_MS,
  type SessionOptions,
  type RequestOptions,
  type BulkOptions,
  type DeviceHello,
  type LinkEvent,
  type SessionStats,
} from "./session.ts";
