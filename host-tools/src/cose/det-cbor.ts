// Deterministic CBOR (RFC 8949 §4.2.1 core deterministic encoding) for signed wallet and image
// structures, and a strict decoder that refuses anything that would not re-encode to the
// same bytes. Signatures are always checked over the bytes received; the re-encoding check
// only rejects non-canonical producers (two encodings of one voucher would defeat
// duplicate detection at settlement).
import { decode, encode, rfc8949EncodeOptions } from "cborg";
import type { TagDecoder } from "cborg";
import { TapkitError } from "../errors/index.ts";

export const COSE_SIGN1_TAG = 18;

/** A CBOR tag kept as data (only COSE_Sign1's tag 18 is accepted). */
export class Tagged {
  constructor(
    readonly tag: number,
    readonly value: unknown,
  ) {}
}

/** Deterministic encoding of `value` (Maps with integer keys, arrays, bytes, text, uints);
 * a Tagged value is allowed only at the outermost level (COSE_Sign1). */
export function encodeDet(value: unknown): Uint8Array {
  if (value instanceof Tagged) {
    const inner = encode(value.value, rfc8949EncodeOptions);
    const head = encode(value.tag, rfc8949EncodeOptions); // uint head with the tag's number
    head[0] = (head[0] & 0x1f) | 0xc0; // same argument, major type 6
    const out = new Uint8Array(head.length + inner.length);
    out.set(head);
    out.set(inner, head.length);
    return out;
  }
  return encode(value, rfc8949EncodeOptions);
}

function tagTable(): TagDecoder[] {
  const tags: TagDecoder[] = [];
  tags[COSE_SIGN1_TAG] = ((decodeInner: () => unknown) => new Tagged(COSE_SIGN1_TAG, decodeInner())) as unknown as TagDecoder;
  return tags;
}

/**
 * Strict decode: definite lengths, no floats, no undefined, no duplicate keys, only tag 18,
 * and the bytes must be exactly the deterministic encoding of the decoded value.
 */
export function decodeDet(bytes: Uint8Array, what: string): unknown {
  let value: unknown;
  try {
    value = decode(bytes, {
      strict: true,
      useMaps: true,
      rejectDuplicateMapKeys: true,
      allowIndefinite: false,
      allowUndefined: false,
      allowBigInt: false,
      allowNaN: false,
      allowInfinity: false,
      tags: tagTable(),
    });
  } catch (e) {
    throw new TapkitError(
      "CBOR_MALFORMED",
      `${what} is not valid CBOR for a signed structure: ${(e as Error).message}`,
      "the file may be truncated or not a tapkit wallet file",
    );
  }
  if (containsFloat(value))
    throw new TapkitError(
      "CBOR_FLOAT",
      `${what} contains a floating-point number`,
      "signed data holds integers only (amounts in minor units, versions as integers)",
    );
  const again = encodeDet(value);
  if (!bytesEqual(again, bytes)) {
    throw new TapkitError(
      "CBOR_NOT_DETERMINISTIC",
      `${what} is not in core deterministic CBOR (RFC 8949 §4.2.1)`,
      "the producer must use shortest heads and bytewise-sorted map keys",
    );
  }
  return value;
}

function containsFloat(v: unknown): boolean {
  if (typeof v === "number") return !Number.isInteger(v);
  if (Array.isArray(v)) return v.some(containsFloat);
  if (v instanceof Map) return [...v.values()].some(containsFloat);
  if (v instanceof Tagged) return containsFloat(v.value);
  return false;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
