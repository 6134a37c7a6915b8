// Sends each link request to the module that owns its channel.
import { CH_APP, CH_LOG, CH_NFC_TEST, CH_SHELL } from "./link/protocol";
import { UNKNOWN_CHANNEL, fail } from "./link/status";
import { shellOp } from "./shell/shell-ops";
import { appOp } from "./app/app-ops";
import { nfcTestOp } from "./nfc/nfc-test-ops";
import { levelOp } from "./log/link-log";

export function routeRequest(channel: i32, opPtr: usize, opLen: i32): i32 {
  switch (channel) {
    case CH_SHELL: return shellOp(opPtr, opLen);
    case CH_APP: return appOp(opPtr, opLen);
    case CH_NFC_TEST: return nfcTestOp(opPtr, opLen);
    case CH_LOG: return levelOp(); // the receiver lets only op "level" through
    default: return fail(UNKNOWN_CHANNEL, "no such channel");
  }
}
