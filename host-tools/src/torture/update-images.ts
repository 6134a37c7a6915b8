// The images the update torture flashes: six versions of the board's built module signed
// by the torture's own key with security counters 0,0,1,1,2,2 (so downgrades are tried and
// refused), one of them with a flipped module byte (signed, but its hash fails) and one
// signed by a key the device does not trust. Only the first six count as well-signed.
import type { Board } from "../boards/board.ts";
import { COSE_ALG_EDDSA, signerFromSecret, type Signer } from "../cose/sig-alg.ts";
import { signImage } from "../image/index.ts";
import type { UpdateTortureImage } from "./update-torture.ts";

export function tortureKey(seed: number): Signer {
  return signerFromSecret(COSE_ALG_EDDSA, new Uint8Array(32).fill((seed % 251) + 1));
}

export async function tortureImages(board: Board, module: Uint8Array, key: Signer): Promise<UpdateTortureImage[]> {
  const images: UpdateTortureImage[] = [];
  for (let i = 0; i < 6; i++) {
    const s = await signImage({ module, board, key, version: [1, i, 0], securityCounter: i >> 1 });
    images.push({ bytes: s.image, good: true, securityCounter: i >> 1, label: `1.${i}.0` });
  }
  const tampered = images[2]!.bytes.slice();
  tampered[tampered.length - 100] ^= 0x01;
  images.push({ bytes: tampered, good: false, securityCounter: 1, label: "tampered module" });
  const stranger = signerFromSecret(
    COSE_ALG_EDDSA,
    key.publicKey.slice(0, 32).map((b) => b ^ 0x5a),
  );
  const foreign = await signImage({ module, board, key: stranger, version: [9, 0, 0], securityCounter: 0 });
  images.push({ bytes: foreign.image, good: false, securityCounter: 0, label: "untrusted key" });
  return images;
}
