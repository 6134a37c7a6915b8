// The check before the lock, done the way users meet the device (docs/provisioning.md,
// Verify): a phone's tap (Type 4 NDEF read, then the SUN check a backend makes with only the
// batch master keys: meta key decrypts the UID and counter, the UID diversifies the file key),
// the panel decoded by two independent decoders (jsQR and zbarimg), and the device's
// certificate chain checked against the pinned root alone.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../bytes/hex.ts";
import type { DeviceClient } from "../device/client.ts";
import { nfcTestPath } from "../device/nfc-path.ts";
import { parsePayload } from "../emv/mpm.ts";
import { TapkitError } from "../errors/index.ts";
import { decodeMessage, describeRecord, readNdefType4 } from "../ndef/index.ts";
import { decodeBitmapWithJsqr, decodeWithZbar, zbarAvailable } from "../qr/decoders.ts";
import { bitmapToPng } from "../raster/framebuffer.ts";
import { decryptPiccData, verifySun } from "../verify/sun.ts";
import { bytesEqual } from "../cose/det-cbor.ts";
import { keyId } from "../cose/sig-alg.ts";
import { verifyChain } from "../wallet/certificate.ts";
import { tagKey, type BatchContext } from "./provision-device.ts";

export interface UserCheck {
  summary: string;
  kid: string;
  /** null when the device was already locked (a resumed run finishing its records) */
  tap: { url: string; uid: string; counter: number } | null;
  panel: { payload: string; merchant: string | null; decoders: string[] } | null;
  chain: { root: string; batch: string; device: string };
}

const fail = (what: string, why: string) =>
  new TapkitError("VERIFY_FAILED", `verification failed: ${what}: ${why}`, "the device is left unlocked; fix the cause and run again (the run resumes)");

/** Query parameter names of {picc} and {mac} in the manifest's URL template. */
function sunParams(template: string): { picc: string; mac: string } {
  const q = new URL(template.replace(/\{(\w+)\}/g, "__$1__")).searchParams;
  let picc = "";
  let mac = "";
  for (const [k, v] of q) {
    if (v === "__picc__") picc = k;
    if (v === "__mac__") mac = k;
  }
  if (!picc || !mac) throw fail("tag", "the manifest's URL has no {picc} and {mac} query parameters to verify");
  return { picc, mac };
}

async function readTap(client: DeviceClient, batch: BatchContext, device: { uid: Uint8Array }): Promise<NonNullable<UserCheck["tap"]>> {
  const m = batch.manifest;
  // Tap: a new field, the NDEF read a phone makes, then the backend's SUN check.
  const nfc = nfcTestPath(client);
  // A new RF field where the link may still raise one (blank/demo bench devices); a
  // provisioned device refuses the test-only field op and the read simply starts the tap.
  await nfc.newTap().catch((e: unknown) => {
    if (!(e instanceof TapkitError && e.details.deviceCode === "unsupported")) throw e;
  });
  const read = await readNdefType4((a) => nfc.apdu(a));
  const first = decodeMessage(read.message).map(describeRecord)[0];
  const url = first?.kind === "uri" ? first.uri : "";
  if (!url) throw fail("tap", "the tag holds no URI record");
  const names = sunParams(m.tag.url);
  const q = new URL(url).searchParams;
  const picc = Buffer.from(q.get(names.picc) ?? "", "hex");
  const mac = Buffer.from(q.get(names.mac) ?? "", "hex");
  try {
    const metaKey = batch.masters.meta;
    const seen = decryptPiccData(picc, tagKey(batch, m.keys.sunMeta, metaKey, device.uid, false)).uid;
    const fileKey = tagKey(batch, m.keys.sunFile, batch.masters.file, seen, true);
    const r = verifySun({ picc, mac, metaKey: tagKey(batch, m.keys.sunMeta, metaKey, device.uid, false), fileKey });
    if (!bytesEqual(r.uid, device.uid)) throw new Error(`the tap carries UID ${toHex(r.uid)}, not the device's ${toHex(device.uid)}`);
    return { url, uid: toHex(r.uid), counter: r.counter };
  } catch (e) {
    throw fail("tap", (e as Error).message);
  }
}

export async function verifyAsUser(
  client: DeviceClient,
  batch: BatchContext,
  device: { uid: Uint8Array; pub: Uint8Array },
  opts: { locked?: boolean } = {},
): Promise<UserCheck> {
  const m = batch.manifest;
  // Chain: only the root public key is trusted.
  const id = await client.ops.identity.get();
  if (!id.chain || id.chain.length !== 2) throw fail("certificate", "the device holds no certificate chain");
  let chain: ReturnType<typeof verifyChain>;
  try {
    chain = verifyChain(id.chain, batch.root);
  } catch (e) {
    throw fail("certificate chain", (e as Error).message);
  }
  if (!bytesEqual(chain.device.publicKey, device.pub)) throw fail("certificate", "the certificate names another key than the device's");

  // Tap: not on a locked device the link can no longer inject into (a resumed run's last step).
  const tap = opts.locked ? null : await readTap(client, batch, device);

  // Panel (plaques): jsQR and zbarimg must both read the same EMV payload.
  let panel: UserCheck["panel"] = null;
  if (m.merchant) {
    const fb = await client.framebuffer();
    const jsqr = decodeBitmapWithJsqr(fb);
    if (!jsqr) throw fail("panel", "jsQR finds no QR code on the panel");
    const payload = new TextDecoder().decode(jsqr);
    const decoders = ["jsQR"];
    if (zbarAvailable()) {
      const dir = mkdtempSync(join(tmpdir(), "tapkit-panel-"));
      try {
        const png = join(dir, "panel.png");
        writeFileSync(png, bitmapToPng(fb, 3));
        const [z] = decodeWithZbar([png]);
        if (!z || new TextDecoder().decode(z) !== payload) throw fail("panel", "zbarimg does not read the same payload as jsQR");
        decoders.push("zbarimg");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const parsed = parsePayload(payload);
    const merchant = parsed.objects.find((o) => o.id === "59")?.value ?? null;
    if (merchant !== m.merchant.name) throw fail("panel", `the code names merchant '${merchant}', the manifest '${m.merchant.name}'`);
    panel = { payload, merchant, decoders };
  }
  const kid = toHex(keyId(device.pub));
  const summary = `${tap ? `tap verified (UID ${tap.uid}, counter ${tap.counter})` : "device already locked: tap not injected"}${panel ? `, panel read by ${panel.decoders.join(" and ")} (${panel.merchant})` : ""}, chain to root ${toHex(keyId(batch.root))} ok`;
  return { summary, kid, tap, panel, chain: { root: toHex(keyId(batch.root)), batch: toHex(chain.batch.kid), device: toHex(chain.device.kid) } };
}
