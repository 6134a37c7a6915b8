// The firmware's self-test after boot, and its confirmation of the image (docs/boot.md,
// "Firmware self-confirm"): when every part the device needs answers, the firmware tells the
// shell through hal.boot_confirm that this image works, so an image on trial stays without a
// host. A part that fails leaves the image unconfirmed, and the shell reverts it at the next
// reset. The parts: the store mounted, the keystore answers a SHA-256 known answer, the tag
// application was registered and the shell took its NFC personality, the panel took the
// splash (boards with a display), and the link codec echoes a known frame (CRC-32 check value
// and a COBS encoding). Runs once, at the end of tk_init; nothing here allocates.
import { boot_confirm } from "../hal/system";
import { sha256 } from "../hal/keystore";
import { crc32 } from "../codec/crc/crc32";
import { cobsEncode } from "../codec/cobs/cobs";
import { LEVEL_INFO, LEVEL_WARN, logBegin, logEnd, logLine, logText } from "../log/link-log";

// SHA-256("abc") (FIPS 180-2, appendix B.1). Tests build an image that fails its self-test by
// flipping one byte of this digest in the module's data (host-tools/src/torture/update-images.ts).
const ABC = memory.data<u8>([0x61, 0x62, 0x63]);
const ABC_SHA256 = memory.data<u8>([
  0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
  0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
]);
// CRC-32/ISO-HDLC of the nine ASCII digits "123456789" is CBF43926 (the catalogue check value).
const DIGITS = memory.data<u8>([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
const DIGITS_CRC: u32 = 0xcbf43926;
// COBS of 11 00 22 is 02 11 02 22 (Cheshire & Baker).
const COBS_IN = memory.data<u8>([0x11, 0x00, 0x22]);
const COBS_OUT = memory.data<u8>([0x02, 0x11, 0x02, 0x22]);
const SCRATCH = memory.data(32);

/** boot_confirm answers (docs/hal-abi.md): confirmed now, nothing to confirm. */
const CONFIRMED: i32 = 0;

function same(a: usize, b: usize, len: i32): bool {
  for (let i = 0; i < len; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** The name of the first part that fails, or null when all pass. */
function failingPart(storeStatus: i32, nfcStatus: i32, panelStatus: i32): string | null {
  if (storeStatus < 0) return "store";
  if (sha256(ABC, 3, SCRATCH) < 0 || !same(SCRATCH, ABC_SHA256, 32)) return "keystore";
  if (nfcStatus < 0) return "tag";
  if (panelStatus < 0) return "panel";
  if (crc32(DIGITS, 9) != DIGITS_CRC) return "link";
  if (cobsEncode(COBS_IN, 3, SCRATCH) != 4 || !same(SCRATCH, COBS_OUT, 4)) return "link";
  return null;
}

/** Runs the self-test with tk_init's results and, when it passes, confirms the running image. */
export function selfTestAndConfirm(storeStatus: i32, nfcStatus: i32, panelStatus: i32): void {
  const failed = failingPart(storeStatus, nfcStatus, panelStatus);
  if (failed != null) {
    const head = "self-test failed: ";
    const tail = "; the image is not confirmed";
    logBegin(LEVEL_WARN, head.length + failed.length + tail.length);
    logText(head);
    logText(failed);
    logText(tail);
    logEnd();
    return;
  }
  // 1: nothing on trial; E_UNSUPPORTED: the shell is no bootloader (nothing to say then).
  if (boot_confirm() == CONFIRMED) logLine(LEVEL_INFO, "self-test passed; image confirmed");
}
