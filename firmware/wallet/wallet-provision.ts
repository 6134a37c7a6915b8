// Provisioning (issuer or factory, over the link): certificate chain, currency, envelope,
// opening balance and owner PIN, written in ONE store transaction. Accepted only while the
// wallet is blank, so a provisioned card can never be re-personalised over the link. On a
// blank device (its own keys, not the demo set-up) the same transaction moves the device's
// lifecycle state to provisioned (app/device-mode.ts); on a demo device it stays demo.
import { STATE_BLANK, STATE_PROVISIONED, lifecycleCommitted, lifecycleStage, lifecycleState } from "../app/device-mode";
import { fillBytes, writeU32LE } from "../lib/bytes";
import { txAbort, txBegin, txCommit, txPut } from "../store/store";
import { deviceKid, devicePub, devicePubLen, loadDeviceKey } from "./device-key";
import { CFG_CUMULATIVE, CFG_CURRENCY, CFG_MAX_BALANCE, CFG_MAX_COUNT, CFG_PER_PAYMENT, CFG_SLOT, CFG_STATE, KEY_CERT_BATCH, KEY_CERT_DEVICE, KIND_PROVISION, LOG_AMOUNT, LOG_BALANCE, LOG_KIND, LOG_SIZE, MAX_CERT, SUB_BALANCE, SUB_CUMULATIVE, SUB_MAX_COUNT, SUB_OPEN, SUB_PER_PAYMENT } from "./wallet-layout";
import { walletConfig, logEntry, setCfg, setSub, stageRecords, walletActive, walletLoad } from "./wallet-state";
import { PIN_OK, pinDigitsOnly, pinProvision } from "./wallet-pin";

export const PROV_OK: i32 = 0;
export const PROV_ALREADY: i32 = 1;
export const PROV_NO_KEY: i32 = 2;
export const PROV_CERT: i32 = 3;
export const PROV_ARGS: i32 = 4;
export const PROV_STORE: i32 = 5;

/** True when the `n` bytes at `needle` occur in the `len` bytes at `hay`. */
function contains(hay: usize, len: i32, needle: usize, n: i32): bool {
  for (let i = 0; i + n <= len; i++) if (memory.compare(hay + i, needle, n) == 0) return true;
  return false;
}

export function provision(slot: i32, currency: usize, maxBalance: u32, perPayment: u32, cumulative: u32, maxCount: u32, balance: u32, pin: usize, pinLen: i32, batch: usize, batchLen: i32, device: usize, deviceLen: i32): i32 {
  if (walletActive()) return PROV_ALREADY;
  if (loadDeviceKey(slot) == 0) return PROV_NO_KEY;
  if (batchLen < 16 || batchLen > MAX_CERT || deviceLen < 16 || deviceLen > MAX_CERT) return PROV_CERT;
  // The device certificate must certify this card's key (full check is the verifier's job).
  if (!contains(device, deviceLen, devicePub(), devicePubLen()) || !contains(device, deviceLen, deviceKid(), 8)) return PROV_CERT;
  if (!pinDigitsOnly(pin, pinLen) || balance > maxBalance || perPayment == 0 || maxCount == 0) return PROV_ARGS;
  store<u8>(walletConfig() + CFG_STATE, 1);
  store<u8>(walletConfig() + CFG_SLOT, <u8>slot);
  memory.copy(walletConfig() + CFG_CURRENCY, currency, 3);
  setCfg(CFG_MAX_BALANCE, maxBalance);
  setCfg(CFG_PER_PAYMENT, perPayment);
  setCfg(CFG_CUMULATIVE, cumulative);
  setCfg(CFG_MAX_COUNT, maxCount);
  setSub(0, SUB_OPEN, 1);
  setSub(0, SUB_BALANCE, balance);
  setSub(0, SUB_PER_PAYMENT, perPayment);
  setSub(0, SUB_CUMULATIVE, cumulative);
  setSub(0, SUB_MAX_COUNT, maxCount);
  fillBytes(logEntry(), 0, LOG_SIZE);
  writeU32LE(logEntry() + LOG_AMOUNT, balance);
  writeU32LE(logEntry() + LOG_BALANCE, balance);
  store<u8>(logEntry() + LOG_KIND, KIND_PROVISION);
  const toProvisioned = lifecycleState() == STATE_BLANK;
  let ok = txBegin() >= 0;
  ok = ok && stageRecords(0, -1) >= 0; // config, sub 0, log entry, log head: 4 records
  ok = ok && txPut(KEY_CERT_BATCH, batch, batchLen) >= 0;
  ok = ok && txPut(KEY_CERT_DEVICE, device, deviceLen) >= 0;
  ok = ok && pinProvision(pin, pinLen) == PIN_OK;
  ok = ok && (!toProvisioned || lifecycleStage(STATE_PROVISIONED) >= 0);
  ok = ok && txCommit() >= 0;
  if (!ok) {
    txAbort();
    walletLoad();
    return PROV_STORE;
  }
  if (toProvisioned) lifecycleCommitted(STATE_PROVISIONED);
  return PROV_OK;
}
