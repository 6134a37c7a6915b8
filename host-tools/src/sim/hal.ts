// Builds the `hal` import object for one firmware instance (docs/hal-abi.md, HAL ABI v1):
// checks every (ptr, len) against linear memory, forwards to the simulated peripherals and
// turns their refusals (HalFault) into the ABI's negative return codes. The import names and
// signatures are the ABI table's (host-tools/src/abi/hal-abi.ts). PowerCut,
// FirmwarePanic and FirmwareReset pass through on purpose: they unwind the instance.

import type { NorFlash } from "./flash.ts";
import type { Panel } from "./display.ts";
import { HAL_IMPORT_SIGNATURES } from "../abi/hal-abi.ts";
import { E_ARG, E_RANGE, E_SPACE, E_UNSUPPORTED, HalFault } from "./hal-codes.ts";
import { sha256Digest, type Keystore } from "./keystore.ts";
import { FirmwarePanic, FirmwareReset } from "./sim-errors.ts";

export interface HalContext {
  /** a fresh view of the firmware's exported memory (it may have grown) */
  memory(): Uint8Array;
  flash: NorFlash;
  keystore: Keystore;
  panel: Panel | null;
  clockMs(): number;
  /** seconds, 0 when the device has no trusted time */
  clockUnix(): number;
  random(out: Uint8Array): void;
  /** queue TX bytes; returns how many fit */
  uartWrite(bytes: Uint8Array): number;
  log(level: number, text: string): void;
  /** throws HalFault(E_UNSUPPORTED) when the board lacks the personality */
  nfcConfigure(personality: number, uid: Uint8Array): void;
  shellVersion: string;
  /** flash regions below this number are the firmware's; the others (image slots) belong to the bootloader (docs/boot.md). Default: all. */
  firmwareRegions?: number;
  /** a bootloader shell's answer to boot_confirm (docs/boot.md); without one the import answers E_UNSUPPORTED */
  bootConfirm?: () => number;
}

type ImportFn = (...args: number[]) => number | bigint | void;

