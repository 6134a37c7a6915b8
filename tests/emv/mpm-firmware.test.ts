// The firmware's EMV builder and profile checks against the host library and the hand-built
// vectors: merchant.set + emv.build must reproduce HAND_STATIC / HAND_DYNAMIC byte for byte,
// agree with the host builder on random profiles and requests (and the host parser must
// accept them), reject what the host rejects naming the same field, keep the profile in the
// store across a power cycle, and take references from the store's counter 2.
import { test } from "vitest";
import assert from "node:assert/strict";
import { CHANNEL } from "../../host-tools/src/link/index.ts";
import { DeviceClient } from "../../host-tools/src/device/client.ts";
import { inProcessTransport } from "../../host-tools/src/sim/in-process-transport.ts";
import { accountsText, buildPayload, parsePayload, type MerchantProfile } from "../../host-tools/src/emv/mpm.ts";
import { HAND_DYNAMIC, HAND_PROFILE, HAND_STATIC } from "./vectors.ts";
import { plaque, rng } from "../qr/qr-fixture.ts";

function profileArgs(p: MerchantProfile): Record<string, string> {
  const args: Record<string, string> = { name: p.name, city: p.city, country: p.country, currency: p.currency, mcc: p.mcc, accounts: accountsText(p.accounts) };
  if (p.postal) args.postal = p.postal;
  return args;
}

test("firmware builds the hand-verified static and dynamic payloads", async (t) => {
  const { client } = await plaque(t);
  const app = (op: string, args = {}) => client.session.request(CHANNEL.APP, op, args);
  await app("merchant.set", profileArgs(HAND_PROFILE));
  assert.equal((await app("emv.build")).payload, HAND_STATIC);
  assert.equal((await app("emv.build", { amount: "10.50", bill: "A-1", ref: 7 })).payload, HAND_DYNAMIC);
  const got = await app("merchant.get");
  assert.deepEqual(
    [got.name, got.city, got.country, got.currency, got.mcc, got.accounts],
    [HAND_PROFILE.name, HAND_PROFILE.city, "BR", "986", "0000", accountsText(HAND_PROFILE.accounts)],
  );
});

test("firmware and host builders agree on random profiles and requests", async (t) => {
  const { client } = await plaque(t);
  const r = rng(54);
  const word = (n: number) =>
    Array.from({ length: 1 + Math.floor(r() * n) }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789.-&"[Math.floor(r() * 40)])
      .join("")
      .trim() || "X";
  for (let i = 0; i < 60; i++) {
    const ids = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => 26 + Math.floor(r() * 26)))];
    const p: MerchantProfile = {
      name: word(25),
      city: word(15),
      country: "SG",
      currency: String(Math.floor(r() * 1000)).padStart(3, "0"),
      mcc: String(Math.floor(r() * 10000)).padStart(4, "0"),
      postal: r() < 0.3 ? word(10) : undefined,
      accounts: ids.map((id) => ({ id, gui: word(20).replace(/ /g, "."), fields: { "01": word(30) } })),
    };
    await client.session.request(CHANNEL.APP, "merchant.set", profileArgs(p));
    const amount = r() < 0.6 ? `${1 + Math.floor(r() * 99999)}${r() < 0.5 ? "." + String(Math.floor(r() * 100)).padStart(2, "0") : ""}` : undefined;
    const bill = amount && r() < 0.5 ? word(25) : undefined;
    const reference = amount ? 1 + Math.floor(r() * 1e6) : undefined;
    const args: Record<string, unknown> = {};
    if (amount) args.amount = amount;
    if (bill) args.bill = bill;
    if (reference) args.ref = reference;
    const fw = (await client.session.request(CHANNEL.APP, "emv.build", args)).payload as string;
    assert.equal(fw, buildPayload(p, { amount, bill, reference }), `case ${i}`);
    assert.equal(parsePayload(fw).initiation, amount ? "dynamic" : "static");
  }
});

test("firmware rejects malformed profiles and amounts, naming the field", async (t) => {
  const { client } = await plaque(t);
  const reject = async (op: string, args: Record<string, unknown>, field: string) => {
    await assert.rejects(client.session.request(CHANNEL.APP, op, args), (e: any) => {
      assert.match(String(e.message), /bad-arg/);
      assert.ok(String(e.message).includes(field), `${e.message} should name ${field}`);
      return true;
    });
  };
  const ok = profileArgs(HAND_PROFILE);
  await reject("merchant.set", { ...ok, name: "N".repeat(26) }, "name (59)");
  await reject("merchant.set", { ...ok, city: "C".repeat(16) }, "city (60)");
  await reject("merchant.set", { ...ok, country: "br" }, "country (58)");
  await reject("merchant.set", { ...ok, currency: "ZZZ" }, "currency (53)");
  await reject("merchant.set", { ...ok, currency: "eur" }, "currency (53)");
  await reject("merchant.set", { ...ok, mcc: "581" }, "mcc (52)");
  await reject("merchant.set", { ...ok, accounts: "" }, "accounts (02-51)");
  await reject("merchant.set", { ...ok, accounts: "26080104ABCD" }, "must start with 00 GUID");
  await reject("merchant.set", { ...ok, accounts: "2699" }, "malformed");
  await reject("merchant.set", { ...ok, accounts: "52040000" }, "02-51");
  await client.session.request(CHANNEL.APP, "merchant.set", ok);
  for (const amount of ["0", "0.00", "012", "1.234", "1,50", "1234567890123.5", ""]) await reject("emv.build", { amount }, "amount (54)");
  await reject("emv.build", { amount: "1", bill: "B".repeat(26) }, "bill (62/01)");
});

test("profile survives a power cycle; dynamic references come from store counter 2", async (t) => {
  const { device, client } = await plaque(t);
  await client.session.request(CHANNEL.APP, "merchant.set", profileArgs(HAND_PROFILE));
  const a = await client.session.request(CHANNEL.APP, "qr.amount", { amount: "1.00" });
  const b = await client.session.request(CHANNEL.APP, "qr.amount", { amount: "2.00" });
  assert.equal(b.ref, (a.ref as number) + 1);
  device.power("off");
  device.power("on");
  const again = await DeviceClient.over(inProcessTransport(device));
  t.onTestFinished(() => again.close());
  const got = await again.session.request(CHANNEL.APP, "merchant.get");
  assert.equal(got.name, HAND_PROFILE.name);
  const c = await again.session.request(CHANNEL.APP, "qr.amount", { amount: "3.00" });
  assert.ok((c.ref as number) > (b.ref as number), `reference ${c.ref} after ${b.ref} across the power cycle`);
  assert.equal(parsePayload(c.payload as string).templates["62"].find((o) => o.id === "05")?.value, `TK${c.ref}`);
});
