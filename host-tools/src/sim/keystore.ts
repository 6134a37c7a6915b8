// Simulated keystore: numbered key slots that sign, verify, encrypt and MAC without the
// key ever entering Wasm memory (docs/hal-abi.md, Keystore). Persistent slots 0..N-1 come
// from board.keystore.slots and are saved in <state>/keystore.json IN THE CLEAR — this is
// a simulator, keys at rest are not protected. Slots 128..135 are volatile session slots
// (e.g. the ks_derive_cmac destination for NTAG 424 session keys): never saved, wiped on
// every reboot and power cycle.

import { aeskw, cbc, ecb } from "@noble/ciphers/aes.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Board, KeyAlgorithm } from "../boards/board.ts";
import { aesCmac } from "./aes-cmac.ts";
import { unwrapInfo } from "../abi/ks-unwrap.ts";
import { E_ALG, E_ARG, E_NO_KEY, E_RANGE, HalFault } from "./hal-codes.ts";
import { TapkitError } from "../errors/index.ts";

export const ALG_ED25519 = 1;
export const ALG_P256 = 2;
export const ALG_AES128 = 3;
export const ALG_HMAC_SHA256 = 4;

export const VOLATILE_SLOT_FIRST = 128;
export const VOLATILE_SLOT_COUNT = 8;

const ALG_BY_NAME: Record<KeyAlgorithm, number> = { ed25519: ALG_ED25519, p256: ALG_P256, aes128: ALG_AES128, "hmac-sha256": ALG_HMAC_SHA256 };
const NAME_BY_ALG: Record<number, KeyAlgorithm> = { 1: "ed25519", 2: "p256", 3: "aes128", 4: "hmac-sha256" };

export const AES_ECB_ENCRYPT = 0;
export const AES_ECB_DECRYPT = 1;
export const AES_CBC_ENCRYPT = 2;
export const AES_CBC_DECRYPT = 3;

interface KeySlot {
  alg: number;
  secret: Uint8Array;
  label?: string;
  demo?: boolean;
}

interface KeystoreFile {
  format: string;
  warning: string;
  slots: Record<string, { alg: KeyAlgorithm; secret: string; label?: string; demo?: boolean }>;
}

const STATE_FORMAT = "tapkit-sim-keystore/1";
const STATE_WARNING = "SIMULATOR KEYSTORE: secret keys below are stored in the clear. Never put production keys here.";

export interface KeystoreOptions {
  stateDir?: string;
  /** source of key material (default: node:crypto) */
  randomBytes?: (n: number) => Uint8Array;
}

export class Keystore {
  readonly persistentSlots: number;
  private readonly algorithms: Set<number>;
  private readonly slots = new Map<number, KeySlot>();
  private readonly path: string | undefined;
  private readonly random: (n: number) => Uint8Array;

  constructor(keystore: Board["keystore"], options: KeystoreOptions = {}) {
    this.persistentSlots = keystore.slots;
    this.algorithms = new Set(keystore.algorithms.map((a) => ALG_BY_NAME[a]));
    this.random = options.randomBytes ?? ((n) => new Uint8Array(randomBytes(n)));
    if (options.stateDir) {
      mkdirSync(options.stateDir, { recursive: true });
      this.path = join(options.stateDir, "keystore.json");
      if (existsSync(this.path)) this.load(this.path);
    }
  }

  /** True when no persistent slot holds a key (a fresh device). */
  get isEmpty(): boolean {
    return ![...this.slots.keys()].some((s) => s < this.persistentSlots);
  }

  info(slot: number): number {
    this.checkSlot(slot);
    return this.slots.get(slot)?.alg ?? 0;
  }

  /** Label and demo mark of a slot, for reports (never the secret). */
  describe(slot: number): { alg: KeyAlgorithm; label?: string; demo: boolean } | null {
    const key = this.slots.get(slot);
    return key ? { alg: NAME_BY_ALG[key.alg], label: key.label, demo: key.demo === true } : null;
  }

  /**
   * The secret of a DEMO key (the fresh simulator's set-up), so the demo and a bench verifier
   * can check what the device produced. Any other key never leaves the keystore: refused.
   */
  demoSecret(slot: number): Uint8Array {
    const key = this.key(slot);
    if (key.demo !== true) throw new HalFault(E_ARG, `slot ${slot} does not hold a demo key; only demo keys can be exported`);
    return key.secret.slice();
  }

  generate(slot: number, alg: number, meta: { label?: string; demo?: boolean } = {}): void {
    this.checkSlot(slot);
    this.checkAlg(alg);
    const secret = alg === ALG_ED25519 ? this.random(32) : alg === ALG_P256 ? this.p256Scalar() : alg === ALG_AES128 ? this.random(16) : this.random(32);
    this.store(slot, { alg, secret, ...meta });
  }

