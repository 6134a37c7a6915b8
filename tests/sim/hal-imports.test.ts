// Every HAL ABI v1 import called from inside Wasm (fixtures/hal-probe.wat) with good and bad
// arguments: return values and error codes as docs/hal-abi.md states them, bounds checks on
// every (ptr, len), and results checked against @noble / node:crypto, not against the sim.

import { test } from "vitest";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ecb, cbc } from "@noble/ciphers/aes.js";
import { cmac } from "@noble/ciphers/aes.js";
import { loadBoardJson, memory, probe, probeDevice } from "./sim-fixture.ts";

const E_ARG = -1,
  E_RANGE = -2,
  E_NOR = -3,
  E_ALIGN = -4,
  E_NO_KEY = -5,
  E_ALG = -6,
  E_UNSUPPORTED = -8,
  E_SPACE = -11;
const MEM = 65536;
const A = 4096; // scratch areas in the probe's memory
const B = 8192;
const C = 12288;

function put(mem: Uint8Array, at: number, bytes: Uint8Array | number[]): void {
  mem.set(bytes, at);
}

function u32s(mem: Uint8Array, at: number, n: number): number[] {
  const v = new DataView(mem.buffer, at, 4 * n);
  return Array.from({ length: n }, (_, i) => v.getUint32(4 * i, true));
}

test("uart_write queues bytes (64 KiB), refuses bad spans", async (t) => {
  const d = await probeDevice(t);
  const mem = memory(d);
  const seen: Uint8Array[] = [];
  d.on("uart", (b: Uint8Array) => seen.push(b));
  put(mem, A, [1, 2, 3, 4, 5]);
  assert.equal(probe(d, "uart_write", A, 5), 5);
  d.tickNow(); // TX leaves the device after the export call returns
  assert.deepEqual([...seen[0]], [1, 2, 3, 4, 5]);
  assert.equal(probe(d, "uart_write", MEM - 4, 5), E_ARG);
  assert.equal(probe(d, "uart_write", -1, 1), E_ARG);
  assert.equal(probe(d, "uart_write", 0, -1), E_ARG);
  assert.equal(probe(d, "uart_write", 0, MEM), MEM);
  assert.equal(probe(d, "uart_write", 0, 10), 0, "queue full after 64 KiB");
  d.tickNow();
  assert.equal(seen[1].length, MEM);
  assert.equal(probe(d, "uart_write", 0, 10), 10, "queue drained");
});

test("log, clock_ms, clock_unix, random, shell_version", async (t) => {
  let fake = 1000;
  const d = await probeDevice(t, { now: () => fake, seed: 42, trustedTime: false });
  const mem = memory(d);
  const logs: { level: number; text: string }[] = [];
  d.on("log", (l) => logs.push(l));
  put(mem, A, [...new TextEncoder().encode("hello")]);
  probe(d, "log", 2, A, 5);
  probe(d, "log", 2, MEM, 5); // ignored, must not throw
  assert.deepEqual(logs, [{ level: 2, text: "hello" }]);

  fake = 1234;
  assert.equal((d.firmware!.t_clock_ms as () => bigint)(), 234n);
  assert.equal((d.firmware!.t_clock_unix as () => bigint)(), 0n, "no trusted time");

  assert.equal(probe(d, "random", A, 32), 32);
  const first = mem.slice(A, A + 32);
  assert.notDeepEqual([...first], new Array(32).fill(0));
  assert.equal(probe(d, "random", MEM - 8, 16), E_ARG);

  assert.equal(probe(d, "shell_version", B, 64), 16);
  assert.equal(new TextDecoder().decode(mem.subarray(B, B + 16)), "tapkit-sim/0.1.0");
  assert.equal(probe(d, "shell_version", B, 4), E_SPACE);
  assert.equal(probe(d, "shell_version", MEM - 2, 64), E_ARG);

  const again = await probeDevice(t, { now: () => 0, seed: 42 });
  probe(again, "random", A, 32);
  assert.deepEqual(memory(again).slice(A, A + 32), first, "same seed, same bytes");
  const unix = (again.firmware!.t_clock_unix as () => bigint)();
  assert.ok(Math.abs(Number(unix) - Date.now() / 1000) < 5, "trusted time is the host's Unix time");
});

