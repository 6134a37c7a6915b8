// One simulated board for the fuzzing campaign: the built firmware, instrumented to count the
// Wasm instructions each input executes (docs/instruction-counting.md), in the reference
// board shell (SimDevice) with a virtual clock and fixed keys, so a seed replays exactly.
// Link frames are built with the paper's COBS, zlib's CRC-32 and cborg (the firmware tests'
// harness), not the host link library. Set-up states, as the lifecycle states of
// docs/security.md: demo (as shipped to a developer), provisioned (fixed keys; card wallet
// certified, plaque with merchant profile and acceptor), locked (provisioned, then device.lock),
// blank (no keys, no demo).
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { encode as cborgEncode } from "cborg";
import { loadBoard } from "../../host-tools/src/boards/index.ts";
import { firmwarePath } from "../../host-tools/src/paths.ts";
import { certifyIdentity } from "../../host-tools/src/provision/device-identity.ts";
import { SimDevice, type ResetReason } from "../../host-tools/src/sim/device.ts";
import { ALG_AES128, ALG_ED25519, ALG_P256 } from "../../host-tools/src/sim/keystore.ts";
import { accountsText } from "../../host-tools/src/emv/mpm.ts";
import {
  certifyDevice,
  COSE_ALG_EDDSA,
  issueCertificate,
  ROLE_BATCH,
  signerFromSecret,
  walletProvisionArgs,
  type IssuerFiles,
} from "../../host-tools/src/wallet/index.ts";
import { parseDeviceFrame, type DeviceFrame } from "./oracle.ts";

export type BoardName = "sim-plaque" | "sim-card";
export type SetupState = "demo" | "provisioned" | "locked" | "blank";

export const ENVELOPE = { maxBalance: 50_000, perPayment: 2_000, cumulative: 5_000, maxCount: 10 };
export const PIN = "1234";
export const PAYEE = "shop-42";

/** The campaign's issuer: fixed keys, so certificates and signatures are the same every run. */
export function fuzzIssuer(): IssuerFiles {
  const root = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x11));
  const batch = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(0x22));
  return { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey }) };
}

export const MERCHANT = {
  name: "FUZZ CAFE",
  city: "LISBOA",
  country: "PT",
  currency: "978",
  mcc: "5812",
  accounts: accountsText([
    { id: 26, gui: "PT.EXAMPLE.PAY", fields: { "01": "123" } },
    { id: 29, gui: "A000000677010111", fields: { "01": "0066812345678" } },
  ]),
};

const instrumented = new Map<BoardName, Uint8Array>();

/**
 * The board's build (npm run build), instrumented to count instructions. Kept next to the
 * build, named by the build's hash, since loading binaryen takes seconds per thread.
 */
export async function firmwareFor(board: BoardName): Promise<Uint8Array> {
  let w = instrumented.get(board);
  if (w) return w;
  const plain = readFileSync(firmwarePath(board));
  const cached = join(dirname(firmwarePath(board)), `firmware.icount-${createHash("sha256").update(plain).digest("hex").slice(0, 16)}.wasm`);
  if (existsSync(cached)) w = readFileSync(cached);
  else {
    const { instrumentForCounting } = await import("../../host-tools/src/bench/instrument.ts");
    w = instrumentForCounting(plain);
    writeFileSync(`${cached}.${process.pid}.tmp`, w);
    renameSync(`${cached}.${process.pid}.tmp`, cached);
  }
  instrumented.set(board, w);
  return w;
}

// Frames are built with the firmware tests' outside oracles (the paper's COBS, zlib's CRC-32).
export { rawFrame, wire } from "../../tests/firmware/firmware-harness.ts";
import { rawFrame, wire } from "../../tests/firmware/firmware-harness.ts";

export function encodeBody(body: unknown): Uint8Array {
  return cborgEncode(body);
}

export interface Measured {
  /** Wasm instructions the input executed (0 when the device rebooted) */
  insns: number;
  /** set when the input made the device reboot: trap, panic, reset */
  reset: ResetReason | null;
  /** an exception the shell raised (e.g. SIM_NFC_BAD_RESPONSE) */
  error: Error | null;
}

export class Rig {
  clock = 1;
  private uart: number[] = [];
  private constructor(
    readonly device: SimDevice,
    readonly board: BoardName,
    readonly state: SetupState,
  ) {
    device.on("uart", (b: Uint8Array) => {
      for (const x of b) this.uart.push(x);
    });
  }

  get card(): boolean {
    return this.board === "sim-card";
  }

