// The images the update torture flashes: six versions of the board's built module signed
// by the torture's own key with security counters 0,0,1,1,2,2 (so downgrades are tried and
// refused), one of them with a flipped module byte (signed, but its hash fails) and one
// signed by a key the device does not trust. Only the first six count as well-signed.
// Versions 1.1, 1.3 and 1.5 carry a module whose self-test fails (selfTestFailingModule), so
// they stay on trial for the host to confirm or revert; the others confirm themselves.
import type { Board } from "../boards/board.ts";
import { COSE_ALG_EDDSA, signerFromSecret, type Signer } from "../cose/sig-alg.ts";
import { signImage } from "../image/index.ts";
import type { UpdateTortureImage } from "./update-torture.ts";

export function tortureKey(seed: number): Signer {
  return signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill((seed % 251) + 1));
}

/** SHA-256("abc"): the keystore known answer the firmware's self-test compares (firmware/app/self-test.ts). */
const SELF_TEST_DIGEST = Buffer.from("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "hex");

/**
 * The module with one byte of its self-test's expected digest flipped: a well-formed image
 * whose firmware runs but never confirms itself (tests of the trial path, the torture).
 */
export function selfTestFailingModule(module: Uint8Array): Uint8Array {
  const at = Buffer.from(module).indexOf(SELF_TEST_DIGEST);
  if (at < 0 || Buffer.from(module).indexOf(SELF_TEST_DIGEST, at + 1) >= 0) {
    throw new Error("the module does not hold the self-test digest exactly once (firmware/app/self-test.ts changed?)");
  }
  const out = module.slice();
  out[at + 31] ^= 0x01;
  return out;
}

export async function tortureImages(board: Board, module: Uint8Array, key: Signer): Promise<UpdateTortureImage[]> {
  const images: UpdateTortureImage[] = [];
  const failing = selfTestFailingModule(module);
  for (let i = 0; i < 6; i++) {
    const selfConfirms = i % 2 === 0;
    const s = await signImage({ module: selfConfirms ? module : failing, board, key, version: [1, i, 0], securityCounter: i >> 1 });
    images.push({ bytes: s.image, good: true, selfConfirms, securityCounter: i >> 1, label: `1.${i}.0${selfConfirms ? "" : " (self-test fails)"}` });
  }
  const tampered = images[2]!.bytes.slice();
  tampered[tampered.length - 100] ^= 0x01;
  images.push({ bytes: tampered, good: false, selfConfirms: false, securityCounter: 1, label: "tampered module" });
  const stranger = signerFromSecret(
    COSE_ALG_EDDSA,
    key.publicKey.slice(0, 32).map((b) => b ^ 0x5a),
  );
  const foreign = await signImage({ module, board, key: stranger, version: [9, 0, 0], securityCounter: 0 });
  images.push({ bytes: foreign.image, good: false, selfConfirms: true, securityCounter: 0, label: "untrusted key" });
  return images;
}
