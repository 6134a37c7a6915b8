// The error the tap verifiers throw: a stable code (BAD_MAC, REPLAY, ...), the reason and a
// hint for whoever operates the backend.
export class VerifyError extends Error {
  constructor(readonly code: string, message: string, readonly hint: string) {
    super(message);
    this.name = "VerifyError";
  }
}
