// The wallet applet (docs/wallet-apdu.md): ISO 7816-4 APDUs behind its own AID on the card
// board's Type 4 interface. Binary command data, CBOR only where a structure is returned
// (info) or signed (vouchers, certificates). Refusals carry a one-byte reason with 6985.
import { bytesEqual } from "../lib/bytes";
import { encodeBytes, encodeInt, encodeMap, encodeText, encodeTextBytes, encodeUint } from "../codec/cbor/cbor-writer";
import { registerApplet } from "../nfc/applets";
import { counterRead, storeDelete, storeGet } from "../store/store";
import { borrowEncoder, returnEncoder } from "./borrowed-encoder";
import { deviceKid, devicePub, devicePubLen, loadDeviceKey } from "./device-key";
import { CFG_COUNT, CFG_CUMULATIVE, CFG_CURRENCY, CFG_EPOCH, CFG_MAX_BALANCE, CFG_MAX_COUNT, CFG_PER_PAYMENT, CFG_SLOT, CFG_SPENT, KEY_CERT_BATCH, KEY_CERT_DEVICE, KEY_LAST_VOUCHER, MAX_CERT, SUB_BALANCE, SUB_OPEN, SUB_PER_PAYMENT, SUB_WALLETS, VOUCHER_COUNTER_ID } from "./wallet-layout";
import { walletConfig, cfg, readLog, sub, walletActive, walletLoad } from "./wallet-state";
import { R_CHAIN_OPEN, R_STORE, beginPayment, endSession, paymentStoreError, signPayment } from "./wallet-payment";
import { PIN_BLOCKED, PIN_OK, pinForget, pinSet, pinTriesLeft, pinVerified, pinVerify } from "./wallet-pin";
import { OWNER_ABOVE_ENVELOPE, OWNER_BALANCE, OWNER_BAD_SUB, OWNER_OK, closeSub, fundSub, setLimits } from "./wallet-owner";
import { CHAIN_NONE, CHAIN_STORE, chainClose, chainOpenOn, chainRefund, chainRelease } from "./wallet-payword";
import { syncStoreError, walletSync } from "./wallet-sync";
import { claimWalletScratch, releaseWalletScratch } from "./wallet-scratch";

// F0 = proprietary, unregistered RID; "tapkW1".
function walletAid(): usize {
  return memory.data<u8>([0xf0, 0x74, 0x61, 0x70, 0x6b, 0x57, 0x31]);
}
const AID_LEN: i32 = 7;
const RESPONSE_CAP: i32 = 256;

// PayWord refusal reasons (docs/wallet-apdu.md), next to wallet-payment's 1..12.
const R_NO_CHAIN: i32 = 13;
const R_CHAIN_INDEX: i32 = 14;

const INS_GET_DATA: u8 = 0xca;
const INS_BEGIN: u8 = 0x50;
const INS_SIGN: u8 = 0x52;
const INS_READ_RECORD: u8 = 0xb2;
const INS_VERIFY: u8 = 0x20;
const INS_CHANGE_PIN: u8 = 0x24;
const INS_MANAGE_SUB: u8 = 0xd4;
const INS_SIGN_CHAIN: u8 = 0x54;
const INS_PAYWORD: u8 = 0x56;
const INS_CLOSE_CHAIN: u8 = 0x58;
const INS_SYNC: u8 = 0x5a;
const INS_ACK_VOUCHER: u8 = 0x5c;

const SW_OK: u32 = 0x9000;
const SW_WRONG_LENGTH: u32 = 0x6700;
const SW_SECURITY: u32 = 0x6982;
const SW_BLOCKED: u32 = 0x6983;
const SW_CONDITIONS: u32 = 0x6985;
const SW_WRONG_DATA: u32 = 0x6a80;
const SW_NO_RECORD: u32 = 0x6a83;
const SW_P1P2: u32 = 0x6a86;
const SW_INS: u32 = 0x6d00;
const SW_INTERNAL: u32 = 0x6f00;
const SW_WRONG_LE: u32 = 0x6c00;

function sw(buf: usize, at: i32, code: u32): i32 {
  store<u8>(buf + at, <u8>(code >> 8));
  store<u8>(buf + at + 1, <u8>code);
  return at + 2;
}

function refuse(buf: usize, reason: i32): i32 {
  store<u8>(buf, <u8>reason);
  return sw(buf, 1, SW_CONDITIONS);
}

/** 6985 0A with the store's error code (negated) as a second byte, for the technician. */
function storeRefusal(buf: usize, err: i32): i32 {
  store<u8>(buf, <u8>R_STORE);
  store<u8>(buf + 1, <u8>(-err));
  return sw(buf, 2, SW_CONDITIONS);
}