test("flash imports: geometry, read, program (NOR, alignment), erase", async (t) => {
  const d = await probeDevice(t);
  const mem = memory(d);
  assert.equal(probe(d, "flash_geometry", 0, A), 16);
  assert.deepEqual(u32s(mem, A, 4), [4096, 20, 4, 10000]);
  assert.equal(probe(d, "flash_geometry", 1, A), 16);
  assert.deepEqual(u32s(mem, A, 4), [4096, 32, 4, 10000]);
  assert.equal(probe(d, "flash_geometry", 3, A), E_RANGE);
  assert.equal(probe(d, "flash_geometry", -1, A), E_RANGE);
  assert.equal(probe(d, "flash_geometry", 0, MEM - 8), E_ARG);

  assert.equal(probe(d, "flash_read", 0, 0, B, 8), 8);
  assert.deepEqual([...mem.subarray(B, B + 8)], new Array(8).fill(0xff), "fresh flash reads FF");
  assert.equal(probe(d, "flash_read", 0, 20 * 4096 - 4, B, 8), E_RANGE);
  assert.equal(probe(d, "flash_read", 0, -4, B, 4), E_RANGE);
  assert.equal(probe(d, "flash_read", 4, 0, B, 4), E_RANGE);
  assert.equal(probe(d, "flash_read", 0, 0, MEM - 2, 4), E_ARG);

  put(mem, A, [0xf0, 0x0f, 0xaa, 0x55]);
  assert.equal(probe(d, "flash_program", 0, 8, A, 4), 4);
  assert.equal(probe(d, "flash_program", 0, 9, A, 4), E_ALIGN);
  assert.equal(probe(d, "flash_program", 0, 8, A, 3), E_ALIGN);
  assert.equal(probe(d, "flash_program", 0, 8, MEM - 2, 4), E_ARG);
  assert.equal(probe(d, "flash_program", 2, 32 * 4096, A, 4), E_RANGE);
  put(mem, A, [0xf0, 0x0f, 0xab, 0x55]); // 0xaa -> 0xab sets bit 0: refused
  assert.equal(probe(d, "flash_program", 0, 8, A, 4), E_NOR);
  assert.equal(d.flash.norViolations, 1);
  put(mem, A, [0x00, 0x0f, 0x0a, 0x00]); // only clears: allowed
  assert.equal(probe(d, "flash_program", 0, 8, A, 4), 4);
  assert.equal(probe(d, "flash_read", 0, 8, B, 4), 4);
  assert.deepEqual([...mem.subarray(B, B + 4)], [0x00, 0x0f, 0x0a, 0x00]);

  assert.equal(probe(d, "flash_erase", 0, 0), 0);
  assert.equal(d.flash.eraseCount(0, 0), 1);
  assert.equal(probe(d, "flash_erase", 0, 20), E_RANGE);
  assert.equal(probe(d, "flash_erase", 5, 0), E_RANGE);
  probe(d, "flash_read", 0, 8, B, 4);
  assert.deepEqual([...mem.subarray(B, B + 4)], [0xff, 0xff, 0xff, 0xff]);
});

