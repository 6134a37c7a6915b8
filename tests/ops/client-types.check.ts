// Compile-time checks of the typed op client, run by `npm run typecheck` (tsc), not by the
// test runner: the catalogue's argument and result types reach the call sites, and calls the
// catalogue does not allow do not compile (each @ts-expect-error fails the typecheck if the
// line it guards ever compiles).
import type { OpArgs, OpResult, OpsClient } from "../../host-tools/src/ops/index.ts";

export async function typedCalls(ops: OpsClient): Promise<void> {
  const shown: { v: number; ref: number; scale: number; payload: string } = await ops.qr.amount({ amount: "12.34", timeout: 30 });
  const info = await ops.shell.info();
  const counters: number = info.link.rx + info.store.free + info.mem.pages;
  const stored: Uint8Array | null = (await ops.store.get({ k: 1 })).v;
  const records = (await ops.ndef.parse({ m: new Uint8Array(0) })).records;
  const type: Uint8Array = records[0].type;
  const wallet = await ops.wallet.info();
  const balance: number | undefined = wallet.info.bal;
  const r: Uint8Array = (await ops.nfcTest.apdu({ c: Uint8Array.of(0) })).r;
  await ops.log.level({ level: 3 });
  await ops.device.status();
  await ops.store.tx({ w: [1, new Uint8Array(1), 2, null], c: [0] });
  void [shown, counters, stored, type, balance, r];

  // @ts-expect-error a required argument is missing
  await ops.qr.amount({});
  // @ts-expect-error an argument of the wrong kind
  await ops.store.put({ k: "1", v: new Uint8Array(0) });
  // @ts-expect-error no such argument
  await ops.shell.ping({ date: new Uint8Array(0) });
  // @ts-expect-error no such op
  await ops.qr.amounts({ amount: "1" });
  // @ts-expect-error results are typed: payload is text
  const wrong: number = (await ops.emv.build()).payload;
  void wrong;
}

// Types by wire name, for code that builds requests itself.
export const showArgs: OpArgs<"qr.show"> = { text: "HELLO", scale: 3, partial: true };
export const status: OpResult<"status"> = { demo: false, mode: "plaque", board: "sim-plaque", state: "blank" };
