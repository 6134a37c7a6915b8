// The capability table of docs/security.md, enforced: a card is walked through every
// lifecycle state (blank -> provisioned by wallet.provision with its own key -> locked by
// device.lock -> blank again by a confirmed device.wipe), and in each state every op of the
// catalogue is either refused with `unsupported` naming the state or served, exactly as the
// catalogue's states say. The wipe replaces the keys and deletes the records; the state
// survives reboots; a wipe without the phrase leaves a locked card untouched.
import assert from "node:assert/strict";
import { test } from "vitest";
import type { OPS, LifecycleState } from "../../host-tools/src/ops/index.ts";
import { statesOn } from "../../host-tools/src/ops/schema.ts";
import { servedBy } from "../../host-tools/src/build/op-table.ts";
import { StoreLink } from "../../host-tools/src/torture/store-link.ts";
import { provisionOverLink } from "../../host-tools/src/wallet/index.ts";
import { cardRig } from "../wallet/card-fixture.ts";
import { ENVELOPE, testIssuer } from "../wallet/wallet-fixture.ts";
import { ALG_ED25519 } from "../../host-tools/src/sim/keystore.ts";

// Ops that reboot or change the state are exercised on purpose below, not in the sweep.
const STEPS = new Set(["reset", "device.wipe", "device.lock"]);

/** Every other card op with no arguments: refused for the state, or not (served; bad-arg counts as served). */
function sweep(link: StoreLink, state: LifecycleState): string[] {
  const wrong: string[] = [];
  for (const op of servedBy("card").filter((o) => !STEPS.has(o.name))) {
    const a = link.callByName(op.name as (typeof OPS)[number]["name"], {});
    assert.notEqual(a.kind, "lost", `${op.name}: no answer in ${state}`);
    const refused = a.kind === "error" && a.code === "unsupported" && a.msg === `device is ${state}: op not served in this lifecycle state`;
    if (refused === statesOn(op, "card").includes(state)) wrong.push(`${op.name} ${refused ? "refused" : "served"} in ${state}`);
  }
  return wrong;
}

test("a card in each lifecycle state serves exactly the ops the catalogue lists for it; lock and wipe move it", async (t) => {
  const { device, client } = await cardRig(t, 5, true);
  const link = new StoreLink(device);
  const state = () => link.must("status").state;
  assert.equal(state(), "blank");
  assert.deepEqual(sweep(link, "blank"), []);
  const early = link.call("device.lock");
  assert.deepEqual(early.kind === "error" && [early.code, early.msg], ["unsupported", "device is blank: op not served in this lifecycle state"]);

  // A factory key, then the issuer's provisioning: the same transaction makes it provisioned.
  device.keystore.generate(0, ALG_ED25519, { label: "device key (test factory)" });
  await provisionOverLink(client, testIssuer(), { pin: "1234", balance: 1_000, currency: "EUR", limits: ENVELOPE });
  assert.equal(state(), "provisioned");
  device.power("off");
  device.power("on");
  assert.equal(state(), "provisioned", "the state is on flash");
  assert.deepEqual(sweep(link, "provisioned"), []);
  const pub = device.keystore.publicKey(0);

  assert.deepEqual(link.must("device.lock"), { state: "locked" });
  assert.equal(state(), "locked");
  assert.deepEqual(sweep(link, "locked"), []);
  for (const confirm of [undefined, "", "wipe", "WIPE LOCKED DEVICE", "wipe locked device "]) {
    const a = link.call("device.wipe", confirm === undefined ? {} : { confirm });
    assert.ok(a.kind === "error" && a.code === "bad-arg" && a.msg.startsWith("confirm:"), `wipe with ${JSON.stringify(confirm)}: ${JSON.stringify(a)}`);
  }
  device.power("off");
  device.power("on");
  assert.equal(state(), "locked", "locked survives a reboot and a refused wipe");

  const keysBefore = link.must("info").store.keys;
  assert.ok(keysBefore > 5);
  assert.deepEqual(link.must("device.wipe", { confirm: "wipe locked device" }), { state: "blank" });
  device.tickNow(); // the answer is out: the device reboots
  assert.equal(state(), "blank");
  assert.equal(link.must("info").store.keys, 1, "only the lifecycle record is left");
  assert.notDeepEqual(device.keystore.publicKey(0), pub, "the device key was replaced");
  assert.deepEqual(link.must("wallet.info").chain, [], "the wallet is gone (no certificate chain)");
  assert.deepEqual(sweep(link, "blank"), []);
});

test("a demo card serves the bench ops; a wipe leaves it blank for good, even when booted as demo again", async (t) => {
  const { device } = await cardRig(t, 6);
  const link = new StoreLink(device);
  assert.equal(link.must("status").state, "demo");
  assert.deepEqual(sweep(link, "demo"), []);
  link.must("store.put", { k: 0x0900, v: Uint8Array.of(1, 2, 3) });
  assert.deepEqual(link.must("device.wipe"), { state: "blank" });
  device.tickNow();
  assert.deepEqual(link.must("status"), { demo: false, mode: "card", board: "sim-card", state: "blank" });
  assert.equal(link.must("store.get", { k: 0x0900 }).v, null);
  device.power("off");
  device.power("on");
  assert.equal(link.must("status").state, "blank");
});

test("a power cut anywhere in a wipe leaves the card as it was or wiped, never half wiped: the boot finishes a wipe it finds begun", async (t) => {
  const seen = new Set<string>();
  for (let op = 1; op <= 14; op++) {
    for (const phase of ["before", "during", "after"] as const) {
      const { device } = await cardRig(t, 7);
      const link = new StoreLink(device);
      for (let k = 0; k < 6; k++) link.must("store.put", { k: 0x0900 + k, v: Uint8Array.of(k, k, k) });
      device.flash.cutPowerAt({ op, phase });
      link.callByName("device.wipe", {});
      device.power("off");
      device.power("on");
      device.tickNow();
      const state = link.must("status").state;
      const left = [0, 1, 2, 3, 4, 5].filter((k) => link.must("store.get", { k: 0x0900 + k }).v !== null).length;
      const outcome = `${state} with ${left} of 6 records`;
      assert.ok(outcome === "demo with 6 of 6 records" || outcome === "blank with 0 of 6 records", `cut at op ${op} ${phase}: ${outcome}`);
      seen.add(state);
      device.close();
    }
  }
  assert.deepEqual([...seen].sort(), ["blank", "demo"], "cuts before the wiping record keep the card, later ones end wiped");
});
