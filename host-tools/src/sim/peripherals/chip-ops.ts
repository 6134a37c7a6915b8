// The command table of the peripheral protocol (docs/peripheral-protocol.md): which chip
// serves each command, its number (shells/cortex-m/chip-ops.h has the same numbers; a test
// compares them) and, for commands that carry one HAL ABI call, the call and how each wire
// argument becomes its parameters:
//   u32      4 bytes LE                  -> the number (as i32)
//   in       u16 LE length + bytes       -> ptr, len
//   in-ptr   u16 LE length + bytes       -> ptr (the call knows the length)
//   out      u16 LE capacity             -> ptr, capacity; the answer carries the bytes
//   out-ptr  u16 LE capacity             -> ptr
// The answer is `result` (i32 LE, the call's return value) and, when the result is > 0 and
// the command has an output, that many bytes of it (at most its capacity).

export type ChipName = "se" | "nfc" | "epd" | "nor";
export type ArgKind = "u32" | "in" | "in-ptr" | "out" | "out-ptr";

export interface ChipOp {
  op: number;
  /** the C macro in chip-ops.h */
  macro: string;
  /** null: every chip */
  chip: ChipName | null;
  /** HAL import this command carries, or null for protocol commands */
  hal: string | null;
  args: ArgKind[];
}

export const CHIP_PROTOCOL_VERSION = 1;
export const OP_RESPONSE = 0x80;
/** Largest frame body (command, seq, arguments or result and data; before CRC and SLIP). */
export const CHIP_MAX_BODY = 8192;

export const OP_HELLO = 0x01;
export const OP_CLOCK_UNIX = 0x1c;
export const OP_NFC_POLL = 0x41;
export const OP_NFC_ANSWER = 0x42;
export const OP_ATTENTION = 0x7f;

export const NFC_EVENT = { none: 0, fieldOff: 1, fieldOn: 2, apdu: 3, t2t: 4 } as const;

const op = (n: number, macro: string, chip: ChipName | null, hal: string | null, args: ArgKind[]): ChipOp => ({ op: n, macro, chip, hal, args });

export const CHIP_OPS: ChipOp[] = [
  op(OP_HELLO, "OP_HELLO", null, null, ["out"]),
  op(0x10, "OP_KS_INFO", "se", "ks_info", ["u32"]),
  op(0x11, "OP_KS_GENERATE", "se", "ks_generate", ["u32", "u32"]),
  op(0x12, "OP_KS_IMPORT", "se", "ks_import", ["u32", "u32", "in"]),
  op(0x13, "OP_KS_PUBLIC_KEY", "se", "ks_public_key", ["u32", "out"]),
  op(0x14, "OP_KS_SIGN", "se", "ks_sign", ["u32", "in", "out"]),
  op(0x15, "OP_KS_VERIFY", "se", "ks_verify", ["u32", "in", "in", "in"]),
  op(0x16, "OP_KS_AES", "se", "ks_aes", ["u32", "u32", "in-ptr", "in", "out-ptr"]),
  op(0x17, "OP_KS_CMAC", "se", "ks_cmac", ["u32", "in", "out-ptr"]),
  op(0x18, "OP_KS_DERIVE_CMAC", "se", "ks_derive_cmac", ["u32", "in", "u32"]),
  op(0x19, "OP_SHA256", "se", "sha256", ["in", "out-ptr"]),
  op(0x1a, "OP_HMAC_SHA256", "se", "hmac_sha256", ["u32", "in", "out-ptr"]),
  op(0x1b, "OP_RANDOM", "se", "random", ["out"]),
  op(0x1d, "OP_KS_UNWRAP", "se", "ks_unwrap", ["u32", "u32", "in", "u32"]),
  op(OP_CLOCK_UNIX, "OP_CLOCK_UNIX", "se", null, ["out"]),
  op(0x20, "OP_FLASH_GEOMETRY", "nor", "flash_geometry", ["u32", "out-ptr"]),
  op(0x21, "OP_FLASH_READ", "nor", "flash_read", ["u32", "u32", "out"]),
  op(0x22, "OP_FLASH_PROGRAM", "nor", "flash_program", ["u32", "u32", "in"]),
  op(0x23, "OP_FLASH_ERASE", "nor", "flash_erase", ["u32", "u32"]),
  op(0x30, "OP_DISPLAY_GEOMETRY", "epd", "display_geometry", ["out-ptr"]),
  op(0x31, "OP_DISPLAY_BLIT", "epd", "display_blit", ["u32", "u32", "u32", "u32", "in"]),
  op(0x32, "OP_DISPLAY_REFRESH", "epd", "display_refresh", ["u32"]),
  op(0x40, "OP_NFC_CONFIGURE", "nfc", "nfc_configure", ["u32", "in"]),
  op(OP_NFC_POLL, "OP_NFC_POLL", "nfc", null, ["out"]),
  op(OP_NFC_ANSWER, "OP_NFC_ANSWER", "nfc", null, ["in"]),
];

/** A command's arguments as read off the wire: numbers, input bytes, output capacities. */
export type ChipArg = { kind: "u32"; value: number } | { kind: "in" | "in-ptr"; bytes: Uint8Array } | { kind: "out" | "out-ptr"; cap: number };

/** Reads a body by the command's argument kinds; null when it does not match them exactly. */
export function parseChipArgs(kinds: ArgKind[], body: Uint8Array): ChipArg[] | null {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const args: ChipArg[] = [];
  let at = 0;
  for (const kind of kinds) {
    if (kind === "u32") {
      if (at + 4 > body.length) return null;
      args.push({ kind, value: view.getInt32(at, true) });
      at += 4;
      continue;
    }
    if (at + 2 > body.length) return null;
    const n = view.getUint16(at, true);
    at += 2;
    if (kind === "in" || kind === "in-ptr") {
      if (at + n > body.length) return null;
      args.push({ kind, bytes: body.subarray(at, at + n) });
      at += n;
    } else {
      args.push({ kind, cap: n });
    }
  }
  return at === body.length ? args : null;
}

/** The answer body: result as i32 LE, then the output bytes. */
export function answerBody(result: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = new Uint8Array(4 + data.length);
  new DataView(body.buffer).setInt32(0, result, true);
  body.set(data, 4);
  return body;
}

/** The command body for `args` (what the MCU sends; tests and host-side tools use it). */
export function commandBody(args: ChipArg[]): Uint8Array {
  const parts: number[] = [];
  for (const a of args) {
    if (a.kind === "u32") parts.push(a.value & 0xff, (a.value >>> 8) & 0xff, (a.value >>> 16) & 0xff, (a.value >>> 24) & 0xff);
    else if ("bytes" in a) parts.push(a.bytes.length & 0xff, a.bytes.length >> 8, ...a.bytes);
    else parts.push(a.cap & 0xff, a.cap >> 8);
  }
  return Uint8Array.from(parts);
}
