// The error every NDEF and tag-template function throws: a code, what went wrong, and what
// the user can do about it.
export class NdefError extends Error {
  constructor(readonly code: string, message: string, readonly hint: string) {
    super(message);
    this.name = "NdefError";
  }
}