export function buildHalImports(ctx: HalContext, callCounts: Map<string, number> = new Map()): { hal: Record<string, ImportFn> } {
  const utf8 = new TextDecoder("utf-8", { fatal: false });

  /** A shell that is the bootloader keeps the image slots from the firmware. */
  const firmwareRegion = (region: number): void => {
    if (ctx.firmwareRegions !== undefined && region >= ctx.firmwareRegions) throw new HalFault(E_RANGE, `flash region ${region} belongs to the bootloader`);
  };

  /** The bytes at (ptr, len), or E_ARG when any of them is outside memory. */
  const span = (ptr: number, len: number): Uint8Array => {
    const mem = ctx.memory();
    if (ptr < 0 || len < 0 || ptr + len > mem.length) {
      throw new HalFault(E_ARG, `buffer ${ptr >>> 0}+${len >>> 0} outside linear memory (${mem.length} bytes)`);
    }
    return mem.subarray(ptr, ptr + len);
  };
  const out = (ptr: number, bytes: Uint8Array): number => {
    span(ptr, bytes.length).set(bytes);
    return bytes.length;
  };
  const little32 = (values: number[]): Uint8Array => {
    const b = new Uint8Array(4 * values.length);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setUint32(4 * i, v >>> 0, true));
    return b;
  };

  const impl: Record<string, ImportFn> = {
    uart_write: (ptr, len) => ctx.uartWrite(span(ptr, len).slice()),
    log: (level, ptr, len) => ctx.log(level, utf8.decode(span(ptr, len))),
    panic: (ptr, len) => {
      let reason: string;
      try {
        reason = utf8.decode(span(ptr, len));
      } catch {
        reason = `<reason outside memory: ${ptr >>> 0}+${len >>> 0}>`;
      }
      throw new FirmwarePanic(reason);
    },
    clock_ms: () => BigInt(Math.floor(ctx.clockMs())),
    clock_unix: () => BigInt(Math.floor(ctx.clockUnix())),
    random: (ptr, len) => {
      const target = span(ptr, len);
      ctx.random(target);
      return len;
    },
    reset: (reason) => {
      throw new FirmwareReset(reason);
    },
    shell_version: (ptr, cap) => {
      const text = new TextEncoder().encode(ctx.shellVersion);
      const target = span(ptr, cap);
      if (cap < text.length) throw new HalFault(E_SPACE, `shell version needs ${text.length} bytes`);
      target.set(text);
      return text.length;
    },
    boot_confirm: () => {
      if (!ctx.bootConfirm) throw new HalFault(E_UNSUPPORTED, "this shell is not a bootloader: nothing to confirm");
      return ctx.bootConfirm();
    },

    flash_geometry: (region, outPtr) => {
      firmwareRegion(region);
      span(outPtr, 16);
      const g = ctx.flash.geometry(region);
      return out(outPtr, little32([g.pageSize, g.pageCount, g.writeUnit, g.eraseCycles]));
    },
    flash_read: (region, offset, ptr, len) => {
      firmwareRegion(region);
      const target = span(ptr, len);
      target.set(ctx.flash.read(region, offset, len));
      return len;
    },
    flash_program: (region, offset, ptr, len) => {
      firmwareRegion(region);
      ctx.flash.program(region, offset, span(ptr, len).slice());
      return len;
    },
    flash_erase: (region, page) => {
      firmwareRegion(region);
      ctx.flash.erase(region, page);
      return 0;
    },

    ks_info: (slot) => ctx.keystore.info(slot),
    ks_generate: (slot, alg) => {
      ctx.keystore.generate(slot, alg);
      return 0;
    },
    ks_import: (slot, alg, ptr, len) => {
      ctx.keystore.import(slot, alg, span(ptr, len));
      return 0;
    },
    ks_public_key: (slot, outPtr, cap) => {
      const target = span(outPtr, cap);
      const pub = ctx.keystore.publicKey(slot);
      if (cap < pub.length) throw new HalFault(E_SPACE, `public key needs ${pub.length} bytes, buffer has ${cap}`);
      target.set(pub);
      return pub.length;
    },
    ks_sign: (slot, msg, len, outPtr, cap) => {
      const message = span(msg, len).slice();
      const target = span(outPtr, cap);
      ctx.keystore.info(slot);
      if (cap < 64) throw new HalFault(E_SPACE, `signature needs 64 bytes, buffer has ${cap}`);
      target.set(ctx.keystore.sign(slot, message));
      return 64;
    },
    ks_verify: (alg, pub, pubLen, msg, msgLen, sig, sigLen) =>
      ctx.keystore.verify(alg, span(pub, pubLen).slice(), span(msg, msgLen).slice(), span(sig, sigLen).slice()),
    ks_aes: (slot, mode, ivPtr, inPtr, len, outPtr) => {
      const input = span(inPtr, len).slice();
      span(outPtr, len);
      const cbcMode = mode === 2 || mode === 3;
      const iv = cbcMode ? span(ivPtr, 16).slice() : null;
      return out(outPtr, ctx.keystore.aes(slot, mode, iv, input));
    },
    ks_cmac: (slot, msg, len, outPtr) => {
      const message = span(msg, len).slice();
      span(outPtr, 16);
      return out(outPtr, ctx.keystore.cmac(slot, message));
    },
    ks_unwrap: (slot, alg, ptr, len, dest) => {
      ctx.keystore.unwrap(slot, alg, span(ptr, len).slice(), dest);
      return 0;
    },
    ks_derive_cmac: (slot, msg, len, dest) => {
      ctx.keystore.deriveCmac(slot, span(msg, len).slice(), dest);
      return 0;
    },
    sha256: (ptr, len, outPtr) => {
      const data = span(ptr, len).slice();
      span(outPtr, 32);
      return out(outPtr, sha256Digest(data));
    },
    hmac_sha256: (slot, msg, len, outPtr) => {
      const message = span(msg, len).slice();
      span(outPtr, 32);
      return out(outPtr, ctx.keystore.hmacSha256(slot, message));
    },

    display_geometry: (outPtr) => {
      const panel = requirePanel(ctx);
      span(outPtr, 16);
      return out(outPtr, little32([panel.width, panel.height, 1, panel.partialRefresh ? 1 : 0]));
    },
    display_blit: (x, y, w, h, ptr, len) => {
      const panel = requirePanel(ctx);
      panel.blit(x, y, w, h, span(ptr, len));
      return 0;
    },
    display_refresh: (mode) => {
      requirePanel(ctx).refresh(mode);
      return 0;
    },

    nfc_configure: (personality, ptr, len) => {
      if (personality < 0 || personality > 2) throw new HalFault(E_ARG, `unknown NFC personality ${personality}`);
      const uid = span(ptr, len);
      if (personality !== 0 && len !== 7) throw new HalFault(E_ARG, `NFC UID must be 7 bytes, got ${len}`);
      ctx.nfcConfigure(personality, uid.slice());
      return 0;
    },
  };

  const hal: Record<string, ImportFn> = {};
  for (const [name, fn] of Object.entries(impl)) {
    const returnsCode = HAL_IMPORT_SIGNATURES[name].results[0] === "i32";
    hal[name] = (...args: number[]) => {
      callCounts.set(name, (callCounts.get(name) ?? 0) + 1);
      try {
        return fn(...args);
      } catch (e) {
        if (e instanceof HalFault) return returnsCode ? e.code : undefined;
        throw e;
      }
    };
  }
  return { hal };
}

function requirePanel(ctx: HalContext): Panel {
  if (!ctx.panel) throw new HalFault(E_UNSUPPORTED, "this board has no display");
  return ctx.panel;
}