test("keystore imports: demo slots, generate, import, public key, sign/verify vs noble", async (t) => {
  const d = await probeDevice(t);
  const mem = memory(d);
  assert.equal(probe(d, "ks_info", 0), 1, "demo Ed25519");
  assert.equal(probe(d, "ks_info", 1), 2, "demo P-256");
  assert.equal(probe(d, "ks_info", 2), 3, "demo AES SUN meta key");
  assert.equal(probe(d, "ks_info", 3), 3, "demo AES SUN file key");
  assert.equal(probe(d, "ks_info", 4), 0);
  assert.equal(probe(d, "ks_info", 8), E_RANGE);
  assert.equal(probe(d, "ks_info", 128), 0, "volatile slot");
  assert.equal(probe(d, "ks_info", 136), E_RANGE);
  assert.equal(probe(d, "ks_generate", 4, 9), E_ALG);
  assert.equal(probe(d, "ks_generate", 9, 1), E_RANGE);

  const msg = new TextEncoder().encode("pay 12.50 EUR to demo merchant");
  put(mem, A, msg);
  // Ed25519: sign in the sim, verify with noble
  assert.equal(probe(d, "ks_public_key", 0, B, 64), 32);
  const edPub = mem.slice(B, B + 32);
  assert.equal(probe(d, "ks_sign", 0, A, msg.length, C, 64), 64);
  assert.ok(ed25519.verify(mem.slice(C, C + 64), msg, edPub));
  assert.equal(probe(d, "ks_sign", 0, A, msg.length, C, 63), E_SPACE);
  assert.equal(probe(d, "ks_sign", 0, A, msg.length, MEM - 10, 64), E_ARG);
  assert.equal(probe(d, "ks_sign", 4, A, msg.length, C, 64), E_NO_KEY);
  assert.equal(probe(d, "ks_sign", 2, A, msg.length, C, 64), E_ALG, "AES slot cannot sign");
  assert.equal(probe(d, "ks_public_key", 0, B, 31), E_SPACE);
  assert.equal(probe(d, "ks_public_key", 2, B, 64), E_ALG);
  assert.equal(probe(d, "ks_public_key", 4, B, 64), E_NO_KEY);

  // P-256: sign in the sim, verify with noble (SHA-256 prehash, compact r||s, low-S)
  assert.equal(probe(d, "ks_public_key", 1, B, 65), 65);
  const pPub = mem.slice(B, B + 65);
  assert.equal(pPub[0], 0x04, "uncompressed SEC1");
  for (let i = 0; i < 8; i++) {
    mem[A] = i; // different messages, so both halves of s would show up without low-S
    assert.equal(probe(d, "ks_sign", 1, A, msg.length, C, 64), 64);
    const sig = mem.slice(C, C + 64);
    const m = mem.slice(A, A + msg.length);
    assert.ok(p256.verify(sig, m, pPub, { prehash: true, lowS: true }), "noble accepts it as a low-S signature");
    const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
    assert.ok(s <= p256.Point.CURVE().n / 2n, "s in the lower half");
  }

  // ks_verify: signatures made by noble, checked in the sim
  const seed = ed25519.utils.randomSecretKey();
  const nobleSig = ed25519.sign(msg, seed);
  put(mem, A, msg);
  put(mem, B, ed25519.getPublicKey(seed));
  put(mem, C, nobleSig);
  assert.equal(probe(d, "ks_verify", 1, B, 32, A, msg.length, C, 64), 1);
  mem[A] ^= 1;
  assert.equal(probe(d, "ks_verify", 1, B, 32, A, msg.length, C, 64), 0);
  mem[A] ^= 1;
  assert.equal(probe(d, "ks_verify", 1, B, 31, A, msg.length, C, 64), E_ARG);
  assert.equal(probe(d, "ks_verify", 1, B, 32, A, msg.length, C, 63), 0);
  assert.equal(probe(d, "ks_verify", 3, B, 32, A, msg.length, C, 64), E_ALG);
  assert.equal(probe(d, "ks_verify", 1, B, 32, A, msg.length, MEM - 1, 64), E_ARG);
  const pSecret = p256.utils.randomSecretKey();
  put(mem, B, p256.getPublicKey(pSecret, false));
  put(mem, C, p256.sign(msg, pSecret));
  assert.equal(probe(d, "ks_verify", 2, B, 65, A, msg.length, C, 64), 1);

  // ks_import: known keys give noble's public keys
  put(mem, A, seed);
  assert.equal(probe(d, "ks_import", 5, 1, A, 32), 0);
  assert.equal(probe(d, "ks_public_key", 5, B, 32), 32);
  assert.deepEqual(mem.slice(B, B + 32), ed25519.getPublicKey(seed));
  put(mem, A, pSecret);
  assert.equal(probe(d, "ks_import", 6, 2, A, 32), 0);
  assert.equal(probe(d, "ks_public_key", 6, B, 65), 65);
  assert.deepEqual(mem.slice(B, B + 65), p256.getPublicKey(pSecret, false));
  assert.equal(probe(d, "ks_import", 5, 1, A, 31), E_ARG);
  assert.equal(probe(d, "ks_import", 5, 3, A, 15), E_ARG);
  assert.equal(probe(d, "ks_import", 5, 4, A, 15), E_ARG);
  assert.equal(probe(d, "ks_import", 5, 4, A, 65), E_ARG);
  assert.equal(probe(d, "ks_import", 5, 1, MEM - 8, 32), E_ARG);
  assert.equal(probe(d, "ks_generate", 7, 2), 0);
  assert.equal(probe(d, "ks_info", 7), 2);
});