  import(slot: number, alg: number, material: Uint8Array): void {
    this.checkSlot(slot);
    this.checkAlg(alg);
    const len = material.length;
    const ok =
      alg === ALG_ED25519
        ? len === 32
        : alg === ALG_P256
          ? len === 32 && p256.utils.isValidSecretKey(material)
          : alg === ALG_AES128
            ? len === 16
            : len >= 16 && len <= 64;
    if (!ok) throw new HalFault(E_ARG, `key material of ${len} bytes is not a valid ${NAME_BY_ALG[alg]} key`);
    this.store(slot, { alg, secret: material.slice() });
  }

  publicKey(slot: number): Uint8Array {
    const key = this.key(slot);
    if (key.alg === ALG_ED25519) return ed25519.getPublicKey(key.secret);
    if (key.alg === ALG_P256) return p256.getPublicKey(key.secret, false);
    throw new HalFault(E_ALG, `slot ${slot} holds a symmetric key, which has no public key`);
  }

  sign(slot: number, message: Uint8Array): Uint8Array {
    const key = this.key(slot);
    if (key.alg === ALG_ED25519) return ed25519.sign(message, key.secret);
    if (key.alg === ALG_P256) return p256.sign(message, key.secret, { prehash: true, lowS: true, format: "compact" });
    throw new HalFault(E_ALG, `slot ${slot} holds a symmetric key and cannot sign`);
  }

