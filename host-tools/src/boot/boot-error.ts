// A refusal of the board shell's boot channel: a stable code (the image library's IMAGE_*
// codes for a refused image, BOOT_* for the update steps), the reason and what to do. The
// shell sends all three in the ERR body, so the host shows the device's own words.
export class BootRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
