// Per-tap NFC costs of a firmware build, deterministic: Wasm instructions (instrumented copy,
// docs/instruction-counting.md) and HAL calls for each APDU of Android's read procedure on a
// SUN tag (SELECT app, SELECT CC, READ CC, SELECT NDEF, READ NLEN, READ body = 3 SELECTs +
// 3 READs), the same for a signed tag, and a static read. Keystore work runs in the board
// shell, so instructions here are the firmware's own (tag logic + the store's counter).
import { readFileSync } from "node:fs";
import type { Board } from "../boards/board.ts";
import { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";
import { DeviceClient } from "../device/client.ts";
import { parseHex } from "../bytes/hex.ts";
import { buildTapTemplate, setTag, encodeMessage, uriRecord } from "../ndef/index.ts";
import { COUNTER_EXPORT, instrumentForCounting } from "./instrument.ts";

export interface ApduCost {
  step: string;
  instructions: number;
  halCalls: Record<string, number>;
}

export interface TapCost {
  mode: "sun" | "signed" | "static";
  steps: ApduCost[];
  instructions: number;
  keystoreCalls: Record<string, number>;
}

export interface NfcCosts {
  board: string;
  /** SELECT of the NDEF application */
  select: number;
  /** READ BINARY of the 15-byte CC */
  read: number;
  taps: TapCost[];
  /** the budget for a full SUN tap outside the keystore */
  sunTapTarget: number;
  sunTapMet: boolean;
}

const STEPS: [string, string][] = [
  ["SELECT app", "00A4040007D276000085010100"],
  ["SELECT CC", "00A4000C02E103"],
  ["READ CC", "00B000000F"],
  ["SELECT NDEF", "00A4000C02E104"],
  ["READ NLEN", "00B0000002"],
];

export async function measureNfcCosts(board: Board, wasmPath: string): Promise<NfcCosts> {
  const device = await SimDevice.create({ board, wasm: instrumentForCounting(readFileSync(wasmPath)), tickMs: 0, seed: 1 });
  const client = await DeviceClient.over(inProcessTransport(device));
  try {
    const counter = device.firmware?.[COUNTER_EXPORT] as WebAssembly.Global;
    const measure = (step: string, apdu: Uint8Array): ApduCost => {
      const before = new Map(device.importCalls);
      counter.value = 0n;
      device.nfcApdu(apdu);
      const halCalls: Record<string, number> = {};
      for (const [name, n] of device.importCalls) if (n - (before.get(name) ?? 0)) halCalls[name] = n - (before.get(name) ?? 0);
      return { step, instructions: Number(counter.value as bigint), halCalls };
    };
    const tap = async (mode: TapCost["mode"]): Promise<TapCost> => {
      device.field(false);
      const steps = STEPS.map(([s, h]) => measure(s, parseHex(h)));
      const nlen = device.nfcApdu(parseHex("00B0000002"));
      const len = Math.min(255, (nlen[0] << 8) | nlen[1]);
      steps.push(measure("READ body", Uint8Array.from([0x00, 0xb0, 0x00, 0x02, len])));
      const keystoreCalls: Record<string, number> = {};
      for (const s of steps)
        for (const [name, n] of Object.entries(s.halCalls))
          if (name.startsWith("ks_") || name === "random") keystoreCalls[name] = (keystoreCalls[name] ?? 0) + n;
      return { mode, steps, instructions: steps.reduce((a, s) => a + s.instructions, 0), keystoreCalls };
    };
    const taps: TapCost[] = [];
    await setTag(client, buildTapTemplate({ url: "https://pay.example.com/t?p={picc}&c={mac}", aar: "com.example.pay" }));
    await tap("sun"); // the first tap allocates the store's counter block; measure a steady one
    taps.push(await tap("sun"));
    await setTag(client, buildTapTemplate({ url: "https://pay.example.com/s?m=shop-42&a=12.50&n={ctr}&t={time}&s={sig}" }));
    await tap("signed");
    taps.push(await tap("signed"));
    await setTag(client, { m: encodeMessage([uriRecord("https://pay.example.com/m/12345")]), mode: 0 });
    taps.push(await tap("static"));
    const sun = taps[0];
    return {
      board: board.name,
      select: sun.steps[0].instructions,
      read: sun.steps[2].instructions,
      taps,
      sunTapTarget: 20000,
      sunTapMet: sun.instructions <= 20000,
    };
  } finally {
    await client.close();
    device.close();
  }
}
