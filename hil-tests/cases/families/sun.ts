// Secure Unique NFC (NXP AN12196) as tables. The verifier side: the application note's
// known-answer vector is accepted and every single-byte tampering of its MAC or PICCData,
// and a wrong key, is refused (a backend that accepts any of these lets forged taps
// through). The device side: in plain-mirror mode the URL carries the tag's UID and a
// counter that rises by exactly one per completed read session and never for NLEN-only
// reads, and a repeated URL within one session is identical (replay detection relies on it).
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";
import { buildTapTemplate, getTag } from "../../../host-tools/src/ndef/index.ts";
import { verifySun } from "../../../host-tools/src/verify/index.ts";
import { apdu, hex, SELECT_APP, SELECT_NDEF, withTag } from "../tag-session.ts";

const area = "nfc";
const AN12196 = "NXP AN12196 §3.3 (SUN message, SDMMAC), Table 2 vectors";
const PICC = "EF963FF7828658A599F3041510671E88";
const MAC = "94EED9EE65337086";
const ZERO = new Uint8Array(16);
const pad = (n: number) => String(n).padStart(3, "0");

function refused(input: Parameters<typeof verifySun>[0]): void {
  assert.throws(() => verifySun(input), /SDMMAC|PICC|MAC|key/i, "the verifier refuses it");
}

const VERIFIER_CASES: ConformanceCase[] = [
  {
    id: "NFC-SUNV-001",
    area,
    title: "the AN12196 vector (PICCData EF96..., SDMMAC 94EE...) verifies with zero keys: counter 61",
    ref: AN12196,
    tags: ["sun", "vectors", "verifier"],
    async run() {
      assert.equal(verifySun({ picc: hex(PICC), mac: hex(MAC), metaKey: ZERO, fileKey: ZERO }).counter, 61);
    },
  },
  ...Array.from(
    { length: 8 },
    (_, i): ConformanceCase => ({
      id: `NFC-SUNV-${pad(i + 2)}`,
      area,
      title: `the AN12196 vector with SDMMAC byte ${i} flipped is refused`,
      ref: AN12196,
      tags: ["sun", "tamper", "verifier"],
      async run() {
        const mac = hex(MAC);
        mac[i] ^= 0x01;
        refused({ picc: hex(PICC), mac, metaKey: ZERO, fileKey: ZERO });
      },
    }),
  ),
  ...[0, 7, 15].map(
    (i, k): ConformanceCase => ({
      id: `NFC-SUNV-${pad(k + 10)}`,
      area,
      title: `the AN12196 vector with PICCData byte ${i} flipped is refused`,
      ref: AN12196,
      tags: ["sun", "tamper", "verifier"],
      async run() {
        const picc = hex(PICC);
        picc[i] ^= 0x80;
        refused({ picc, mac: hex(MAC), metaKey: ZERO, fileKey: ZERO });
      },
    }),
  ),
  {
    id: "NFC-SUNV-013",
    area,
    title: "the AN12196 vector under a wrong file key is refused",
    ref: AN12196,
    tags: ["sun", "tamper", "verifier"],
    async run() {
      refused({ picc: hex(PICC), mac: hex(MAC), metaKey: ZERO, fileKey: new Uint8Array(16).fill(1) });
    },
  },
];

const PLAIN = "https://pay.example.com/t?u={uid}&n={ctr}&c={mac}";

/** One read session of the dynamic URL: the URL text and the status word. */
async function readUrl(ctx: CaseContext): Promise<{ url: string; sw: string }> {
  await apdu(ctx, SELECT_APP);
  await apdu(ctx, SELECT_NDEF);
  const a = await apdu(ctx, "00B0000200");
  return { url: Buffer.from(hex(a.slice(0, -4))).toString("latin1"), sw: a.slice(-4) };
}