  /** `prepare` runs before the set-up, while the bench ops a target needs (personality, tag.set) are served. */
  static async boot(board: BoardName, state: SetupState, seed: number, prepare?: (rig: Rig) => void): Promise<Rig> {
    let rig: Rig | null = null;
    const device = await SimDevice.create({
      board: loadBoard(board),
      wasm: await firmwareFor(board),
      tickMs: 0,
      seed,
      now: () => rig?.clock ?? 0,
      trustedTime: false,
      blank: state !== "demo",
    });
    rig = new Rig(device, board, state);
    if (state !== "blank") {
      device.keystore.import(0, ALG_ED25519, new Uint8Array(32).fill(0x30));
      device.keystore.import(1, ALG_P256, new Uint8Array(32).fill(0x31));
      device.keystore.import(2, ALG_AES128, new Uint8Array(16).fill(0x32));
      device.keystore.import(3, ALG_AES128, new Uint8Array(16).fill(0x33));
    }
    prepare?.(rig);
    if (state === "provisioned" || state === "locked") rig.provision();
    if (state === "locked") rig.call(1, "device.lock");
    rig.frames();
    return rig;
  }

  /** Card: certify the device key and provision the wallet; plaque: merchant profile and acceptor. */
  private provision(): void {
    const issuer = fuzzIssuer();
    if (this.card) {
      const info = this.call(1, "wallet.info", { slot: 0 });
      const chain = certifyDevice(issuer, (info.body.info as { pub: Uint8Array }).pub, "EUR", ENVELOPE);
      this.call(1, "wallet.provision", walletProvisionArgs(chain, { pin: PIN, balance: 20_000, currency: "EUR", limits: ENVELOPE }));
    } else {
      this.call(1, "merchant.set", MERCHANT);
      this.call(1, "acceptor.setup", { root: issuer.root.publicKey, payee: PAYEE, cur: "EUR" });
      // Device provisioning as tapkit provision does it (issue 10): keys made in the keystore,
      // then serial, UID and chain in one transaction, which moves blank -> provisioned.
      const keys = this.call(1, "identity.keygen").body as { pub: Uint8Array };
      const uid = Uint8Array.of(0x04, 0xf0, 0x22, 0x33, 0x44, 0x55, 0x66);
      const chain = certifyIdentity(issuer, keys.pub, { batch: "fuzz", serial: 1, uid: "04F02233445566" }, { currency: "EUR", limits: ENVELOPE });
      this.call(1, "identity.set", { serial: 1, uid, chain });
      this.device.power("off");
      this.device.power("on");
    }
    const state = this.call(1, "status").body.state;
    if (state !== "provisioned") throw new Error(`fuzz set-up: ${this.board} is ${String(state)}, not provisioned`);
  }

  /** A set-up request that must succeed. */
  call(channel: number, op: string, args: Record<string, unknown> = {}): DeviceFrame {
    this.frames();
    this.device.receive(wire(rawFrame(0x10 | channel, 0, 0x7000 + (this.clock & 0xfff), encodeBody({ op, ...args }))));
    const got = this.frames().filter((f): f is DeviceFrame => !(f instanceof Error) && f.flags !== 4);
    if (got.length !== 1 || got[0].flags !== 1) throw new Error(`set-up ${op} on ${this.board} failed: ${JSON.stringify(got.map((f) => f.body))}`);
    return got[0];
  }

  private icount(): bigint {
    const fw = this.device.firmware as unknown as { __tk_icount?: WebAssembly.Global } | null;
    return (fw?.__tk_icount?.value as bigint | undefined) ?? 0n;
  }

  /** Runs one input against the device: instructions executed, reboot, shell error. */
  measure(fn: () => void): Measured {
    this.clock += 1;
    const boots = this.device.boots;
    const fw = this.device.firmware;
    const before = this.icount();
    let error: Error | null = null;
    try {
      fn();
    } catch (e) {
      error = e as Error;
    }
    const rebooted = this.device.boots !== boots || this.device.firmware !== fw;
    return { insns: rebooted ? 0 : Number(this.icount() - before), reset: rebooted ? this.device.lastResetReason : null, error };
  }

  /** Frames the device sent since the last call; a frame that does not decode is returned as an Error. */
  frames(): (DeviceFrame | Error)[] {
    const out: (DeviceFrame | Error)[] = [];
    let start = 0;
    for (let i = 0; i < this.uart.length; i++) {
      if (this.uart[i] !== 0) continue;
      if (i > start) {
        try {
          out.push(parseDeviceFrame(Uint8Array.from(this.uart.slice(start, i))));
        } catch (e) {
          out.push(e as Error);
        }
      }
      start = i + 1;
    }
    this.uart = this.uart.slice(start);
    return out;
  }

  close(): void {
    this.device.close();
  }
}
