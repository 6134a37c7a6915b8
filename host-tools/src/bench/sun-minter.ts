// SUN tap URLs for tests and the tap-backend bench, made with node:crypto (OpenSSL's AES) from the NTAG 424 / AN12196
// definitions rather than with tapkit's own code, so the backend is checked against an
// outside implementation (tests check the minter against AN12196 and RFC 4493): PICCData = AES-CBC(metaKey, IV 0, C7 || UID || ctr LE(3) || pad),
// K_ses = CMAC(fileKey, 3CC3 0001 0080 || UID || ctr), SDMMAC = odd bytes of CMAC(K_ses, "").
// Per-tag file keys by AN10922: CMAC(master, 01 || UID || aid || system).
import { createCipheriv, randomBytes } from "node:crypto";

function aesEcb(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv("aes-128-ecb", key, null).setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
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

/** `https://.../t?p=<PICCData>&c=<SDMMAC>` for this UID and counter. */
export function sunUrl(base: string, metaKey: Buffer, fileKey: Buffer, uid: Buffer, counter: number): string {
  const ctr = Buffer.from([counter & 0xff, (counter >> 8) & 0xff, (counter >> 16) & 0xff]);
  const plain = Buffer.concat([Buffer.from([0xc7]), uid, ctr, randomBytes(5)]);
  const c = createCipheriv("aes-128-cbc", metaKey, Buffer.alloc(16)).setAutoPadding(false);
  const picc = Buffer.concat([c.update(plain), c.final()]);
  const sv2 = Buffer.alloc(16);
  Buffer.from("3CC300010080", "hex").copy(sv2, 0);
  uid.copy(sv2, 6);
  ctr.copy(sv2, 13);
  const full = cmac(cmac(fileKey, sv2), Buffer.alloc(0));
  const mac = Buffer.from([1, 3, 5, 7, 9, 11, 13, 15].map((i) => full[i]));
  return `${base}?p=${picc.toString("hex").toUpperCase()}&c=${mac.toString("hex").toUpperCase()}`;
}
