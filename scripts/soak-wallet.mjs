// Wallet power-cut soak on the real builds: random power cuts inside SIGN VOUCHER on the
// card (>= 10,000 by default), inside a PayWord workload on the card (payments, SIGN CHAIN,
// PAYWORD next / again, CLOSE CHAIN: >= 10,000 by default) and inside the plaque acceptor's
// submit/clear (2,000 by default). npm test runs a bounded share (tests/wallet/power-cut.test.ts).
// Usage: node --import tsx scripts/soak-wallet.mjs [cardCuts=10000] [seed=1] [acceptorCuts=2000] [paywordCuts=10000]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BOARDS_DIR, firmwarePath } from "../host-tools/src/paths.ts";
import { powerCutCampaign } from "../host-tools/src/wallet/power-cut-campaign.ts";
import { acceptorCutCampaign } from "../host-tools/src/wallet/acceptor-cut-campaign.ts";
import { paywordCutCampaign } from "../host-tools/src/wallet/payword-cut-campaign.ts";
import { COSE_ALG_EDDSA, signerFromSecret, issueCertificate, ROLE_BATCH } from "../host-tools/src/wallet/index.ts";

const cuts = Number(process.argv[2] ?? 10000);
const seed = Number(process.argv[3] ?? 1);
const acceptorCuts = Number(process.argv[4] ?? 2000);
const paywordCuts = Number(process.argv[5] ?? 10000);
const root = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(1));
const batch = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(2));
const issuer = { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey }) };
const boardFile = (name) => JSON.parse(readFileSync(join(BOARDS_DIR, `${name}.json`), "utf8"));
let t0 = Date.now();
const card = cuts > 0 ? await powerCutCampaign({ board: boardFile("sim-card"), wasmPath: firmwarePath("sim-card"), issuer, cuts, seed }) : null;
const cardSeconds = (Date.now() - t0) / 1000;
t0 = Date.now();
const acceptor =
  acceptorCuts > 0
    ? await acceptorCutCampaign({ board: boardFile("sim-plaque"), wasmPath: firmwarePath("sim-plaque"), issuer, cuts: acceptorCuts, seed })
    : null;
const acceptorSeconds = (Date.now() - t0) / 1000;
t0 = Date.now();
const payword =
  paywordCuts > 0 ? await paywordCutCampaign({ board: boardFile("sim-card"), wasmPath: firmwarePath("sim-card"), issuer, cuts: paywordCuts, seed }) : null;
const paywordSeconds = (Date.now() - t0) / 1000;
console.log(
  JSON.stringify(
    {
      seed,
      card: card && { ...card, seconds: cardSeconds },
      acceptor: acceptor && { ...acceptor, seconds: acceptorSeconds },
      payword: payword && { ...payword, seconds: paywordSeconds },
    },
    null,
    2,
  ),
);
process.exit((card?.violations.length ?? 0) + (acceptor?.violations.length ?? 0) + (payword?.violations.length ?? 0) ? 1 : 0);
