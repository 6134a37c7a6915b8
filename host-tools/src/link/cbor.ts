// CBOR bodies of link frames (RFC 8949): deterministic encoding and a strict decoder.
// Encoding follows core deterministic encoding (§4.2.1) so the host and the AssemblyScript
// firmware produce identical bytes; decoding rejects what the protocol forbids (indefinite
// lengths, floats, tags, duplicate keys, non-map bodies) instead of guessing.
import { decode, encode, rfc8949EncodeOptions, Tokenizer, Type } from "cborg";
import type { DecodeOptions, EncodeOptions, Token } from "cborg";
import { TapkitError } from "../errors/index.ts";

/** A decoded body: text keys to CBOR values (bytes are Uint8Array). */
export type Body = Record<string, unknown>;

/** What encodeBody/decodeBody throw (code BAD_BODY); the message is short, for logs and the device's `bad-body`. */
function bodyError(message: string): TapkitError {
  return new TapkitError(
    "BAD_BODY",
    message,
    "link bodies are CBOR maps of integers, text, bytes, arrays and maps, deterministically encoded (docs/link-protocol.md)",
  );
}

const encodeOptions: EncodeOptions = {
  ...rfc8949EncodeOptions,
  typeEncoders: {
    // The protocol has no floats: a fractional number is a caller bug, not something to round.
    number: (value: unknown) => {
      if (typeof value === "number" && !Number.isSafeInteger(value)) {
        throw bodyError(`cannot encode ${value}: link bodies carry integers only`);
      }
      return null;
    },
    undefined: () => {
      throw bodyError("cannot encode undefined: leave the key out instead");
    },
  },
};

/** Encodes `body` (a plain object) deterministically. An empty object encodes to A0. */
export function encodeBody(body: Body): Uint8Array {
  if (body === null || typeof body !== "object" || Array.isArray(body) || body instanceof Uint8Array) {
    throw bodyError("a link body must be a map (plain object)");
  }
  try {
    return encode(body, encodeOptions);
  } catch (e) {
    if (e instanceof TapkitError) throw e;
    throw bodyError(`cannot encode body: ${(e as Error).message}`);
  }
}

/** Wraps cborg's tokenizer to refuse token kinds the protocol forbids but cborg accepts. */
class StrictTokenizer extends Tokenizer {
  next(): Token {
    const token = super.next();
    if (token.type === Type.float) throw bodyError("floats are not allowed in link bodies");
    if (token.type === Type.tag) throw bodyError("tags are not allowed in link bodies");
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
 * Decodes a body. Empty bytes mean `{}`. Throws BAD_BODY on anything the protocol rejects;
 * cborg itself refuses non-text keys in object mode. Unsorted keys are accepted (doc rule).
 */
export function decodeBody(bytes: Uint8Array): Body {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = decode(bytes, decodeOptions(bytes));
  } catch (e) {
    if (e instanceof TapkitError) throw e;
    throw bodyError((e as Error).message.replace(/^CBOR decode error: /, ""));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw bodyError("body is not a CBOR map");
  }
  return value as Body;
}
