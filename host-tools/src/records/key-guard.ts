// The guard that keeps key bytes out of the records: the database stores key ids and key
// check values (KCV, 3 bytes) only. Anything a caller hands the records layer as free-form
// data passes through here; a field whose name says it carries a key (other than a public
// key or a key id), or a value long enough to be an AES/EC secret under such a name, is
// refused before anything is written.
import { TapkitError } from "../errors/index.ts";

const ALLOWED = /^(publicKey|public_key|keyId|key_id|keyIds|kcv|keyCheckValue|.*KeyId|.*KeyKcv|.*Kcv)$/;
const KEYISH = /(key|secret|seed|priv|master|mnemonic)/i;

export function assertNoKeyMaterial(data: Readonly<Record<string, unknown>>, where: string): void {
  for (const [name, value] of Object.entries(data)) {
    if (ALLOWED.test(name)) {
      if (/kcv/i.test(name) && typeof value === "string" && !/^[0-9A-Fa-f]{6}$/.test(value)) {
        throw refuse(where, name, "a key check value is 3 bytes (6 hex digits)");
      }
      continue;
    }
    if (KEYISH.test(name)) throw refuse(where, name, "records keep key ids and key check values, never key bytes");
  }
}

function refuse(where: string, name: string, why: string): TapkitError {
  return new TapkitError(
    "KEY_MATERIAL_REFUSED",
    `${where}: field ${JSON.stringify(name)} refused: ${why}`,
    "pass the key's id and its KCV (tapkit's kcv() helper), not the key",
    { field: name },
  );
}
