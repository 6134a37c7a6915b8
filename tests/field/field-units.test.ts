// The field library's pure parts: status words in words (ISO/IEC 7816-4 values), account
// objects back into fields (a Pix template from BCB's published example), the CLI's option
// errors and broken-pipe guard, and the panel scan's verdicts on QR codes rendered by the
// `qrcode` package (an outside encoder) and decoded by jsQR.
import { test } from "vitest";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import QRCode from "qrcode";
import { explainStatusWord, statusOf } from "../../host-tools/src/iso7816/status-words.ts";
import { accountsFromText } from "../../host-tools/src/emv/account-objects.ts";
import { accountsText, buildPayload, type MerchantAccount } from "../../host-tools/src/emv/mpm.ts";
import { nearestOption, argumentError } from "../../host-tools/src/cli/arg-errors.ts";
import { exitQuietlyOnBrokenPipe } from "../../host-tools/src/cli/pipe-guard.ts";
import { COMMANDS } from "../../host-tools/src/cli/commands/index.ts";
import { scanFramebuffer } from "../../host-tools/src/field/index.ts";
import { jsqrDecoder } from "../../host-tools/src/field/panel-decoders.ts";
import type { Framebuffer } from "../../host-tools/src/device/client.ts";

test("status words: 9000 and 61XX are normal, 6982/6A82/63CX explained, unknown classes said so", () => {
  assert.deepEqual([explainStatusWord(0x9000).ok, explainStatusWord(0x6110).ok, explainStatusWord(0x6982).ok], [true, true, false]);
  assert.match(explainStatusWord(0x6982).meaning, /security status not satisfied/);
  assert.match(explainStatusWord(0x6a82).meaning, /file or application not found/);
  assert.match(explainStatusWord(0x63c2).meaning, /2 tries left/);
  assert.match(explainStatusWord(0x6c10).hint, /Le = 10/);
  assert.equal(explainStatusWord(0x6a83).sw, "6A83");
  assert.equal(explainStatusWord(0x6283).kind, "warning");
  assert.match(explainStatusWord(0x9104).meaning, /proprietary/);
  assert.match(explainStatusWord(0x1234).meaning, /not an ISO\/IEC 7816-4 status word/);
  assert.equal(statusOf(Uint8Array.of(0x90)), null);
  assert.equal(statusOf(Uint8Array.of(0x01, 0x69, 0x85))!.sw, "6985");
});

test("account objects: BCB's Pix template comes back as GUID + fields; any account list round-trips through its EMV text", () => {
  // BCB, Manual de Padrões para Iniciação do Pix, static QR example (merchant account 26).
  const pix = "26580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-426655440000";
  assert.deepEqual(accountsFromText(pix), [{ id: 26, gui: "BR.GOV.BCB.PIX", fields: { "01": "123e4567-e12b-12d1-a456-426655440000" } }]);
  const accounts: MerchantAccount[] = [
    { id: 4, value: "4111111111111111" },
    { id: 29, gui: "A000000677010111", fields: { "01": "0066812345678" } },
    { id: 26, gui: "PT.EXAMPLE.PAY", fields: { "01": "123", "02": "café" } },
  ];
  const back = accountsFromText(accountsText(accounts));
  assert.deepEqual(
    back,
    [...accounts].sort((a, b) => a.id - b.id),
  );
  assert.equal(accountsText(back), accountsText(accounts));
  assert.throws(() => accountsFromText("5204581"), /runs past the end/);
  assert.throws(() => accountsFromText("52045812"), /not a merchant account object/);
});

