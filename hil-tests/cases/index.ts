// Every conformance case, by area, in the order a run executes them. Hand-written cases
// first in each area, then the families generated from spec tables (cases/families/).
import type { ConformanceCase } from "../case.ts";
import { LINK_CASES } from "./link.ts";
import { WALLET_CASES } from "./wallet.ts";
import { ACCEPTOR_REFUSAL_CASES, WALLET_ACCEPTOR_CASES } from "./wallet-acceptor.ts";
import { WALLET_LIMIT_CASES } from "./wallet-limits.ts";
import { WALLET_PIN_BLOCK_CASES, WALLET_PIN_CASES } from "./wallet-pin.ts";
import { WALLET_SYNC_CASES } from "./wallet-sync.ts";
import { QR_CASES } from "./qr.ts";
import { NFC_CASES } from "./nfc.ts";
import { T4T_COMMAND_CASES } from "./families/t4t-commands.ts";
import { ISO7816_CASES } from "./families/iso7816.ts";
import { NDEF_CASES } from "./families/ndef-records.ts";
import { LINK_TABLE_CASES } from "./families/link-tables.ts";
import { SUN_CASES } from "./families/sun.ts";
import { T2T_AND_CC_CASES } from "./families/t2t-and-cc.ts";
import { STORE_CASES } from "./families/store.ts";
import { QR_MATRIX_CASES } from "./families/qr-matrix.ts";
import { EMV_CASES } from "./families/emv-objects.ts";
import { IMAGE_CASES } from "./image.ts";

export const ALL_CASES: ConformanceCase[] = [
  ...LINK_CASES,
  ...LINK_TABLE_CASES,
  ...STORE_CASES,
  // The limit, PIN and sync families need an unblocked PIN: before WALLET-005 blocks it.
  ...WALLET_LIMIT_CASES,
  ...WALLET_PIN_CASES,
  ...WALLET_SYNC_CASES,
  ...WALLET_CASES,
  ...WALLET_PIN_BLOCK_CASES,
  ...WALLET_ACCEPTOR_CASES,
  ...ACCEPTOR_REFUSAL_CASES,
  ...QR_CASES,
  ...QR_MATRIX_CASES,
  ...EMV_CASES,
  ...NFC_CASES,
  ...T4T_COMMAND_CASES,
  ...SUN_CASES,
  ...T2T_AND_CC_CASES,
  ...ISO7816_CASES,
  ...NDEF_CASES,
  ...IMAGE_CASES,
];
