// Conformance: the card wallet applet (docs/wallet-apdu.md) and its vouchers
// (docs/vouchers.md). Non-destructive on real cards: a blank wallet is provisioned with the
// published lab test issuer; wrong-PIN lockout runs only on simulated boards (sim-*), so a
// lab never locks a real card by running the suite.
import assert from "../check.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import type { CaseContext, ConformanceCase } from "../case.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";
import {
  buildSyncToken,
  checkSign1,
  COSE_ALG_EDDSA,
  decodeBundle,
  decodeCertPayload,
  decodeSign1,
  decodeVoucherPayload,
  encodeBundle,
  issueCertificate,
  provisionOverLink,
  readWalletInfo,
  ROLE_BATCH,
  signerFromSecret,
  verifyVoucher,
  WalletCard,
  type IssuerFiles,
} from "../../host-tools/src/wallet/index.ts";

const area = "wallet";

/** The lab test issuer: fixed, published keys — never certify production cards with it. */
export function labIssuer(): IssuerFiles {
  const root = signerFromSecret(COSE_ALG_EDDSA, sha256(new TextEncoder().encode("tapkit lab test root")));
  const batch = signerFromSecret(COSE_ALG_EDDSA, sha256(new TextEncoder().encode("tapkit lab test batch")));
  return { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey }) };
}

/** The envelope and PIN of a wallet the suite provisions with the lab issuer: the lab profile. */
export const LAB_LIMITS = { maxBalance: 100_000, perPayment: 2_000, cumulative: 50_000, maxCount: 1_000 };
export const LAB_PIN = "1234";

/**
 * Selects the wallet. A blank card is provisioned with the lab issuer only when the run
 * allows lasting changes; otherwise that is an unmet precondition (verdict error), since a
 * lab must not have its card provisioned behind its back.
 */
export async function readyCard(ctx: CaseContext) {
  const card = new WalletCard((apdu) => ctx.nfc.apdu(apdu));
  try {
    const s = await card.select();
    if (!s.active) {
      if (!ctx.allowDestructive)
        ctx.precondition(
          "the wallet is not provisioned: provision it (tapkit wallet provision) or run with --allow-destructive to provision it with the lab issuer",
        );
      await provisionOverLink(ctx.device, labIssuer(), { pin: LAB_PIN, balance: 50_000, currency: "EUR", limits: LAB_LIMITS });
      ctx.stateChange(`provisioned the blank wallet with the lab test issuer (PIN ${LAB_PIN}, balance 50000 EUR)`);
      await card.select();
    }
  } catch (e) {
    if (e instanceof TapkitError && e.code === "NO_WALLET") ctx.precondition("the card board answers no wallet applet (AID not selectable)");
    if (e instanceof TapkitError && e.code === "NO_DEVICE_KEY")
      ctx.precondition("the device key: the card's keystore holds none (provision the card's identity first)");
    throw e;
  }
  return card;
}

/** Whether the card's batch certificate is the lab issuer's: only then can the suite sign syncs for it. */
export async function certifiedByLab(card: WalletCard): Promise<boolean> {
  const [batchCert] = await card.chain();
  return Buffer.from(decodeCertPayload(decodeSign1(batchCert, "batch").payload).kid).equals(Buffer.from(labIssuer().batch.kid));
}