async function plainSession(ctx: CaseContext): Promise<{ uid: string; ctr: number; mac: string; url: string }> {
  const { url, sw } = await readUrl(ctx);
  if (sw === "6982") ctx.precondition("SUN keys: the keystore holds no SDM file key (slot 3); provision it or boot the demo set-up");
  assert.equal(sw, "9000", "URL read");
  const m = /u=([0-9A-F]{14})&n=([0-9A-F]{6})&c=([0-9A-F]{16})/.exec(url);
  assert.ok(m, `the URL carries uid (14), ctr (6) and mac (16) upper-case hex: ${url.slice(0, 80)}`);
  await ctx.nfc.newTap();
  return { uid: m[1], ctr: parseInt(m[2], 16), mac: m[3], url };
}

const DEVICE_CASES: ConformanceCase[] = [
  {
    id: "NFC-SUNC-001",
    area,
    title: "plain mirror: the UID in the URL is the tag's UID",
    ref: "NXP AN12196 §3.2 (UID mirror); docs/nfc.md §SUN",
    tags: ["sun", "mirror"],
    changes: "advances the tap counter by 1",
    async run(ctx) {
      await withTag(ctx, buildTapTemplate({ url: PLAIN }), async () => {
        const s = await plainSession(ctx);
        assert.equal(
          s.uid,
          Buffer.from((await getTag(ctx.device)).tag_uid)
            .toString("hex")
            .toUpperCase(),
        );
      });
    },
  },
  {
    id: "NFC-SUNC-002",
    area,
    title: "the counter rises by exactly 1 per read session over 4 sessions, and the MAC changes each time",
    ref: "NXP AN12196 §3.3 (SDMReadCtr); docs/nfc.md §When the counter advances",
    tags: ["sun", "counter"],
    changes: "advances the tap counter by 4",
    async run(ctx) {
      await withTag(ctx, buildTapTemplate({ url: PLAIN }), async () => {
        const s: Awaited<ReturnType<typeof plainSession>>[] = [];
        for (let i = 0; i < 4; i++) s.push(await plainSession(ctx));
        assert.deepEqual(
          s.map((x) => x.ctr - s[0].ctr),
          [0, 1, 2, 3],
        );
        assert.equal(new Set(s.map((x) => x.mac)).size, 4, "a new MAC for each counter value");
      });
    },
  },
  {
    id: "NFC-SUNC-003",
    area,
    title: "an NLEN-only read session does not advance the counter",
    ref: "docs/nfc.md §When the counter advances (completed read)",
    tags: ["sun", "counter"],
    changes: "advances the tap counter by 2",
    async run(ctx) {
      await withTag(ctx, buildTapTemplate({ url: PLAIN }), async () => {
        const a = await plainSession(ctx);
        await apdu(ctx, SELECT_APP);
        await apdu(ctx, SELECT_NDEF);
        assert.match(await apdu(ctx, "00B0000002"), /9000$/);
        await ctx.nfc.newTap();
        const b = await plainSession(ctx);
        assert.equal(b.ctr, a.ctr + 1, "only the completed reads counted");
      });
    },
  },
  {
    id: "NFC-SUNC-004",
    area,
    title: "within one session the URL read twice is identical; the next session's URL differs (replay is detectable)",
    ref: "NXP AN12196 §3.3; docs/nfc.md §Verifying (replay store)",
    tags: ["sun", "replay"],
    changes: "advances the tap counter by 2",
    async run(ctx) {
      await withTag(ctx, buildTapTemplate({ url: PLAIN }), async () => {
        const first = await readUrl(ctx);
        const again = await apdu(ctx, "00B0000200");
        assert.equal(Buffer.from(hex(again.slice(0, -4))).toString("latin1"), first.url, "same URL within the session");
        await ctx.nfc.newTap();
        const next = await plainSession(ctx);
        assert.notEqual(next.url, first.url, "a new session, a new URL");
      });
    },
  },
];

export const SUN_CASES: ConformanceCase[] = [...VERIFIER_CASES, ...DEVICE_CASES];
