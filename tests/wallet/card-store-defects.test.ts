// Issue 16, finding 1, once an expected failure, now a regression: on a provisioned card any
// link client could read and rewrite the wallet's store records with the generic store ops.
// The attack, end to end on the built card firmware: read the PIN record (it was an unsalted
// SHA-256 of the PIN: 4-8 digits fall to brute force at once), unblock a blocked PIN by
// rewriting its tries, and mint money by rewriting sub-wallet 0's balance and rebooting. Fixed
// by the lifecycle op table (store.* served in blank and demo only, docs/security.md) and the
// PIN verifier in the keystore (firmware/wallet/wallet-pin.ts). The test states what must
// hold: none of it works, and each refusal names the state.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CHANNEL, LinkError } from "../../host-tools/src/link/index.ts";
import { provisioned } from "./card-fixture.ts";
import { testIssuer } from "./wallet-fixture.ts";
import { test } from "vitest";

const KEY_PIN = 0x0303;
const KEY_SUB_FIRST = 0x0310;
const SUB_BALANCE = 4;

test("a provisioned card gives no link client its PIN verifier, tries or balance records [finding 1: store.get/put/del were served on provisioned cards]", async (t) => {
  const { client, card, device } = await provisioned(t, testIssuer(), { lifecycle: "provisioned" });
  assert.equal((await client.ops.device.status()).state, "provisioned");
  const raw = (op: string, args: Record<string, unknown>) =>
    client.session.request(CHANNEL.APP, op, args).then(
      (r) => r,
      (e: LinkError) => e,
    );
  const outcome = { pinHashRead: false, blockedPinUnblocked: false, balanceRaised: false };

  // 1. The PIN verifier is readable and is SHA-256("1234").
  const pin = await raw("store.get", { k: KEY_PIN });
  const sha = createHash("sha256").update("1234").digest();
  outcome.pinHashRead = !(pin instanceof LinkError) && Buffer.from(pin.v as Uint8Array).equals(sha);

  // 2. Block the PIN with three wrong tries, then rewrite the tries record.
  for (let i = 0; i < 3; i++) await card.verifyPin("0000").catch(() => {});
  const put = await raw("store.put", { k: KEY_PIN, v: Uint8Array.of(3) });
  assert.ok(put instanceof LinkError && put.details.deviceCode === "unsupported", "store.put refused");
  assert.match(put.details.deviceMsg ?? "", /^device is provisioned:/);
  assert.match(put.hint ?? "", /wallet's own commands/);
  outcome.blockedPinUnblocked = await card.verifyPin("1234").then(
    () => true,
    () => false,
  );

  // 3. Rewrite sub-wallet 0's balance to 50,000 and reboot.
  const sub = await raw("store.get", { k: KEY_SUB_FIRST });
  if (!(sub instanceof LinkError) && sub.v instanceof Uint8Array) {
    const forged = Uint8Array.from(sub.v);
    new DataView(forged.buffer).setUint32(SUB_BALANCE, 50_000, true);
    await raw("store.put", { k: KEY_SUB_FIRST, v: forged });
  }
  device.power("off");
  device.power("on");
  await card.select();
  outcome.balanceRaised = (await card.balances())[0].balance === 50_000;

  assert.deepEqual(outcome, { pinHashRead: false, blockedPinUnblocked: false, balanceRaised: false }, `the attack worked: ${JSON.stringify(outcome)}`);
});