  /** 1 valid, 0 invalid. High-S P-256 signatures are accepted: other signers produce them. */
  verify(alg: number, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): number {
    if (alg === ALG_ED25519) {
      if (publicKey.length !== 32) throw new HalFault(E_ARG, `Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
      if (signature.length !== 64) return 0;
      try {
        return ed25519.verify(signature, message, publicKey) ? 1 : 0;
      } catch {
        return 0;
      }
    }
    if (alg === ALG_P256) {
      if (publicKey.length !== 65 && publicKey.length !== 33)
        throw new HalFault(E_ARG, `P-256 public key must be 65 (or 33) bytes SEC1, got ${publicKey.length}`);
      if (signature.length !== 64) return 0;
      try {
        return p256.verify(signature, message, publicKey, { prehash: true, lowS: false, format: "compact" }) ? 1 : 0;
      } catch {
        return 0;
      }
    }
    throw new HalFault(alg >= 1 && alg <= 4 ? E_ALG : E_ARG, `algorithm ${alg} does not verify signatures`);
  }

  aes(slot: number, mode: number, iv: Uint8Array | null, input: Uint8Array): Uint8Array {
    if (mode < AES_ECB_ENCRYPT || mode > AES_CBC_DECRYPT) throw new HalFault(E_ARG, `unknown AES mode ${mode}`);
    if (input.length % 16 !== 0) throw new HalFault(E_ARG, `AES input of ${input.length} bytes is not a multiple of 16`);
    const key = this.symmetric(slot, ALG_AES128);
    const opts = { disablePadding: true };
    if (mode === AES_ECB_ENCRYPT) return ecb(key, opts).encrypt(input);
    if (mode === AES_ECB_DECRYPT) return ecb(key, opts).decrypt(input);
    if (!iv || iv.length !== 16) throw new HalFault(E_ARG, "CBC needs a 16-byte IV");
    return mode === AES_CBC_ENCRYPT ? cbc(key, iv, opts).encrypt(input) : cbc(key, iv, opts).decrypt(input);
  }

  cmac(slot: number, message: Uint8Array): Uint8Array {
    return aesCmac(this.symmetric(slot, ALG_AES128), message);
  }

  /** dest = CMAC(key[slot], message) as a new AES-128 key; the derived key stays inside. */
  deriveCmac(slot: number, message: Uint8Array, dest: number): void {
    this.checkSlot(dest);
    const derived = aesCmac(this.symmetric(slot, ALG_AES128), message);
    this.store(dest, { alg: ALG_AES128, secret: derived });
  }

  /**
   * dest = the key of algorithm `alg` sealed to the P-256 key in `slot` (docs/hal-abi.md,
   * ks_unwrap): blob = ephemeral public key (65) || RFC 3394 wrap. The plaintext stays inside.
   */
  unwrap(slot: number, alg: number, blob: Uint8Array, dest: number): void {
    this.checkSlot(dest);
    this.checkAlg(alg);
    const agreement = this.key(slot);
    if (agreement.alg !== ALG_P256) throw new HalFault(E_ALG, `slot ${slot} holds ${NAME_BY_ALG[agreement.alg]}, not a P-256 key-agreement key`);
    if (alg !== ALG_AES128 && alg !== ALG_HMAC_SHA256) throw new HalFault(E_ALG, `ks_unwrap delivers AES-128 or HMAC keys, not algorithm ${alg}`);
    if (blob.length < 65 + 24 || (blob.length - 65) % 8 !== 0) throw new HalFault(E_ARG, `wrapped-key blob of ${blob.length} bytes is malformed`);
    const ephemeral = blob.subarray(0, 65);
    let shared: Uint8Array;
    try {
      shared = p256.getSharedSecret(agreement.secret, ephemeral, true).subarray(1);
    } catch {
      throw new HalFault(E_ARG, "the ephemeral key is not a P-256 point");
    }
    const kek = hkdf(sha256, shared, new Uint8Array(0), unwrapInfo(p256.getPublicKey(agreement.secret, false), ephemeral, alg, dest), 16);
    let material: Uint8Array;
    try {
      material = aeskw(kek).decrypt(blob.subarray(65));
    } catch {
      throw new HalFault(E_ARG, "the wrapped key does not check out (sealed to another device, or altered)");
    }
    const ok = alg === ALG_AES128 ? material.length === 16 : material.length >= 16 && material.length <= 64;
    if (!ok) throw new HalFault(E_ARG, `unwrapped ${material.length} bytes: not a valid ${NAME_BY_ALG[alg]} key`);
    this.store(dest, { alg, secret: material });
  }

  hmacSha256(slot: number, message: Uint8Array): Uint8Array {
    return hmac(sha256, this.symmetric(slot, ALG_HMAC_SHA256), message);
  }

  /** Wipe the volatile session slots (every reboot and power cycle). */
  clearVolatile(): void {
    for (const slot of [...this.slots.keys()]) if (slot >= VOLATILE_SLOT_FIRST) this.slots.delete(slot);
  }

  private p256Scalar(): Uint8Array {
    for (;;) {
      const candidate = this.random(32);
      if (p256.utils.isValidSecretKey(candidate)) return candidate;
    }
  }

  private checkSlot(slot: number): void {
    const persistent = slot >= 0 && slot < this.persistentSlots;
    const volatile = slot >= VOLATILE_SLOT_FIRST && slot < VOLATILE_SLOT_FIRST + VOLATILE_SLOT_COUNT;
    if (!Number.isInteger(slot) || !(persistent || volatile)) throw new HalFault(E_RANGE, `no keystore slot ${slot}`);
  }

  private checkAlg(alg: number): void {
    if (!this.algorithms.has(alg)) throw new HalFault(E_ALG, `algorithm ${alg} is not supported by this board's keystore`);
  }

  private key(slot: number): KeySlot {
    this.checkSlot(slot);
    const key = this.slots.get(slot);
    if (!key) throw new HalFault(E_NO_KEY, `keystore slot ${slot} is empty`);
    return key;
  }

  private symmetric(slot: number, alg: number): Uint8Array {
    const key = this.key(slot);
    if (key.alg !== alg) throw new HalFault(E_ALG, `slot ${slot} holds ${NAME_BY_ALG[key.alg]}, not ${NAME_BY_ALG[alg]}`);
    return key.secret;
  }

  private store(slot: number, key: KeySlot): void {
    this.slots.set(slot, key);
    if (slot < this.persistentSlots) this.save();
  }

  private load(path: string): void {
    const file = JSON.parse(readFileSync(path, "utf8")) as KeystoreFile;
    if (file.format !== STATE_FORMAT) {
      throw new TapkitError("SIM_STATE_MISMATCH", `${path} is not a ${STATE_FORMAT} file`, "use a fresh --state directory");
    }
    for (const [slot, entry] of Object.entries(file.slots)) {
      this.slots.set(Number(slot), {
        alg: ALG_BY_NAME[entry.alg],
        secret: Uint8Array.from(Buffer.from(entry.secret, "hex")),
        label: entry.label,
        demo: entry.demo,
      });
    }
  }

  private save(): void {
    if (!this.path) return;
    const file: KeystoreFile = { format: STATE_FORMAT, warning: STATE_WARNING, slots: {} };
    for (const [slot, key] of this.slots) {
      if (slot >= this.persistentSlots) continue;
      file.slots[String(slot)] = { alg: NAME_BY_ALG[key.alg], secret: Buffer.from(key.secret).toString("hex"), label: key.label, demo: key.demo };
    }
    writeFileSync(`${this.path}.tmp`, JSON.stringify(file, null, 2));
    renameSync(`${this.path}.tmp`, this.path);
  }
}

/**
 * The demo set-up of a fresh, non-blank simulated device (the simulator and the emulated
 * boards' secure element): slot 0 Ed25519 device key, 1 P-256 device key, 2 and 3 AES-128
 * SUN meta-read and file keys, each marked demo. Slots or algorithms the board lacks are left out.
 */
export function installDemoKeys(keystore: Keystore): void {
  const demo: [number, number, string][] = [
    [0, ALG_ED25519, "demo device key (Ed25519)"],
    [1, ALG_P256, "demo device key (P-256)"],
    [2, ALG_AES128, "demo SUN meta-read key (AES-128)"],
    [3, ALG_AES128, "demo SUN file key (AES-128)"],
  ];
  for (const [slot, alg, label] of demo) {
    if (slot >= keystore.persistentSlots) continue;
    try {
      keystore.generate(slot, alg, { label, demo: true });
    } catch (e) {
      if (!(e instanceof HalFault)) throw e; // the board lacks this algorithm: no demo key for it
    }
  }
}

export function sha256Digest(data: Uint8Array): Uint8Array {
  return sha256(data);
}