test("AES, CMAC, derive, SHA-256, HMAC imports vs noble and node:crypto", async (t) => {
  const d = await probeDevice(t);
  const mem = memory(d);
  const key = Uint8Array.from(Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex"));
  put(mem, A, key);
  assert.equal(probe(d, "ks_import", 4, 3, A, 16), 0);
  const plain = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const iv = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
  put(mem, A, plain);
  put(mem, C, iv);
  assert.equal(probe(d, "ks_aes", 4, 0, 0, A, 32, B, 32), 32);
  assert.deepEqual(mem.slice(B, B + 32), ecb(key, { disablePadding: true }).encrypt(plain));
  assert.equal(probe(d, "ks_aes", 4, 1, 0, B, 32, B, 32), 32, "in place");
  assert.deepEqual(mem.slice(B, B + 32), plain);
  assert.equal(probe(d, "ks_aes", 4, 2, C, A, 32, B, 32), 32);
  assert.deepEqual(mem.slice(B, B + 32), cbc(key, iv, { disablePadding: true }).encrypt(plain));
  assert.equal(probe(d, "ks_aes", 4, 3, C, B, 32, B, 32), 32);
  assert.deepEqual(mem.slice(B, B + 32), plain);
  assert.equal(probe(d, "ks_aes", 4, 4, C, A, 32, B, 32), E_ARG, "unknown mode");
  assert.equal(probe(d, "ks_aes", 4, 0, C, A, 20, B, 20), E_ARG, "not a multiple of 16");
  assert.equal(probe(d, "ks_aes", 4, 2, MEM - 8, A, 32, B, 32), E_ARG, "CBC IV outside memory");
  assert.equal(probe(d, "ks_aes", 4, 0, MEM - 8, A, 32, B, 32), 32, "ECB ignores the IV");
  assert.equal(probe(d, "ks_aes", 4, 0, 0, A, 32, MEM - 16, 32), E_ARG);
  assert.equal(probe(d, "ks_aes", 0, 0, 0, A, 32, B, 32), E_ALG, "Ed25519 slot");
  assert.equal(probe(d, "ks_aes", 5, 0, 0, A, 32, B, 32), E_NO_KEY);

  assert.equal(probe(d, "ks_cmac", 4, A, 20, B), 16);
  assert.deepEqual(mem.slice(B, B + 16), cmac(plain.subarray(0, 20), key));
  assert.equal(probe(d, "ks_cmac", 0, A, 20, B), E_ALG);
  assert.equal(probe(d, "ks_cmac", 4, A, 20, MEM - 8), E_ARG);

  // NTAG 424 style session key into a volatile slot, then used for a MAC
  const sv2 = Uint8Array.from(Buffer.from("5AA50001008004C0FFEE12345601000000", "hex").subarray(0, 16));
  put(mem, A, sv2);
  assert.equal(probe(d, "ks_derive_cmac", 4, A, 16, 128), 0);
  assert.equal(probe(d, "ks_info", 128), 3);
  const session = cmac(sv2, key);
  put(mem, A, plain);
  assert.equal(probe(d, "ks_cmac", 128, A, 32, B), 16);
  assert.deepEqual(mem.slice(B, B + 16), cmac(plain, session));
  assert.equal(probe(d, "ks_derive_cmac", 4, A, 16, 200), E_RANGE);
  assert.equal(probe(d, "ks_derive_cmac", 0, A, 16, 129), E_ALG);

  assert.equal(probe(d, "sha256", A, 32, B), 32);
  assert.deepEqual(Buffer.from(mem.slice(B, B + 32)), createHash("sha256").update(plain).digest());
  assert.equal(probe(d, "sha256", A, 0, B), 32);
  assert.deepEqual(Buffer.from(mem.slice(B, B + 32)), createHash("sha256").digest());
  assert.equal(probe(d, "sha256", A, 32, MEM - 31), E_ARG);

  const hkey = Uint8Array.from({ length: 40 }, (_, i) => 100 + i);
  put(mem, C, hkey);
  assert.equal(probe(d, "ks_import", 5, 4, C, 40), 0);
  assert.equal(probe(d, "hmac_sha256", 5, A, 32, B), 32);
  assert.deepEqual(mem.slice(B, B + 32), hmac(sha256, hkey, plain));
  assert.equal(probe(d, "hmac_sha256", 4, A, 32, B), E_ALG, "AES slot");
  assert.equal(probe(d, "hmac_sha256", 6, A, 32, B), E_NO_KEY);
});

test("display imports on the plaque; E_UNSUPPORTED on the card", async (t) => {
  const d = await probeDevice(t);
  const mem = memory(d);
  assert.equal(probe(d, "display_geometry", A), 16);
  assert.deepEqual(u32s(mem, A, 4), [200, 200, 1, 1]);
  assert.equal(probe(d, "display_geometry", MEM - 4), E_ARG);
  put(mem, A, [0b1010_0000, 0b0100_0000]);
  assert.equal(probe(d, "display_blit", 10, 20, 3, 2, A, 2), 0);
  assert.equal(probe(d, "display_blit", 199, 0, 2, 1, A, 1), E_RANGE);
  assert.equal(probe(d, "display_blit", 0, 0, 8, 2, A, 1), E_ARG, "buffer shorter than the image");
  assert.equal(probe(d, "display_blit", 0, 0, 8, 1, MEM, 1), E_ARG);
  assert.equal(d.panel!.pixel(10, 20), false, "not visible before a refresh");
  assert.equal(probe(d, "display_refresh", 1), 0);
  assert.equal(d.panel!.pixel(10, 20), true);
  assert.equal(d.panel!.pixel(11, 20), false);
  assert.equal(d.panel!.pixel(12, 20), true);
  assert.equal(d.panel!.pixel(11, 21), true);
  assert.equal(probe(d, "display_refresh", 2), E_ARG);

  const card = await probeDevice(t, { board: loadBoardJson("sim-card") });
  assert.equal(probe(card, "display_geometry", A), E_UNSUPPORTED);
  assert.equal(probe(card, "display_blit", 0, 0, 8, 1, A, 1), E_UNSUPPORTED);
  assert.equal(probe(card, "display_refresh", 0), E_UNSUPPORTED);
});

test("nfc_configure: personalities, UID length, board support", async (t) => {
  const d = await probeDevice(t);
  assert.equal(d.nfc.personality, 1, "probe presents Type 4 from tk_init");
  assert.deepEqual([...d.nfc.uid], [0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6]);
  assert.equal(probe(d, "nfc_configure", 2, 16, 7), 0);
  assert.equal(d.nfc.personality, 2);
  assert.equal(probe(d, "nfc_configure", 3, 16, 7), E_ARG);
  assert.equal(probe(d, "nfc_configure", 1, 16, 6), E_ARG);
  assert.equal(probe(d, "nfc_configure", 1, MEM - 3, 7), E_ARG);
  assert.equal(probe(d, "nfc_configure", 0, 16, 0), 0);
  assert.equal(d.nfc.personality, 0);

  const card = await probeDevice(t, { board: loadBoardJson("sim-card") });
  assert.equal(probe(card, "nfc_configure", 2, 16, 7), E_UNSUPPORTED, "the card has no Type 2 personality");
});
