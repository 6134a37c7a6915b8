// The lifecycle record (store key 0x0001, firmware/store/system-keys.ts) moves only through
// device.lock, device.wipe and provisioning: store.put, store.del and store.tx refuse it in
// the states where the store ops are served at all (blank, demo; provisioned and locked
// devices refuse every store op by the op table), and the state stays what it was.
import { test } from "vitest";
import assert from "node:assert/strict";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { SimDevice } from "../../host-tools/src/sim/device.ts";
import { StoreLink } from "../../host-tools/src/torture/store-link.ts";

const LOCKED = Uint8Array.of(3, 0, 0, 0);

for (const [state, blank] of [
  ["blank", true],
  ["demo", false],
] as const) {
  test(`${state}: store.put, store.del and store.tx refuse the lifecycle record; other keys are written`, async () => {
    const device = await SimDevice.create({ board: loadBoard("sim-card"), wasm: firmwarePath("sim-card"), tickMs: 0, seed: 1, blank });
    try {
      const link = new StoreLink(device);
      const stateNow = () => {
        const a = link.call("status");
        return a.kind === "ok" ? a.body.state : a.kind;
      };
      assert.equal(stateNow(), state);
      const attempts = [
        link.call("store.put", { k: 1, v: LOCKED }),
        link.call("store.tx", { w: [0x1000, Uint8Array.of(1), 1, LOCKED] }),
        link.call("store.del", { k: 1 }),
      ];
      for (const a of attempts) {
        assert.equal(a.kind, "error");
        assert.equal(a.kind === "error" && a.code, "unsupported");
        assert.match(a.kind === "error" ? a.msg : "", /lifecycle record/);
      }
      assert.equal(stateNow(), state, "nothing changed the lifecycle");
      const tx = link.call("store.get", { k: 0x1000 });
      assert.equal(tx.kind === "ok" && tx.body.v, null, "the refused transaction landed nothing");
      assert.equal(link.call("store.put", { k: 2, v: LOCKED }).kind, "ok", "the key next to it is an ordinary key");
      device.power("off");
      device.power("on");
      assert.equal(stateNow(), state, "and after a reboot");
    } finally {
      device.close();
    }
  });
}
