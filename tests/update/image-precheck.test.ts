// The page's check before an upload (update/image-precheck.ts): the manifest read from a real
// signed image (compared with what cbor-x decodes from the same bytes, not our decoder), and
// each reason the device would refuse it, in words, with the device's own code; null when the
// device should take it.
import { test } from "vitest";
import assert from "node:assert/strict";
import { imageRefusal, summarizeImage } from "../../host-tools/src/update/image-precheck.ts";
import { toHexLower } from "../../host-tools/src/bytes/hex.ts";
import { HAL_ABI_VERSION } from "../../host-tools/src/build/index.ts";
import { cborx } from "../image/image-fixture.ts";
import { image, otherKey, releaseKey } from "./update-fixture.ts";

test("the manifest as signed, and every refusal in words before a byte is sent", async () => {
  const bytes = await image([1, 4, 2], 7, releaseKey, "sim-plaque");
  const s = summarizeImage(bytes);
  // outside oracle: cbor-x reads the COSE_Sign1 and its payload map from the file's bytes
  const manifestBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const sign1 = cborx.decode(bytes.subarray(32, 32 + manifestBytes));
  const payload = cborx.decode((sign1.value ?? sign1)[2]) as Map<number, unknown>;
  assert.equal(s.board, payload.get(1));
  assert.deepEqual(s.version, (payload.get(2) as number[]).join("."));
  assert.equal(s.securityCounter, payload.get(4));
  assert.equal(s.halAbi, payload.get(3));
  assert.equal(s.kid, toHexLower(releaseKey.kid));
  assert.equal(s.imageBytes, bytes.length);
  assert.equal(s.version, "1.4.2");

  const anchor = toHexLower(releaseKey.kid);
  const device: Parameters<typeof imageRefusal>[1] = { board: "sim-plaque", abi: HAL_ABI_VERSION, listing: { anchor, counter: 3 } };
  assert.equal(imageRefusal(s, device), null, "this device takes it");
  const refused = (d: typeof device) => imageRefusal(s, d)!;
  let r = refused({ ...device, board: "sim-card" });
  assert.equal(r.code, "IMAGE_WRONG_BOARD");
  assert.match(r.message, /for board sim-plaque; the device is a sim-card/);
  r = refused({ ...device, listing: { anchor: toHexLower(otherKey.kid), counter: 0 } });
  assert.equal(r.code, "IMAGE_UNKNOWN_KEY");
  assert.match(r.message, new RegExp(`signed by key ${anchor}; the device trusts only key ${toHexLower(otherKey.kid)}`));
  r = refused({ ...device, listing: { anchor, counter: 8 } });
  assert.equal(r.code, "IMAGE_DOWNGRADE");
  assert.match(r.message, /security counter 7 \(version 1\.4\.2\); the device requires at least 8, so it is a downgrade/);
  r = refused({ ...device, abi: HAL_ABI_VERSION + 1 });
  assert.equal(r.code, "IMAGE_HAL_ABI");
  r = refused({ ...device, listing: { anchor: null, counter: 0 } });
  assert.equal(r.code, "BOOT_NO_ANCHOR");
  for (const e of [r]) assert.ok(e.hint.length > 20);
  // not an image at all
  assert.throws(
    () => summarizeImage(new Uint8Array(100)),
    (e: any) => e.code.startsWith("IMAGE_"),
  );
});
