// CBOR bodies of link frames (RFC 8949): deterministic encoding and a strict decoder.
// Encoding follows core deterministic encoding (§4.2.1) so the host and the AssemblyScript
// firmware produce identical bytes; decoding rejects what the protocol forbids (indefinite
// lengths, floats, tags, duplicate keys, non-map bodies) instead of guessing.
import { decode, encode, rfc8949EncodeOptions, Tokenizer, Type } from "cborg";
import type { DecodeOptions, EncodeOptions, Token } from "cborg";

/** A decoded body: text keys to CBOR values (bytes are Uint8Array). */
export type Body = Record<string, unknown>;

/** Thrown by encodeBody/decodeBody; `reason` is a short text for logs and `bad-body`. */
export class BodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BodyError";
  }
}

const encodeOptions: EncodeOptions = {
  ...rfc8949EncodeOptions,
  typeEncoders: {
    // The protocol has no floats: a fractional number is a caller bug, not something to round.
    number: (value: unknown) => {
      if (typeof value === "number" && !Number.isSafeInteger(value)) {
        throw new BodyError(`cannot encode ${value}: link bodies carry integers only`);
      }
      return null;
    },
    undefined: () => {
      throw new BodyError("cannot encode undefined: leave the key out instead");
    },
  },
};

/** Encodes `body` (a plain object) deterministically. An empty object encodes to A0. */
export function encodeBody(body: Body): Uint8Array {
  if (body === null || typeof body !== "object" || Array.isArray(body) || body instanceof Uint8Array) {
    throw new BodyError("a link body must be a map (plain object)");
  }
  try {
    return encode(body, encodeOptions);
  } catch (e) {
    if (e instanceof BodyError) throw e;
    throw new BodyError(`cannot encode body: ${(e as Error).message}`);
  }
}

/** Wraps cborg's tokenizer to refuse token kinds the protocol forbids but cborg accepts. */
class StrictTokenizer extends Tokenizer {
  next(): Token {
    const token = super.next();
    if (token.type === Type.float) throw new BodyError("floats are not allowed in link bodies");
    if (token.type === Type.tag) throw new BodyError("tags are not allowed in link bodies");
    return token;
  }
}

function decodeOptions(data: Uint8Array): DecodeOptions {
  const base: DecodeOptions = {
    strict: true,
    rejectDuplicateMapKeys: true,
    useMaps: false,
    allowIndefinite: false,
    allowUndefined: false,
    allowBigInt: false,
    allowNaN: false,
    allowInfinity: false,
    tags: [],
  };
  return { ...base, tokenizer: new StrictTokenizer(data, base) };
}

/**
 * Decodes a body. Empty bytes mean `{}`. Throws BodyError on anything the protocol rejects;
 * cborg itself refuses non-text keys in object mode. Unsorted keys are accepted (doc rule).
 */
export function decodeBody(bytes: Uint8Array): Body {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = decode(bytes, decodeOptions(bytes));
  } catch (e) {
    if (e instanceof BodyError) throw e;
    throw new BodyError((e as Error).message.replace(/^CBOR decode error: /, ""));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new BodyError("body is not a CBOR map");
  }
  return value as Body;
}