function putBe32(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 24));
  store<u8>(p + 1, <u8>(v >> 16));
  store<u8>(p + 2, <u8>(v >> 8));
  store<u8>(p + 3, <u8>v);
}

function be32(p: usize): u32 {
  return (<u32>load<u8>(p) << 24) | (<u32>load<u8>(p + 1) << 16) | (<u32>load<u8>(p + 2) << 8) | <u32>load<u8>(p + 3);
}

/** Writes the info map (docs/wallet-apdu.md, GET DATA 00) at buf; returns its length or -1. */
export function encodeWalletInfo(buf: usize, cap: i32, blankSlot: i32): i32 {
  const active = walletActive();
  // Before provisioning, report the key in the slot the issuer is about to certify.
  const alg = loadDeviceKey(active ? <i32>load<u8>(walletConfig() + CFG_SLOT) : blankSlot);
  borrowEncoder(buf, cap);
  encodeMap(active ? 9 : 4);
  encodeText("v");
  encodeUint(1);
  encodeText("alg");
  encodeInt(alg);
  if (active) {
    encodeText("bal");
    encodeUint(<u64>sub(0, SUB_BALANCE));
    encodeText("ctr");
    encodeUint(<u64>counterRead(VOUCHER_COUNTER_ID));
    encodeText("cur");
    encodeTextBytes(walletConfig() + CFG_CURRENCY, 3);
  }
  encodeText("kid");
  encodeBytes(deviceKid(), alg != 0 ? 8 : 0);
  if (active) {
    encodeText("pin");
    encodeUint(<u64>pinTriesLeft());
  }
  encodeText("pub");
  encodeBytes(devicePub(), alg != 0 ? devicePubLen() : 0);
  if (active) {
    encodeText("epoch");
    encodeUint(<u64>cfg(CFG_EPOCH));
  }
  return returnEncoder();
}

function getData(buf: usize, p2: u8): i32 {
  if (p2 == 0) {
    const n = encodeWalletInfo(buf, RESPONSE_CAP, 0);
    return n < 0 ? sw(buf, 0, SW_INTERNAL) : sw(buf, n, SW_OK);
  }
  if (p2 == 1 || p2 == 2) {
    const n = storeGet(p2 == 1 ? KEY_CERT_BATCH : KEY_CERT_DEVICE, buf, MAX_CERT);
    return n < 0 ? sw(buf, 0, SW_NO_RECORD) : sw(buf, n, SW_OK);
  }
  if (p2 == 3) {
    // sub-wallet balances: 4 x (open u8, balance u32 BE)
    for (let i = 0; i < SUB_WALLETS; i++) {
      const at = buf + <usize>(i * 5);
      store<u8>(at, <u8>sub(i, SUB_OPEN));
      putBe32(at + 1, sub(i, SUB_BALANCE));
    }
    return sw(buf, SUB_WALLETS * 5, SW_OK);
  }
  if (p2 == 4) {
    // limits and use since the last sync: the card's envelope and totals (6 x u32 BE), then
    // per sub-wallet its caps and totals (5 x u32 BE), so the owner sees what a payment meets.
    putBe32(buf, cfg(CFG_MAX_BALANCE));
    putBe32(buf + 4, cfg(CFG_PER_PAYMENT));
    putBe32(buf + 8, cfg(CFG_CUMULATIVE));
    putBe32(buf + 12, cfg(CFG_MAX_COUNT));
    putBe32(buf + 16, cfg(CFG_SPENT));
    putBe32(buf + 20, cfg(CFG_COUNT));
    for (let i = 0; i < SUB_WALLETS; i++) {
      for (let f = 0; f < 5; f++) putBe32(buf + <usize>(24 + i * 20 + f * 4), sub(i, SUB_PER_PAYMENT + f * 4));
    }
    return sw(buf, 24 + SUB_WALLETS * 20, SW_OK);
  }
  if (p2 == 5) {
    // the last signed voucher, kept until ACK VOUCHER (wallet-payment.ts commits it with the debit)
    const n = storeGet(KEY_LAST_VOUCHER, buf, RESPONSE_CAP);
    return n < 0 ? sw(buf, 0, SW_NO_RECORD) : sw(buf, n, SW_OK);
  }
  return sw(buf, 0, SW_P1P2);
}

/**
 * ISO 7816-4 Le on GET DATA: `n` is the answer at buf (data and status word). With an Le
 * below the data's length the card sends no data and 6Cxx, xx the exact length to ask
 * again with; Le absent or 00 (256) or at least the length gets the whole answer.
 */
