// The key-derivation context of the HAL's ks_unwrap (docs/hal-abi.md): shared by every
// keystore that unwraps (the simulator's, the emulated secure element) and by the host that
// seals keys to a device (provision/key-wrap.ts), so both sides derive the same KEK.

/** HKDF info of ks_unwrap: binds the KEK to both public keys and to where the key goes. */
export function unwrapInfo(devicePublicKey: Uint8Array, ephemeral: Uint8Array, alg: number, dest: number): Uint8Array {
  const label = new TextEncoder().encode("tapkit ks_unwrap v1");
  const info = new Uint8Array(label.length + 65 + 65 + 2);
  info.set(label, 0);
  info.set(devicePublicKey, label.length);
  info.set(ephemeral, label.length + 65);
  info[label.length + 130] = alg;
  info[label.length + 131] = dest;
  return info;
}
