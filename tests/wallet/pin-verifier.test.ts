// Issue 16: the owner PIN is a salted, keyed verifier inside the keystore, never readable.
// After set-up no store record, no flash byte and no byte of the firmware's memory holds the
// PIN or SHA-256(PIN); the store's PIN record holds the tries and a random salt only, and the
// keystore's verifier slot holds HMAC-SHA-256(K, salt || PIN) under the card's own PIN key K.
// Oracles: @noble/hashes recomputes the HMAC from the simulator's keystore file (plain text
// on purpose, docs/security.md) and node:crypto the SHA-256. Brute force through the link is
// closed twice: on a provisioned card store.get is refused; on a demo card the record has no
// verifier to try guesses against.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { test } from "vitest";
import { CHANNEL, LinkError } from "../../host-tools/src/link/index.ts";
import { provisioned } from "./card-fixture.ts";
import { testIssuer } from "./wallet-fixture.ts";

const PIN = "58204917";
const KEY_PIN = 0x0303;
const PIN_KEY_SLOT = 6;
const PIN_VERIFIER_SLOT = 7;

function holds(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle)) >= 0;
}

for (const lifecycle of ["demo", "provisioned"] as const) {
  test(`${lifecycle} card: the PIN and SHA-256(PIN) are nowhere in the store, the flash or memory; the verifier is a keyed HMAC in the keystore`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "tapkit-pin-"));
    t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const { client, card, device } = await provisioned(t, testIssuer(), { lifecycle, pin: PIN, stateDir: dir });
    assert.equal((await client.ops.device.status()).state, lifecycle);
    await card.verifyPin(PIN);
    await assert.rejects(card.verifyPin("00000000"));
    await card.verifyPin(PIN);

    const pinBytes = Buffer.from(PIN, "ascii");
    const pinSha = createHash("sha256").update(PIN).digest();
    const geometry = device.flash.geometry(0);
    const flash = device.flash.read(0, 0, geometry.pageSize * geometry.pageCount);
    assert.ok(flash.length >= 8192, "the whole store region was read");
    const memory = device.memorySnapshot();
    assert.ok(memory.length > 0);
    for (const [where, bytes] of [
      ["flash", flash],
      ["memory", memory],
    ] as const) {
      assert.ok(!holds(bytes, pinBytes), `the PIN is in the ${where}`);
      assert.ok(!holds(bytes, pinSha), `SHA-256(PIN) is in the ${where}`);
    }

    const record = await client.session.request(CHANNEL.APP, "store.get", { k: KEY_PIN }).then(
      (r) => r.v as Uint8Array,
      (e: LinkError) => e,
    );
    const keystore = JSON.parse(readFileSync(join(dir, "keystore.json"), "utf8")) as { slots: Record<string, { alg: string; secret: string }> };
    const key = Buffer.from(keystore.slots[PIN_KEY_SLOT].secret, "hex");
    const verifier = Buffer.from(keystore.slots[PIN_VERIFIER_SLOT].secret, "hex");
    assert.equal(keystore.slots[PIN_KEY_SLOT].alg, "hmac-sha256");
    assert.ok(!holds(flash, key) && !holds(memory, key), "the PIN key never leaves the keystore");
    assert.ok(!holds(flash, verifier) && !holds(memory, verifier), "the verifier never leaves the keystore");
    if (lifecycle === "provisioned") {
      assert.ok(record instanceof LinkError && record.details.deviceCode === "unsupported", "store.get refused on a provisioned card");
      // the salt sits in the flash record: find it as the 16 bytes after the tries word of a record with this verifier
      const found = [...Array(flash.length - 20).keys()].some((i) => {
        const salt = flash.subarray(i + 4, i + 20);
        return Buffer.from(hmac(sha256, key, Buffer.concat([salt, pinBytes]))).equals(verifier);
      });
      assert.ok(found, "the verifier is HMAC-SHA-256(K, salt || PIN) with a salt from the store");
    } else {
      assert.ok(record instanceof Uint8Array && record.length === 20, "the PIN record: tries and a 16-byte salt, no verifier");
      assert.equal(record[0], 3, "tries restored by the right PIN");
      const salt = record.subarray(4, 20);
      assert.ok(Buffer.from(hmac(sha256, key, Buffer.concat([salt, pinBytes]))).equals(verifier), "the verifier is HMAC-SHA-256(K, salt || PIN)");
    }
  });
}
