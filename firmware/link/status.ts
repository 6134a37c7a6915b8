// Request outcomes and their protocol error codes. A handler returns OK or fail(code, msg);
// the receiver turns a failure into the `RESP|ERR {code, msg}` answer.

export const OK: i32 = 0;
export const UNKNOWN_OP: i32 = 1;
export const UNKNOWN_CHANNEL: i32 = 2;
export const BAD_BODY: i32 = 3;
export const BAD_ARG: i32 = 4;
export const TOO_LARGE: i32 = 5;
export const BUSY: i32 = 6;
export const UNSUPPORTED: i32 = 7;
export const INTERNAL: i32 = 8;

// Only string literals are stored here (static data), so setting it never allocates.
let lastMessage: string = "";

/** Records why a request failed and returns `status` for the handler to pass up. */
export function fail(status: i32, message: string): i32 {
  lastMessage = message;
  return status;
}

export function failureMessage(): string {
  return lastMessage;
}

export function statusCode(status: i32): string {
  switch (status) {
    case UNKNOWN_OP: return "unknown-op";
    case UNKNOWN_CHANNEL: return "unknown-channel";
    case BAD_BODY: return "bad-body";
    case BAD_ARG: return "bad-arg";
    case TOO_LARGE: return "too-large";
    case BUSY: return "busy";
    case UNSUPPORTED: return "unsupported";
    default: return "internal";
  }
}
