// Wallet power-cut soak: >= 10,000 random power cuts inside SIGN VOUCHER on the real
// sim-card build (npm test runs a bounded 300). Usage: node --import tsx scripts/soak-wallet.mjs [cuts] [seed]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BOARDS_DIR, firmwarePath } from "../host-tools/src/paths.ts";
import { powerCutCampaign } from "../host-tools/src/wallet/power-cut-campaign.ts";
import { COSE_ALG_EDDSA, signerFromSecret, issueCertificate, ROLE_BATCH } from "../host-tools/src/wallet/index.ts";

const cuts = Number(process.argv[2] ?? 10000);
const seed = Number(process.argv[3] ?? 1);
const root = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(1));
const batch = signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill(2));
const issuer = { root, batch, batchCert: issueCertificate(root, { role: ROLE_BATCH, publicKey: batch.publicKey }) };
const board = JSON.parse(readFileSync(join(BOARDS_DIR, "sim-card.json"), "utf8"));
const t0 = Date.now();
const r = await powerCutCampaign({ board, wasmPath: firmwarePath("sim-card"), issuer, cuts, seed });
console.log(JSON.stringify({ ...r, seconds: (Date.now() - t0) / 1000 }, null, 2));
process.exit(r.violations.length ? 1 : 0);
