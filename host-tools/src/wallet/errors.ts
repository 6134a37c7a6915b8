// Why a voucher, certificate or settlement input was refused: a stable code for scripts,
// a reason, and a hint for the person at the bench or the settlement desk.

export class WalletError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    /** the card's 6985 reason byte, when the card refused */
    readonly reason?: number,
  ) {
    super(message);
    this.name = "WalletError";
  }
}