function honourLe(buf: usize, n: i32, le: i32): i32 {
  const dataLen = n - 2;
  if (le == 0 || dataLen <= le || load<u8>(buf + <usize>dataLen) != 0x90) return n;
  return sw(buf, 0, SW_WRONG_LE | <u32>(dataLen & 0xff));
}

/** ACK VOUCHER: the host holds the voucher of `counter` durably; the card may forget it. */
function ackVoucher(buf: usize, counter: u32): i32 {
  // The kept voucher is always the one of the newest counter (it is replaced in the same
  // transaction that advances the counter), so an ack names it by that counter and a
  // stale ack cannot remove a newer voucher. Acking again answers 9000 (a lost answer).
  if (<i64>counter != counterRead(VOUCHER_COUNTER_ID) || counter == 0) return sw(buf, 0, SW_WRONG_DATA);
  const r = storeDelete(KEY_LAST_VOUCHER);
  return r < 0 ? storeRefusal(buf, r) : sw(buf, 0, SW_OK);
}

/** Whether the applet knows `ins` at all (an unknown one answers 6D00 whatever the state). */
function knownIns(ins: u8): bool {
  return (
    ins == INS_GET_DATA || ins == INS_BEGIN || ins == INS_SIGN || ins == INS_READ_RECORD || ins == INS_VERIFY || ins == INS_CHANGE_PIN ||
    ins == INS_MANAGE_SUB || ins == INS_SIGN_CHAIN || ins == INS_PAYWORD || ins == INS_CLOSE_CHAIN || ins == INS_SYNC || ins == INS_ACK_VOUCHER
  );
}

function pinAnswer(buf: usize, r: i32): i32 {
  if (r == PIN_OK) return sw(buf, 0, SW_OK);
  if (r == PIN_BLOCKED) return sw(buf, 0, SW_BLOCKED);
  if (r > 0) return sw(buf, 0, 0x63c0 | <u32>r);
  return sw(buf, 0, SW_INTERNAL);
}

function ownerAnswer(buf: usize, r: i32): i32 {
  if (r == OWNER_OK) return sw(buf, 0, SW_OK);
  if (r == OWNER_BAD_SUB || r == OWNER_ABOVE_ENVELOPE || r == OWNER_BALANCE) return refuse(buf, 0x20 + r);
  return sw(buf, 0, SW_INTERNAL);
}

export function walletApdu(buf: usize, len: i32, selecting: bool): i32 {
  if (selecting) {
    store<u8>(buf, 1); // applet version
    store<u8>(buf + 1, walletActive() ? 1 : 0);
    return sw(buf, 2, SW_OK);
  }
  // The per-call scratch (wallet-scratch.ts) is this APDU's until it answers.
  if (!claimWalletScratch()) return sw(buf, 0, SW_INTERNAL);
  const n = walletCommand(buf, len);
  releaseWalletScratch();
  return n;
}

