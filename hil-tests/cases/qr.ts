// Conformance: payment QR on a plaque. The device's own encoder against the qrcode package
// (bit-exact grids), panel frames read back over the link and decoded with jsQR, EMV
// payloads checked by the host library, and the POS round trip: amount in, dynamic code on
// the panel, static code back on request.
import assert from "../check.ts";
import type { CaseContext, ConformanceCase } from "../case.ts";
import { encodeOnDevice, ECC_LEVELS } from "../../host-tools/src/qr/device-qr.ts";
import { peerEncode } from "../../host-tools/src/qr/peer-qrcode.ts";
import { decodeBitmapWithJsqr } from "../../host-tools/src/qr/decoders.ts";
import { bitmapToPng } from "../../host-tools/src/raster/framebuffer.ts";
import { parsePayload } from "../../host-tools/src/emv/mpm.ts";
import { requestAmount, showStaticCode } from "../../host-tools/src/qr/payment-client.ts";
import { requireMerchantProfile } from "./merchant-profile.ts";

const area = "qr";

async function panelPayload(ctx: CaseContext, caption?: string): Promise<string> {
  const fb = await ctx.device.framebuffer();
  if (caption) ctx.figure(caption, bitmapToPng(fb, 1));
  const bytes = decodeBitmapWithJsqr(fb);
  assert.ok(bytes, "jsQR found no QR code in the panel frame");
  return new TextDecoder().decode(bytes);
}

export const QR_CASES: ConformanceCase[] = [
  {
    id: "QR-000",
    area,
    ref: "docs/link-protocol.md §Operations (qr group: plaque boards only)",
    tags: ["role"],
    roles: ["card"],
    title: "a card has no panel: the QR ops are refused outright, not half-served",
    async run(ctx) {
      await assert.rejects(ctx.device.ops.qr.encode({ text: "X" }), /unknown-op|unsupported/);
      await assert.rejects(ctx.device.ops.qr.amount({ amount: "1" }), /unknown-op|unsupported/);
    },
  },
  {
    id: "QR-001",
    area,
    ref: "ISO/IEC 18004:2015 §7 (encoding), §7.8 (masking)",
    tags: ["encoder"],
    roles: ["plaque"],
    title: "encoder grids equal the qrcode package's for the same segments, level, version and mask",
    async run(ctx) {
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
    ref: "ISO/IEC 18004:2015 §7.3 (versions), §7.5 (ECC levels)",
    tags: ["panel", "decode"],
    roles: ["plaque"],
    title: "panel frames decode (jsQR) to the exact payload: v1/v5/v10 x L/M/Q/H at 3 px/module",
    async run(ctx) {
      for (const version of [1, 5, 10]) {
        for (let e = 0; e < 4; e++) {
          // Short enough for v1-H; the forced version sets the symbol size.
          const payload = `TK-V${version}-E${e}`;
          await ctx.device.ops.qr.show({ text: new TextEncoder().encode(payload), ecl: e, min: version, max: version, scale: 3 });
          assert.equal(await panelPayload(ctx, version === 5 && e === 1 ? `panel: v${version} ecc M` : undefined), payload, `v${version} ecl ${e}`);
        }
      }
    },
  },
  {
    id: "QR-003",
    area,
    ref: "EMVCo MPM 1.1 §4.7 (amount 54), §3 (payload)",
    tags: ["emv"],
    roles: ["plaque"],
    title: "EMV: static and dynamic payloads from the firmware pass every host check; bad amounts are rejected naming 54",
    async run(ctx) {
      await requireMerchantProfile(ctx);
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
    ref: "EMVCo MPM 1.1 §4.7, §4.8 (62.05 reference)",
    tags: ["emv", "panel"],
    roles: ["plaque"],
    changes: "advances the payment reference counter",
    title: "POS round trip: qr amount shows a dynamic code with that amount; qr static brings the static code back",
    async run(ctx) {
      await requireMerchantProfile(ctx);
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
