// SUN tap URLs for tests and the tap-backend bench, made with node:crypto (OpenSSL's AES) from the NTAG 424 / AN12196
// definitions rather than with tapkit's own code, so the backend is checked against an
// outside implementation (tests check the minter against AN12196 and RFC 4493): PICCData = AES-CBC(metaKey, IV 0, C7 || UID || ctr LE(3) || pad),
// K_ses = CMAC(fileKey, 3CC3 0001 0080 || UID || ctr), SDMMAC = odd bytes of CMAC(K_ses, "").
// Per-tag file keys by AN10922: CMAC(master, 01 || UID || aid || system).
import { type Cipher, createCipheriv, randomFillSync } from "node:crypto";

const ZERO = Buffer.alloc(16);

// PICCData's 5 random padding bytes come from a pool: randomFillSync costs ~15 us a call
const pool = Buffer.alloc(5 * 4096);
let poolAt = pool.length;
function randomPad(plain: Buffer): void {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(plain, 11, poolAt, poolAt + 5);
  poolAt += 5;
}

/** AES-128-ECB without padding: update() encrypts whole blocks, one call after another. */
function ecbCipher(key: Buffer): Cipher {
  return createCipheriv("aes-128-ecb", key, null).setAutoPadding(false);
}

function aesEcb(key: Buffer, block: Buffer): Buffer {
  return ecbCipher(key).update(block);
}

function shift(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >> 7 : 0)) & 0xff;
  if (b[0] & 0x80) out[15] ^= 0x87;
  return out;
}

/** AES-CMAC (RFC 4493). */
export function cmac(key: Buffer, msg: Buffer): Buffer {
  const k1 = shift(aesEcb(key, Buffer.alloc(16)));
  const k2 = shift(k1);
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const last = Buffer.alloc(16);
  msg.copy(last, 0, (n - 1) * 16);
  if (!complete) last[msg.length - (n - 1) * 16] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i] ^= sub[i];
  let x: Buffer = Buffer.alloc(16);
  for (let b = 0; b < n; b++) {
    const block = b === n - 1 ? last : msg.subarray(b * 16, b * 16 + 16);
    const y = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) y[i] = x[i] ^ block[i];
    x = aesEcb(key, y);
  }
  return x;
}

export function an10922(master: Buffer, uid: Buffer, aid = "000000", system = "tapkit"): Buffer {
  return cmac(master, Buffer.concat([Buffer.from([0x01]), uid, Buffer.from(aid, "hex"), Buffer.from(system, "ascii")]));
}

/**
 * Mints one tag's tap URLs quickly, for loads of tens of thousands: the meta and file keys'
 * ECB ciphers and the file key's CMAC subkey K1 are made once per tag, so a URL costs one
 * new cipher (the session key's) and four block encryptions. PICCData is one block under a
 * zero IV, so its CBC is that block's ECB.
 */
export class SunTagMinter {
  private readonly meta: Cipher;
  private readonly file: Cipher;
  private readonly fileK1: Buffer;
  private readonly sv2 = Buffer.alloc(16);
  private readonly plain = Buffer.alloc(16);

  constructor(
    private readonly base: string,
    metaKey: Buffer,
    fileKey: Buffer,
    uid: Buffer,
  ) {
    this.meta = ecbCipher(metaKey);
    this.file = ecbCipher(fileKey);
    this.fileK1 = shift(this.file.update(ZERO));
    Buffer.from("3CC300010080", "hex").copy(this.sv2, 0);
    uid.copy(this.sv2, 6);
    this.plain[0] = 0xc7;
    uid.copy(this.plain, 1);
  }

  url(counter: number): string {
    const ctr = [counter & 0xff, (counter >> 8) & 0xff, (counter >> 16) & 0xff];
    this.plain.set(ctr, 8);
    randomPad(this.plain);
    const picc = this.meta.update(this.plain);
    this.sv2.set(ctr, 13);
    // K_ses = CMAC(fileKey, SV2): SV2 is one complete block, so E(fileKey, SV2 xor K1)
    const block = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) block[i] = this.sv2[i] ^ this.fileK1[i];
    const session = ecbCipher(this.file.update(block));
    // SDMMAC = odd bytes of CMAC(K_ses, ""): E(K_ses, (80 00..00) xor K2)
    const k2 = shift(shift(session.update(ZERO)));
    k2[0] ^= 0x80;
    const full = session.update(k2);
    const mac = Buffer.from([full[1], full[3], full[5], full[7], full[9], full[11], full[13], full[15]]);
    return `${this.base}?p=${picc.toString("hex").toUpperCase()}&c=${mac.toString("hex").toUpperCase()}`;
  }
}

/** `https://.../t?p=<PICCData>&c=<SDMMAC>` for this UID and counter. */
export function sunUrl(base: string, metaKey: Buffer, fileKey: Buffer, uid: Buffer, counter: number): string {
  return new SunTagMinter(base, metaKey, fileKey, uid).url(counter);
}
