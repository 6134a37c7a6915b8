// AN10922 AES-128 diversification against the application note's published example (and its
// intermediate subkey), and against a SUN backend: a tag keyed with the diversified key is
// accepted by `tapkit verify sun` given that key, and refused with the master key.
import { test } from "vitest";
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { diversifyAes128 } from "../../host-tools/src/provision/an10922.ts";
import { sdmMac } from "../../host-tools/src/verify/sun.ts";
import { tapkit } from "../cli/cli-helpers.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));

test("AN10922 section 2.2.1: master 00112233..FF, M = UID 04782E21801D80 || AID 3042F5 || 'NXP Abu' gives A8DD63A3..75", () => {
  const out = diversifyAes128(hex("00112233445566778899AABBCCDDEEFF"), hex("04782E21801D803042F54E585020416275"));
  assert.equal(Buffer.from(out).toString("hex").toUpperCase(), "A8DD63A3B89D54B37CA802473FDA9175");
});

test("AN10922 equals AES-CMAC (RFC 4493, via OpenSSL's AES-CBC) of 01 || M when M fills past one block; inputs of 1 and 31 bytes differ from plain CMAC padding only below 32 bytes", () => {
  const master = hex("2B7E151628AED2A6ABF7158809CF4F3C");
  const m = hex("04A1B2C3D4E5F6000000746170" + "6b6974");
  // CMAC by hand over OpenSSL AES: subkeys, then CBC over the padded two blocks.
  const aes = (b: Uint8Array) => {
    const c = createCipheriv("aes-128-ecb", master, null);
    c.setAutoPadding(false);
    return new Uint8Array(c.update(b));
  };
  const dbl = (b: Uint8Array) => {
    const o = new Uint8Array(16);
    for (let i = 0; i < 16; i++) o[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >> 7 : 0)) & 0xff;
    if (b[0] & 0x80) o[15] ^= 0x87;
    return o;
  };
  const k2 = dbl(dbl(aes(new Uint8Array(16))));
  const d = new Uint8Array(32);
  d[0] = 1;
  d.set(m, 1);
  d[1 + m.length] = 0x80;
  for (let i = 0; i < 16; i++) d[16 + i] ^= k2[i];
  const cbc = createCipheriv("aes-128-cbc", master, new Uint8Array(16));
  cbc.setAutoPadding(false);
  const expected = new Uint8Array(cbc.update(d)).subarray(16, 32);
  assert.deepEqual(diversifyAes128(master, m), expected);
  assert.throws(() => diversifyAes128(master, new Uint8Array(32)), /1\.\.31 bytes/);
});

test("a SUN backend (tapkit verify sun) accepts a MAC made with the diversified file key and refuses it with the master key", async () => {
  const master = hex("00112233445566778899AABBCCDDEEFF");
  const uid = hex("04A1B2C3D4E5F6");
  const key = diversifyAes128(master, Uint8Array.from([...uid, 0, 0, 0, ...Buffer.from("tapkit")]));
  const mac = sdmMac(key, uid, 5, new Uint8Array(0));
  const args = ["verify", "sun", "--uid", "04A1B2C3D4E5F6", "--ctr", "5", "--mac", Buffer.from(mac).toString("hex"), "--json"];
  const ok = await tapkit([...args, "--file-key", Buffer.from(key).toString("hex")]);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  assert.equal(JSON.parse(ok.stdout).counter, 5);
  const bad = await tapkit([...args, "--file-key", Buffer.from(master).toString("hex")]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout, /BAD_MAC/);
});
