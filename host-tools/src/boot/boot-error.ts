// A refusal of the board shell's boot channel: a stable code (the image library's IMAGE_*
// codes for a refused image, BOOT_* for the update steps, or a link error code such as
// bad-arg), the reason and what to do. The shell sends all three in the ERR body, so the
// host shows the device's own words.
import { TapkitError, type ErrorCode } from "../errors/index.ts";

export class BootRefused extends TapkitError {
  constructor(code: string, message: string, hint: string) {
    super(code as ErrorCode, message, hint);
  }
}