test("option errors name the option, the usage and the nearest option; no Node wording", () => {
  const info = COMMANDS.find((c) => c.name === "info")!;
  assert.equal(nearestOption(info, "--prot"), "--port");
  assert.equal(nearestOption(info, "--jsno"), "--json");
  assert.equal(nearestOption(info, "--frobnicate"), undefined);
  const unknown = argumentError(
    info,
    Object.assign(new Error("Unknown option '--prot'. To specify a positional argument ..."), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }),
  );
  assert.equal(unknown.code, "USAGE");
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.message, /'tapkit info' has no option '--prot'/);
  assert.match(unknown.hint, /did you mean --port\?.*usage: tapkit info/);
  assert.doesNotMatch(unknown.message + unknown.hint, /positional argument/);
  const missing = argumentError(info, Object.assign(new Error("Option '--port <value>' argument missing"), { code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" }));
  assert.match(missing.message, /option '--port' of 'tapkit info' needs a value/);
});

test("a broken pipe on stdout ends the process with 0; other stream errors still surface", () => {
  const stream = new EventEmitter();
  const exits: number[] = [];
  exitQuietlyOnBrokenPipe([stream as never], (code) => void exits.push(code));
  stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
  assert.deepEqual(exits, [0]);
  assert.throws(() => stream.emit("error", Object.assign(new Error("write EIO"), { code: "EIO" })), /EIO/);
});

/** A QR symbol from the qrcode package, drawn as a 1-bit panel image with a 4-module quiet zone. */
function panelWithQr(text: string, scale = 3): Framebuffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const m = qr.modules as unknown as { size: number; data: Uint8Array };
  const side = (m.size + 8) * scale;
  const stride = Math.ceil(side / 8);
  const data = new Uint8Array(stride * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - 4;
      const my = Math.floor(y / scale) - 4;
      if (mx >= 0 && my >= 0 && mx < m.size && my < m.size && m.data[my * m.size + mx]) data[y * stride + (x >> 3)] |= 0x80 >> (x & 7);
    }
  return { width: side, height: side, data };
}

const PROFILE = {
  name: "CAFE",
  city: "LISBOA",
  country: "PT",
  currency: "978",
  mcc: "5812",
  accounts: [{ id: 26, gui: "PT.EXAMPLE.PAY", fields: { "01": "123" } }],
};

test("panel scan: a valid code is ok with every field named; a bad CRC, a blank panel and disagreeing decoders fail with the reason", async () => {
  const good = buildPayload(PROFILE, { amount: "12.34" });
  const ok = await scanFramebuffer(panelWithQr(good), [jsqrDecoder]);
  assert.equal(ok.verdict, "ok", ok.reason);
  assert.equal(ok.payload, good);
  assert.equal(ok.emv!.initiation, "dynamic");
  const byId = Object.fromEntries(ok.emv!.fields.map((f) => [f.id, f]));
  assert.deepEqual([byId["59"].name, byId["59"].value, byId["54"].value], ["merchant name", "CAFE", "12.34"]);
  assert.deepEqual(byId["26"].subs![0], { id: "00", name: "globally unique identifier", value: "PT.EXAMPLE.PAY" });

  const badCrc = good.slice(0, -4) + (good.endsWith("0000") ? "FFFF" : "0000");
  const bad = await scanFramebuffer(panelWithQr(badCrc), [jsqrDecoder]);
  assert.equal(bad.verdict, "failed");
  assert.equal(bad.emv!.valid, false);
  assert.equal(bad.emv!.problem!.field, "63 CRC");
  assert.ok(
    bad.emv!.fields.some((f) => f.id === "59"),
    "a broken code still shows the fields that parse",
  );

  const blank = await scanFramebuffer({ width: 64, height: 64, data: new Uint8Array(8 * 64) }, [jsqrDecoder]);
  assert.equal(blank.verdict, "failed");
  assert.match(blank.reason, /no QR code found/);

  // A second decoder that reads something else (a different real code): the scan must not pass.
  const other = panelWithQr(buildPayload({ ...PROFILE, name: "OTHER" }));
  const split = await scanFramebuffer(panelWithQr(good), [jsqrDecoder, { name: "second", decode: () => jsqrDecoder.decode(other) }]);
  assert.equal(split.agree, false);
  assert.equal(split.verdict, "failed");
  assert.match(split.reason, /disagree/);

  const missing = await scanFramebuffer(panelWithQr(good), [
    jsqrDecoder,
    { name: "zbarimg", decode: () => ({ available: false, bytes: null, note: "not installed" }) },
  ]);
  assert.equal(missing.verdict, "ok", "a missing decoder is reported, not counted as a disagreement");
  assert.equal(missing.decoders[1].available, false);
});
