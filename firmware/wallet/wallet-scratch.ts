// The wallet's per-call scratch: bytes one wallet APDU, or the wallet.provision op, needs only
// until it answers (the voucher being built and signed, the PIN check's HMAC blocks, the batch
// certificate SYNC or provisioning checks). They live in the NFC write-staging buffer
// (nfc/write-staging.ts) instead of buffers of their own (1,023 B on the card). That buffer is
// free whenever a wallet APDU runs: the NDEF tag app holds it only while it is the current
// applet with a write under way, and selecting the wallet drops that write; host ops that build
// there (ndef.build) hold it only within their own call. The entry point claims it for its call
// (claimWalletScratch) and releases it before answering; code reached otherwise must not use
// these offsets.
import { NDEF_FILE_SIZE } from "../nfc/ndef-file";
import { OWNER_WALLET, claimStaging, releaseStaging, stagingBuffer } from "../nfc/write-staging";
import { MAX_CERT, PIN_SALT_SIZE } from "./wallet-layout";

// Each region starts on a 16-byte boundary, as its own memory.data buffer did: memory.copy
// takes its word-wise path only between equally aligned addresses. (Spelled out, not a
// function, so the layout stays a compile-time constant.)

// voucher-builder.ts: payload, protected header, Sig_structure, signature.
export const VOUCHER_PAYLOAD_CAP: i32 = 200;
export const VOUCHER_PAYLOAD_AT: i32 = 0;
export const VOUCHER_PROTECTED_CAP: i32 = 16;
export const VOUCHER_PROTECTED_AT: i32 = (VOUCHER_PAYLOAD_AT + VOUCHER_PAYLOAD_CAP + 15) & ~15;
export const VOUCHER_SIG_STRUCT_CAP: i32 = 240;
export const VOUCHER_SIG_STRUCT_AT: i32 = (VOUCHER_PROTECTED_AT + VOUCHER_PROTECTED_CAP + 15) & ~15;
export const VOUCHER_SIGNATURE_AT: i32 = (VOUCHER_SIG_STRUCT_AT + VOUCHER_SIG_STRUCT_CAP + 15) & ~15;
// wallet-pin.ts: salt || PIN (8 digits at most), C, nonce, the keystore's HMAC, ours, the pad block.
export const PIN_MESSAGE_AT: i32 = (VOUCHER_SIGNATURE_AT + 64 + 15) & ~15;
export const PIN_C_AT: i32 = (PIN_MESSAGE_AT + PIN_SALT_SIZE + 8 + 15) & ~15;
export const PIN_NONCE_AT: i32 = (PIN_C_AT + 32 + 15) & ~15;
export const PIN_FROM_KEYSTORE_AT: i32 = (PIN_NONCE_AT + 16 + 15) & ~15;
export const PIN_COMPUTED_AT: i32 = (PIN_FROM_KEYSTORE_AT + 32 + 15) & ~15;
export const PIN_PAD_AT: i32 = (PIN_COMPUTED_AT + 32 + 15) & ~15;
// wallet-state.ts: the batch certificate.
export const BATCH_CERT_AT: i32 = (PIN_PAD_AT + 64 + 32 + 15) & ~15;
/** Bytes used: 1,023 of the staging buffer's NDEF_FILE_SIZE (1,024). */
export const WALLET_SCRATCH_BYTES: i32 = BATCH_CERT_AT + MAX_CERT;

export function walletScratch(): usize {
  return stagingBuffer();
}

/** Takes the scratch for the current call; false (never expected) when someone else holds it. */
export function claimWalletScratch(): bool {
  // A layout past the buffer fails the build (ERROR is a compile-time diagnostic in asc).
  if (WALLET_SCRATCH_BYTES > NDEF_FILE_SIZE) ERROR("wallet scratch layout is larger than the NFC write-staging buffer");
  return claimStaging(OWNER_WALLET);
}

export function releaseWalletScratch(): void {
  releaseStaging(OWNER_WALLET);
}
