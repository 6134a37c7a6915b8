// The PC/SC reader path (scriptor over pcsc-lite): sessions and the NfcPath built on them.
export { ReaderSession, VPCD_READER, pcscToolsMissing, type ReaderSessionOptions } from "./reader-session.ts";
export { pcscPath } from "./pcsc-path.ts";
