// The demo run behind `tapkit demo` (npm start): the main job end to end on a simulated
// board — boot the firmware in the board shell, open its serial port like a USB-serial
// adapter, exchange versions, then do what a shop counter does: a phone scans the static
// merchant QR code (decoded from the panel image), taps the NFC tag twice (dynamic SUN URLs,
// verified with the demo keys, counter rising), and a POS asks for a 12.34 payment code.
import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../boards/index.ts";
import { buildFirmware } from "../build/index.ts";
import { startSimulator } from "../sim/run.ts";
import type { SimDevice } from "../sim/device.ts";
import { DeviceClient, type Framebuffer } from "../device/client.ts";
import { nfcTestPath } from "../device/nfc-path.ts";
import { haveSocat } from "../bench/throughput.ts";
import { bitmapToPng } from "../raster/framebuffer.ts";
import { decodeBitmapWithJsqr } from "../qr/decoders.ts";
import { requestAmount, showStaticCode } from "../qr/payment-client.ts";
import { parsePayload } from "../emv/mpm.ts";
import { decodeMessage, describeRecord, readNdefType4 } from "../ndef/index.ts";
import { verifySun } from "../verify/index.ts";
import { firmwarePath } from "../paths.ts";
import { toHex } from "../bytes/hex.ts";

export const DEMO_AMOUNT = "12.34";
/** Keystore slots of the demo SUN keys (docs/nfc.md): meta-read key and file key. */
const SUN_META_SLOT = 2;
const SUN_FILE_SLOT = 3;

export interface ScannedCode {
  png: string;
  decoded: boolean;
  merchant?: string;
  city?: string;
  amount?: string;
  initiation?: string;
  payload?: string;
}

export interface Tap {
  url: string;
  uid?: string;
  counter?: number;
  verified: boolean;
  reason?: string;
}

export interface DemoOptions {
  /** simulated board (default sim-plaque) */
  board?: string;
  /** where to save the panel image; the amount code goes next to it with -amount */
  png?: string;
  /** progress for people */
  onStatus?: (text: string) => void;
}

export interface DemoRun {
  /** what the demo saw, as `tapkit demo --json` prints it */
  report: {
    port: string;
    hello: DeviceClient["hello"];
    info: Awaited<ReturnType<DeviceClient["info"]>>;
    app: Awaited<ReturnType<DeviceClient["appStatus"]>>;
    staticCode: ScannedCode | null;
    taps: Tap[];
    amountCode: ScannedCode | null;
    link: DeviceClient["session"]["stats"];
  };
  /** the last panel frame (amount code, else the static one), or null on boards without a panel */
  panel: Framebuffer | null;
  /** every code decoded and every tap verified */
  passed: boolean;
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoRun> {
  const status = opts.onStatus ?? (() => {});
  const board = loadBoard(opts.board ?? "sim-plaque");
  if (!existsSync(firmwarePath(board.name))) await buildFirmware(board, { quiet: true });
  const usePty = haveSocat();
  if (!usePty) status("NOTE: socat is not installed (apt-get install socat); using the simulator's TCP port instead of a serial pty");
  const pty = usePty ? join(tmpdir(), `tapkit-demo-${process.pid}`) : false;
  const sim = await startSimulator({ board, wasmPath: firmwarePath(board.name), pty, tcpPort: 0, baud: board.link.baud });
  try {
    const port = pty || `tcp:127.0.0.1:${sim.ports.tcp}`;
    status(`simulated ${board.name} is up; opening ${port} at ${board.link.baud} baud`);
    const device = await DeviceClient.connect(port, { baud: board.link.baud });
    try {
      const info = await device.info();
      const app = await device.appStatus();
      const plaque = app.mode === "plaque" && board.display !== undefined;
      const pngFile = opts.png ?? "demo-panel.png";

      status("a phone scans the panel ...");
      const staticFb = board.display ? await device.framebuffer() : null;
      const staticCode = staticFb ? scan(staticFb, pngFile) : null;

      status("a phone taps the NFC tag, twice ...");
      const taps = [await tap(device, sim.device), await tap(device, sim.device)];

      let amountCode: ScannedCode | null = null;
      let amountFb: Framebuffer | null = null;
      if (plaque) {
        status(`the POS asks for a ${DEMO_AMOUNT} payment code ...`);
        await requestAmount(device, DEMO_AMOUNT, { bill: "DEMO-1" });
        amountFb = await device.framebuffer();
        amountCode = scan(amountFb, pngFile.replace(/(\.png)?$/i, "-amount.png"));
        await showStaticCode(device);
      }
      const report = { port, hello: device.hello, info, app, staticCode, taps, amountCode, link: device.session.stats };
      const passed = (staticCode?.decoded ?? true) && taps.every((t) => t.verified) && (amountCode?.decoded ?? true);
      return { report, panel: amountFb ?? staticFb, passed };
    } finally {
      await device.close();
    }
  } finally {
    await sim.stop();
  }
}

/** Saves the panel as PNG and decodes it as a phone would (jsQR), then reads the EMV fields. */
function scan(fb: Framebuffer, png: string): ScannedCode {
  writeFileSync(png, bitmapToPng(fb, 2));
  const bytes = decodeBitmapWithJsqr(fb);
  if (!bytes) return { png, decoded: false };
  const payload = new TextDecoder().decode(bytes);
  try {
    const parsed = parsePayload(payload);
    const field = (id: string) => parsed.objects.find((o) => o.id === id)?.value;
    return { png, decoded: true, merchant: field("59"), city: field("60"), amount: field("54"), initiation: parsed.initiation, payload };
  } catch {
    return { png, decoded: true, payload };
  }
}

/** One tap: a new field, the Type 4 NDEF read a phone makes, and the SUN check a backend makes. */
async function tap(device: DeviceClient, sim: SimDevice): Promise<Tap> {
  const nfc = nfcTestPath(device);
  await nfc.newTap();
  const read = await readNdefType4((a) => nfc.apdu(a));
  const first = decodeMessage(read.message).map(describeRecord)[0];
  const url = first?.kind === "uri" ? first.uri : "";
  if (!url) return { url: "(no URI record)", verified: false, reason: "the tag holds no URI record" };
  const q = new URL(url).searchParams;
  const picc = q.get("p");
  const mac = q.get("c");
  if (!picc || !mac) return { url, verified: false, reason: "not a SUN URL (no p= and c=)" };
  try {
    const r = verifySun({
      picc: Buffer.from(picc, "hex"),
      mac: Buffer.from(mac, "hex"),
      metaKey: sim.keystore.demoSecret(SUN_META_SLOT),
      fileKey: sim.keystore.demoSecret(SUN_FILE_SLOT),
    });
    return { url, uid: toHex(r.uid), counter: r.counter, verified: true };
  } catch (e) {
    return { url, verified: false, reason: (e as Error).message };
  }
}