export const WALLET_CASES: ConformanceCase[] = [
  {
    id: "WALLET-000",
    area,
    ref: "docs/wallet-apdu.md (card boards only); ISO/IEC 7816-4:2020 §11.2.2",
    tags: ["select", "role"],
    roles: ["plaque"],
    title: "a plaque holds no value: SELECT of the wallet AID is refused",
    async run(ctx) {
      const card = new WalletCard((apdu) => ctx.nfc.apdu(apdu));
      await assert.rejects(card.select(), (e: unknown) => e instanceof TapkitError && e.code === "NO_WALLET", "plaque boards must not expose the wallet AID");
    },
  },
  {
    id: "WALLET-001",
    area,
    ref: "docs/wallet-apdu.md §Payment; RFC 9052 §4.2",
    tags: ["identity"],
    roles: ["card"],
    title: "applet selects by AID; info reports the device key and kid = SHA-256(pub)[0..8]",
    async run(ctx) {
      const card = await readyCard(ctx);
      const info = await card.info();
      assert.ok(info.alg === -8 || info.alg === -7, `alg ${info.alg} is EdDSA or ES256`);
      assert.deepEqual(new Uint8Array(info.kid), sha256(info.pub).subarray(0, 8));
      ctx.note("alg", info.alg);
      ctx.note("counter", info.ctr ?? 0);
    },
  },
  {
    id: "WALLET-002",
    area,
    ref: "docs/vouchers.md §Certificates",
    tags: ["chain"],
    roles: ["card"],
    title: "certificate chain over NFC equals the link's, and the device certificate certifies the card key",
    async run(ctx) {
      const card = await readyCard(ctx);
      const chain = await card.chain();
      const link = await readWalletInfo(ctx.device);
      assert.deepEqual(
        chain.map((c) => Buffer.from(c).toString("hex")),
        link.chain.map((c) => Buffer.from(c).toString("hex")),
      );
      const device = decodeCertPayload(decodeSign1(chain[1], "device certificate").payload);
      assert.deepEqual(new Uint8Array(device.publicKey), new Uint8Array((await card.info()).pub));
    },
  },
  {
    id: "WALLET-003",
    area,
    ref: "docs/vouchers.md §Voucher payload, §Verification",
    tags: ["payment", "voucher"],
    roles: ["card"],
    changes: "spends 1 unit and uses one voucher counter",
    title: "a payment yields a voucher that verifies (chain, signature, challenge) and advances the counter by one",
    async run(ctx) {
      const card = await readyCard(ctx);
      const before = (await card.info()).ctr ?? 0;
      const challenge = ctx.random.fill(new Uint8Array(16));
      const { voucher } = await card.pay({ amount: 1, currency: (await card.info()).cur ?? "EUR", payee: "conformance", challenge });
      const chain = await card.chain();
      // Whoever issued the card: the voucher is signed by the card's own key and pays what was asked.
      const info = await card.info();
      const sign1 = decodeSign1(voucher, "voucher");
      assert.deepEqual(new Uint8Array(sign1.kid), new Uint8Array(info.kid), "voucher kid = the card's kid");
      checkSign1(sign1, info.pub, info.alg, "voucher");
      const payload = decodeVoucherPayload(sign1.payload);
      assert.deepEqual([payload.counter, payload.amount, payload.payee], [before + 1, 1, "conformance"]);
      assert.deepEqual(new Uint8Array(payload.challenge), challenge);
      const bundle = decodeBundle(encodeBundle({ voucher, chain }));
      const labRoot = labIssuer().root.publicKey;
      const batch = decodeSign1(chain[0], "batch");
      if (Buffer.from(batch.kid).equals(Buffer.from(sha256(labRoot).subarray(0, 8)))) {
        const v = verifyVoucher(bundle, labRoot, { challenge, payee: "conformance", amount: 1 });
        assert.equal(v.voucher.counter, before + 1);
      } else {
        ctx.note("root", "not the lab issuer: the chain up to the issuer's root is for the issuer's verifier");
      }
      ctx.note("voucherBytes", voucher.length);
    },
  },
  {
    id: "WALLET-004",
    area,
    ref: "docs/wallet-apdu.md §Refusals",
    tags: ["payment", "limits"],
    roles: ["card"],
    changes: "spends 1 unit and uses one voucher counter",
    title: "limits: above the per-payment cap and a second SIGN per BEGIN are refused without using a counter",
    async run(ctx) {
      const card = await readyCard(ctx);
      const info = await card.info();
      const cur = info.cur ?? "EUR";
      await card.begin(new Uint8Array(16).fill(0x42), "conformance");
      await assert.rejects(card.sign(0xfffffff0, cur), /per-payment cap|balance too low/);
      await card.sign(1, cur);
      await assert.rejects(card.sign(1, cur), /no payment session/);
      assert.equal((await card.info()).ctr, (info.ctr ?? 0) + 1);
    },
  },
  {
    id: "WALLET-005",
    area,
    ref: "docs/wallet-apdu.md §PIN",
    tags: ["pin"],
    roles: ["card"],
    changes: "uses every PIN try: the PIN ends blocked",
    title: "PIN: owner ops need it; on simulated boards wrong PINs count down and lock (63C2, 63C1, 6983)",
    async run(ctx) {
      const card = await readyCard(ctx);
      await ctx.nfc.newTap(); // a card fresh in the field: no PIN verified by an earlier case
      await card.select();
      // The countdown is what this case checks: with no tries left there is nothing to count.
      const left = (await card.info()).pin ?? 0;
      if (left === 0) ctx.precondition("an unblocked PIN (the card's PIN is blocked: a blocked PIN never unblocks, use a fresh lab card)");
      await assert.rejects(card.fund(1, 1), (e: unknown) => e instanceof TapkitError && e.code === "PIN_REQUIRED");
      if (!ctx.board.startsWith("sim-")) ctx.skip("lockout is only exercised on simulated boards (it would lock a real card)");
      for (let n = left - 1; n > 0; n--) {
        await assert.rejects(
          card.verifyPin("00000000"),
          (e: unknown) => e instanceof TapkitError && e.code === "PIN_WRONG" && e.details.triesLeft === n,
          `63C${n}: ${n} tries left`,
        );
      }
      await assert.rejects(card.verifyPin("00000000"), (e: unknown) => e instanceof TapkitError && e.code === "PIN_BLOCKED");
      assert.equal((await card.info()).pin, 0);
    },
  },
  {
    id: "WALLET-006",
    area,
    ref: "docs/vouchers.md §Sync token; docs/wallet-apdu.md §Sync",
    tags: ["sync"],
    roles: ["card"],
    changes: "syncs twice (epoch +2) and spends 3 units",
    title: "issuer sync resets the envelope and refuses replays (lab issuer cards only)",
    async run(ctx) {
      const card = await readyCard(ctx);
      const lab = labIssuer();
      if (!(await certifiedByLab(card)))
        ctx.precondition("the issuer's batch key (the card was not certified by the lab issuer, and only its issuer can sign a sync)");
      const info = await card.info();
      const cur = info.cur ?? "EUR";
      const kid = new Uint8Array(info.kid);
      const epoch0 = info.epoch ?? 0;
      const reason = async (p: Promise<unknown>) =>
        p.then(
          () => "accepted",
          (e: unknown) => (e instanceof TapkitError && e.details.reason !== undefined ? e.details.reason : Promise.reject(e)),
        );
      // Sync 1: a tight envelope (cumulative 2 per sync), no top-up: value never created here.
      const tight = { ...LAB_LIMITS, cumulative: 2 };
      const t1 = buildSyncToken(lab.batch, { deviceId: kid, epoch: epoch0 + 1, settledCounter: info.ctr ?? 0, topUp: 0, envelope: tight });
      assert.deepEqual(await card.sync(t1), { epoch: epoch0 + 1, balance: info.bal });
      for (let i = 0; i < 2; i++) await card.pay({ amount: 1, currency: cur, payee: "conformance" });
      assert.equal(await reason(card.pay({ amount: 1, currency: cur, payee: "conformance" })), 0x08, "cumulative cap of the new envelope");
      // The same token again is a replay: refused (11), nothing moves.
      const mid = await card.info();
      assert.equal(await reason(card.sync(t1)), 0x11);
      assert.deepEqual([(await card.info()).epoch, (await card.info()).bal, (await card.info()).ctr], [mid.epoch, mid.bal, mid.ctr]);
      // Sync 2 restores the lab envelope; the cap is fresh and the next voucher carries the epoch.
      const t2 = buildSyncToken(lab.batch, { deviceId: kid, epoch: epoch0 + 2, settledCounter: mid.ctr ?? 0, topUp: 0, envelope: LAB_LIMITS });
      assert.equal((await card.sync(t2)).epoch, epoch0 + 2);
      const { voucher } = await card.pay({ amount: 1, currency: cur, payee: "conformance" });
      assert.equal(decodeVoucherPayload(decodeSign1(voucher, "voucher").payload).epoch, epoch0 + 2);
      const [entry] = await card.log(2).then((l) => l.filter((e) => e.kind === "sync"));
      assert.equal(entry?.amount, 0);
      ctx.note("epoch", epoch0 + 2);
      ctx.note("syncTokenBytes", t1.length);
    },
  },
];
