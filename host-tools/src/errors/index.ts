// The host's error type and exit table; the bottom of the host layer (imports nothing of ours).
export { TapkitError, isTapkitError, asTapkitError, type ErrorCode, type ErrorDetails } from "./tapkit-error.ts";
export { EXIT, EXIT_MEANING, EXIT_FOR_CODE, exitStatusFor, type ExitName } from "./exit-status.ts";
