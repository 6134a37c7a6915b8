// One scratch arena for link ops that never run together. A link request runs one op to its
// answer before the next request is read, so an op owns the arena from its start to its
// answer and nothing in it outlives the op. Owners, one at a time:
// - wallet.info and wallet.provision (wallet/wallet-ops.ts): the encoded info, the stored
//   certificate chain; the currency, PIN and device certificate being provisioned;
// - the provision ops (provision/provision-ops.ts): identity.get's and identity.keygen's
//   public keys, each encoded before the next is read, then identity.get's stored certificate
//   chain; identity.set's device public key; key.unwrap's key check value block;
// - nfc-test apdu / t2t (nfc/nfc-test-ops.ts): the injected command and the tag's response,
//   while the tag apps run (they never use the arena).
// Code an owner calls must not use it; add an owner only if it is reached from a link op alone.
// Before: three buffers of 512 B and one of 255 B; then the provision ops' own 162 B.

export const OP_SCRATCH_BYTES: i32 = 512;
export const OP_SCRATCH = memory.data(OP_SCRATCH_BYTES);
