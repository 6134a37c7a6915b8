// Every conformance case, by area, in the order a run executes them.
import type { ConformanceCase } from "../case.ts";
import { LINK_CASES } from "./link.ts";
import { WALLET_CASES } from "./wallet.ts";
import { WALLET_ACCEPTOR_CASES } from "./wallet-acceptor.ts";
import { QR_CASES } from "./qr.ts";
import { NFC_CASES } from "./nfc.ts";
import { IMAGE_CASES } from "./image.ts";

export const ALL_CASES: ConformanceCase[] = [...LINK_CASES, ...WALLET_CASES, ...WALLET_ACCEPTOR_CASES, ...QR_CASES, ...NFC_CASES, ...IMAGE_CASES];
