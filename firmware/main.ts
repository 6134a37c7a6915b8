// HAL ABI v1 exports (docs/hal-abi.md): the only entry points the board shell calls.
// Everything is allocated statically; none of these calls allocates.
import "./hal/panic";
import { reset } from "./hal/system";
import { boardNameLen, boardNamePtr } from "./board";
import { mailbox, mailboxCapacity } from "./mailbox";
import { fwVersionLen, fwVersionPtr, loadIdentity } from "./identity";
import { receiveBytes, receiveLost, setRequestHandler } from "./link/receiver";
import { sendDelimiter, txFlush, txPending } from "./link/frame-writer";
import { dispatchRequest } from "./ops/dispatch";
import { resetPending } from "./shell/reset-request";
import { demoActive, loadLifecycle, wipePending } from "./app/device-mode";
import { loadIdentityRecord } from "./provision/identity-store";
import { finishWipe } from "./app/device-wipe";
import { LEVEL_INFO, LEVEL_WARN, logBegin, logBytes, logEnd, logLine, logText } from "./log/link-log";
import { configureNfc } from "./nfc/personality";
import { initNfcTag } from "./nfc/tag-init";
import { handleApdu } from "./nfc/type4";
import { handleT2t } from "./nfc/type2";
import { setField } from "./nfc/field";
import { showSplash } from "./display/panel";
import { bootPaymentScreen, paymentScreenTick } from "./display/payment-screen";
import { storeMount } from "./store/store";
import { initWallet } from "./wallet/wallet-applet";
import { HAS_DISPLAY, MODE_CARD } from "./board";
import { selfTestAndConfirm } from "./app/self-test";

const ABI_VERSION: i32 = 1;
const FLAG_DEMO: i32 = 1;
// Reason passed to hal.reset when the host asked for the reboot.
const RESET_REQUESTED: i32 = 1;

export function tk_abi_version(): i32 {
  return ABI_VERSION;
}

export function tk_init(flags: i32): i32 {
  // First: everything after may read state, and a cut during the last boot is repaired here.
  const storeStatus = storeMount();
  loadIdentity();
  loadLifecycle((flags & FLAG_DEMO) != 0);
  // A wipe a power cut interrupted ends before any module loads what it was erasing.
  const wipeStatus = wipePending() ? finishWipe() : 0;
  // After a finished wipe: the identity went with every other record.
  loadIdentityRecord();
  setRequestHandler(dispatchRequest);
  // End any half frame the host's receiver holds from before the boot.
  sendDelimiter();
  logBegin(LEVEL_INFO, 5 + boardNameLen() + 4 + fwVersionLen() + (demoActive() ? 5 : 0));
  logText("boot ");
  logBytes(boardNamePtr(), boardNameLen());
  logText(" fw ");
  logBytes(fwVersionPtr(), fwVersionLen());
  if (demoActive()) logText(" demo");
  logEnd();
  if (storeStatus < 0) logLine(LEVEL_WARN, "store did not mount; store ops answer internal");
  if (wipeStatus < 0) logLine(LEVEL_WARN, "interrupted wipe did not finish; it is retried at the next boot");
  initNfcTag(demoActive());
  if (MODE_CARD) initWallet();
  const nfcStatus = configureNfc();
  if (nfcStatus < 0) logLine(LEVEL_WARN, "nfc personality refused by the shell");
  const panelStatus = showSplash(demoActive());
  if (panelStatus < 0) logLine(LEVEL_WARN, "display refused the splash");
  bootPaymentScreen(demoActive());
  // Last: an image on trial is confirmed only once everything above came up (docs/boot.md).
  selfTestAndConfirm(storeStatus, nfcStatus, panelStatus);
  return 0;
}

export function tk_io_buffer(): usize {
  return mailbox();
}

export function tk_io_capacity(): i32 {
  return mailboxCapacity();
}

export function tk_link_rx(len: i32): void {
  if (len <= 0) return;
  // The wire bytes may carry a secret (a provisioning PIN): none outlives its delivery.
  if (len > mailboxCapacity()) {
    // A shell bug (docs/hal-abi.md: pieces of at most tk_io_capacity): what lay past the
    // mailbox was never ours to read, so the whole piece and the frame it belonged to go.
    memory.fill(mailbox(), 0, <usize>mailboxCapacity());
    receiveLost();
    logLine(LEVEL_WARN, "tk_link_rx over the mailbox capacity: piece refused, frame dropped");
    return;
  }
  receiveBytes(mailbox(), len);
  memory.fill(mailbox(), 0, <usize>len);
}

export function tk_tick(now_ms: i64): void {
  if (HAS_DISPLAY) paymentScreenTick(now_ms);
  txFlush();
  if (resetPending() && txPending() == 0) reset(RESET_REQUESTED);
}

export function tk_nfc_field(on: i32): void {
  setField(on != 0);
}

export function tk_nfc_apdu(len: i32): i32 {
  return handleApdu(mailbox(), clampToMailbox(len), true);
}

export function tk_nfc_t2t(len: i32): i32 {
  return handleT2t(mailbox(), clampToMailbox(len));
}

function clampToMailbox(len: i32): i32 {
  if (len < 0) return 0;
  return len < mailboxCapacity() ? len : mailboxCapacity();
}