function walletCommand(buf: usize, len: i32): i32 {
  const ins = load<u8>(buf + 1);
  const p1 = load<u8>(buf + 2);
  const p2 = load<u8>(buf + 3);
  const lc = len > 5 ? <i32>load<u8>(buf + 4) : 0;
  const data = buf + 5;
  if (!knownIns(ins)) return sw(buf, 0, SW_INS);
  // A case-2 APDU (no data) of 5 bytes carries Le in its last byte; read before the answer overwrites it.
  if (ins == INS_GET_DATA) {
    const le = len == 5 ? <i32>load<u8>(buf + 4) : 0;
    return honourLe(buf, getData(buf, p2), le);
  }
  if (ins == INS_BEGIN) {
    if (lc < 2) return sw(buf, 0, SW_WRONG_LENGTH);
    const cl = <i32>load<u8>(data);
    if (1 + cl + 1 > lc) return sw(buf, 0, SW_WRONG_DATA);
    const pl = <i32>load<u8>(data + 1 + cl);
    const rest = lc - (2 + cl + pl);
    if (rest != 0 && rest != 8) return sw(buf, 0, SW_WRONG_DATA);
    let time: u64 = 0;
    if (rest == 8) time = (<u64>be32(data + 2 + cl + pl) << 32) | <u64>be32(data + 6 + cl + pl);
    const r = beginPayment(data + 1, cl, data + 2 + cl, pl, time);
    if (r != 0) return refuse(buf, r);
    const alg = loadDeviceKey(<i32>load<u8>(walletConfig() + CFG_SLOT));
    memory.copy(buf, deviceKid(), 8);
    store<u8>(buf + 8, <u8>(-alg));
    return sw(buf, 9, SW_OK);
  }
  if (ins == INS_SIGN) {
    if (lc != 8) return sw(buf, 0, SW_WRONG_LENGTH);
    const amount = be32(data);
    const n = signPayment(amount, data + 4, <i32>load<u8>(data + 7), buf, RESPONSE_CAP);
    if (n == -R_STORE) return storeRefusal(buf, paymentStoreError());
    if (n < 0) return refuse(buf, -n);
    return sw(buf, n, SW_OK);
  }
  if (ins == INS_SIGN_CHAIN) {
    if (lc != 12) return sw(buf, 0, SW_WRONG_LENGTH);
    const n = signPayment(0, data + 8, <i32>load<u8>(data + 11), buf, RESPONSE_CAP, be32(data), be32(data + 4));
    if (n == -R_STORE) return storeRefusal(buf, paymentStoreError());
    if (n < 0) return refuse(buf, -n);
    return sw(buf, n, SW_OK);
  }
  if (ins == INS_PAYWORD) {
    if (lc != 4) return sw(buf, 0, SW_WRONG_LENGTH);
    const w = chainRelease(be32(data));
    if (w == CHAIN_NONE) return refuse(buf, R_NO_CHAIN);
    if (w == CHAIN_STORE) return refuse(buf, R_STORE);
    if (w < 0) return refuse(buf, R_CHAIN_INDEX);
    memory.copy(buf, <usize>w, 32);
    return sw(buf, 32, SW_OK);
  }
  if (ins == INS_CLOSE_CHAIN) {
    const r = chainClose();
    if (r == CHAIN_NONE) return refuse(buf, R_NO_CHAIN);
    if (r < 0) return refuse(buf, R_STORE);
    putBe32(buf, chainRefund());
    return sw(buf, 4, SW_OK);
  }
  if (ins == INS_READ_RECORD) {
    if (p1 == 0) return sw(buf, 0, SW_P1P2);
    const n = readLog(<u32>p1 - 1, buf);
    return n < 0 ? sw(buf, 0, SW_NO_RECORD) : sw(buf, n, SW_OK);
  }
  if (!walletActive()) return refuse(buf, 1);
  if (ins == INS_ACK_VOUCHER) return lc == 4 ? ackVoucher(buf, be32(data)) : sw(buf, 0, SW_WRONG_LENGTH);
  if (ins == INS_SYNC) {
    // The token moves 16 bytes up: in-place verification writes 12 bytes before it.
    if (lc == 0) return sw(buf, 0, SW_WRONG_LENGTH);
    memory.copy(buf + 16, data, lc);
    const r = walletSync(buf + 16, lc);
    if (r == R_STORE) return storeRefusal(buf, syncStoreError());
    if (r != 0) return refuse(buf, r);
    putBe32(buf, cfg(CFG_EPOCH));
    putBe32(buf + 4, sub(0, SUB_BALANCE));
    return sw(buf, 8, SW_OK);
  }
  if (ins == INS_VERIFY) {
    if (lc == 0) {
      const left = pinTriesLeft();
      return pinVerified() ? sw(buf, 0, SW_OK) : left == 0 ? sw(buf, 0, SW_BLOCKED) : sw(buf, 0, 0x63c0 | <u32>left);
    }
    return pinAnswer(buf, pinVerify(data, lc));
  }
  if (!pinVerified()) return sw(buf, 0, SW_SECURITY);
  if (ins == INS_CHANGE_PIN) return pinSet(data, lc) == PIN_OK ? sw(buf, 0, SW_OK) : sw(buf, 0, SW_WRONG_DATA);
  if (ins == INS_MANAGE_SUB) {
    const s = <i32>p1;
    if (p2 == 1) return lc == 12 ? ownerAnswer(buf, setLimits(s, be32(data), be32(data + 4), be32(data + 8))) : sw(buf, 0, SW_WRONG_LENGTH);
    if (p2 == 2) return lc == 4 ? ownerAnswer(buf, fundSub(s, be32(data))) : sw(buf, 0, SW_WRONG_LENGTH);
    // A chain's refund returns to its sub-wallet at CLOSE CHAIN: close the chain first.
    if (p2 == 3) return chainOpenOn(s) ? refuse(buf, R_CHAIN_OPEN) : ownerAnswer(buf, closeSub(s));
    return sw(buf, 0, SW_P1P2);
  }
  return sw(buf, 0, SW_INS);
}

function walletDeselected(): void {
  endSession();
  pinForget();
}

/** tk_init: loads the wallet records and registers the applet. */
export function initWallet(): void {
  walletLoad();
  registerApplet(walletAid(), AID_LEN, walletApdu, walletDeselected);
}

export function walletAidMatches(ptr: usize, len: i32): bool {
  return len == AID_LEN && bytesEqual(ptr, walletAid(), AID_LEN);
}
