// Conformance: payment QR on a plaque. The device's own encoder against the qrcode package
// (bit-exact grids), panel frames read back over the link and decoded with jsQR, EMV
// payloads checked by the host library, and the POS round trip: amount in, dynamic code on
// the panel, static code back on request.
import assert from "node:assert/strict";
import type { CaseContext, ConformanceCase } from "../case.ts";
import { encodeOnDevice, ECC_LEVELS } from "../../host-tools/src/qr/device-qr.ts";
import { peerEncode } from "../../host-tools/src/qr/peer-qrcode.ts";
import { decodeBitmapWithJsqr } from "../../host-tools/src/qr/decoders.ts";
import { parsePayload } from "../../host-tools/src/emv/mpm.ts";
import { requestAmount, showStaticCode } from "../../host-tools/src/qr/payment-client.ts";

const area = "qr";

/**
 * False on boards without a panel, after checking they refuse the QR ops outright (no
 * half-working encoder on a card); the case then passes with a note.
 */
async function hasPanel(ctx: CaseContext): Promise<boolean> {
  const status = await ctx.device.appStatus();
  if (status.mode === "plaque") return true;
  await assert.rejects(ctx.device.ops.qr.encode({ text: "X" }), /unknown-op|unsupported/);
  await assert.rejects(ctx.device.ops.qr.amount({ amount: "1" }), /unknown-op|unsupported/);
  ctx.note("panel", "none: QR ops refused");
  return false;
}

async function requireProfile(ctx: CaseContext): Promise<void> {
  try {
    await ctx.device.ops.merchant.get();
  } catch {
    ctx.skip("no merchant profile on the device (tapkit merchant set, or boot in demo mode)");
  }
}

async function panelPayload(ctx: CaseContext): Promise<string> {
  const fb = await ctx.device.framebuffer();
  const bytes = decodeBitmapWithJsqr(fb);
  assert.ok(bytes, "jsQR found no QR code in the panel frame");
  return new TextDecoder().decode(bytes);
}

export const QR_CASES: ConformanceCase[] = [
  {
    id: "QR-001",
    area,
    title: "encoder grids equal the qrcode package's for the same segments, level, version and mask",
    async run(ctx) {
      if (!(await hasPanel(ctx))) return;
      const inputs = ["01234567890123456789", "HELLO WORLD $%*+-./:", "https://example.com/pay?x=1", "00020101021126580014BR.GOV.BCB.PIX", "Grüße 最佳 😀"];
      let n = 0;
      for (const text of inputs) {
        for (const ecl of ECC_LEVELS) {
          const ours = await encodeOnDevice(ctx.device, text, { ecl });
          const peer = peerEncode(ours.segments, ours.ecl, ours.version, ours.mask);
          assert.ok(Buffer.from(peer.modules).equals(Buffer.from(ours.modules)), `${JSON.stringify(text)} ${ecl}: grid differs`);
          n++;
        }
      }
      ctx.note("symbols", n);
    },
  },
  {
    id: "QR-002",
    area,
    title: "panel frames decode (jsQR) to the exact payload: v1/v5/v10 x L/M/Q/H at 3 px/module",
    async run(ctx) {
      if (!(await hasPanel(ctx))) return;
      for (const version of [1, 5, 10]) {
        for (let e = 0; e < 4; e++) {
          // Short enough for v1-H; the forced version sets the symbol size.
          const payload = `TK-V${version}-E${e}`;
          await ctx.device.ops.qr.show({ text: new TextEncoder().encode(payload), ecl: e, min: version, max: version, scale: 3 });
          assert.equal(await panelPayload(ctx), payload, `v${version} ecl ${e}`);
        }
      }
    },
  },
  {
    id: "QR-003",
    area,
    title: "EMV: static and dynamic payloads from the firmware pass every host check; bad amounts are rejected naming 54",
    async run(ctx) {
      if (!(await hasPanel(ctx))) return;
      await requireProfile(ctx);
      const st = (await ctx.device.ops.emv.build()).payload;
      assert.equal(parsePayload(st).initiation, "static");
      const dy = (await ctx.device.ops.emv.build({ amount: "12.34", bill: "HIL", ref: 1 })).payload;
      const p = parsePayload(dy);
      assert.equal(p.initiation, "dynamic");
      assert.equal(p.objects.find((o) => o.id === "54")?.value, "12.34");
      for (const amount of ["0", "1.234", "12345678901234", "1,5"]) {
        await assert.rejects(ctx.device.ops.emv.build({ amount }), /amount \(54\)/, amount);
      }
      ctx.note("crc", p.crc);
    },
  },
  {
    id: "QR-004",
    area,
    title: "POS round trip: qr amount shows a dynamic code with that amount; qr static brings the static code back",
    async run(ctx) {
      if (!(await hasPanel(ctx))) return;
      await requireProfile(ctx);
      const first = await requestAmount(ctx.device, "12.34", { bill: "HIL-1" });
      const onPanel = parsePayload(await panelPayload(ctx));
      assert.equal(onPanel.initiation, "dynamic");
      assert.equal(onPanel.objects.find((o) => o.id === "54")?.value, "12.34");
      assert.equal(onPanel.templates["62"].find((o) => o.id === "05")?.value, `TK${first.reference}`);
      const second = await requestAmount(ctx.device, "0.99");
      assert.ok(second.reference > first.reference, "references increase");
      await showStaticCode(ctx.device);
      assert.equal(parsePayload(await panelPayload(ctx)).initiation, "static");
      ctx.note("reference", second.reference);
    },
  },
];
