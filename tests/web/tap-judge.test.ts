// The bridge's tap verifier (web/tap-judge.ts) without a browser: what a page may post and what
// it gets back. A malformed post is a USAGE refusal; a read the keys do not cover is refused in
// words; nothing from the keys file comes back. The NDEF bytes are made by the `ndef` package
// (an outside encoder), not ours.
import { test } from "vitest";
import assert from "node:assert/strict";
import ndef from "ndef";
import { judgePostedTap } from "../../host-tools/src/web/tap-judge.ts";
import { memoryReplay } from "../../host-tools/src/field/index.ts";
import type { TagKeys } from "../../host-tools/src/verify/index.ts";

const keys: TagKeys[] = [
  { name: "shop", template: "https://pay.example.com/t?p={picc}&c={mac}", mode: "sun", metaKey: "11".repeat(16), fileKey: "22".repeat(16) } as TagKeys,
];
const hexOf = (url: string) => Buffer.from(ndef.encodeMessage([ndef.uriRecord(url)])).toString("hex");

test("malformed posts are refused as USAGE; other reads get a verdict in words and no key material", () => {
  for (const body of [null, {}, { message: "" }, { message: "zz" }, { message: "0".repeat(3000) }, { message: 42 }])
    assert.throws(
      () => judgePostedTap(body, keys, memoryReplay()),
      (e: any) => e.code === "USAGE",
      JSON.stringify(body),
    );

  const forged = judgePostedTap({ message: hexOf(`https://pay.example.com/t?p=${"A".repeat(32)}&c=${"B".repeat(16)}`), apdus: 6 }, keys, memoryReplay());
  assert.equal(forged.verdict, "refused");
  assert.match(forged.reason, /^refused \([A-Z_]+\): /);
  assert.ok(forged.error && forged.error.hint.length > 10);
  const stranger = judgePostedTap({ message: hexOf("https://elsewhere.example.org/x") }, keys, memoryReplay());
  assert.equal(stranger.verdict, "refused");
  assert.equal(stranger.url, "https://elsewhere.example.org/x");
  const noUrl = judgePostedTap({ message: Buffer.from(ndef.encodeMessage([ndef.textRecord("hello")])).toString("hex") }, keys, memoryReplay());
  assert.equal(noUrl.verdict, "refused");
  assert.match(noUrl.reason, /holds no URI record/);
  for (const v of [forged, stranger, noUrl]) {
    const text = JSON.stringify(v).toLowerCase();
    assert.ok(!text.includes("11".repeat(16)) && !text.includes("22".repeat(16)), "no key in the answer");
    assert.deepEqual(Object.keys(v).sort(), ["counter", "error", "reason", "uid", "url", "verdict"]);
  }
});
