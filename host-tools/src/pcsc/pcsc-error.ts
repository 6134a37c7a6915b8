// The error the PC/SC reader path throws: a code, what went wrong, and what to do about it.
export class PcscError extends Error {
  constructor(readonly code: string, message: string, readonly hint: string) {
    super(message);
    this.name = "PcscError";
  }
}
