// The one place command-line values become numbers and bytes. Every command parses its
// numeric and hex options here, so one grammar holds everywhere: decimal digits only (no
// 0x, 1e3, 0b11, signs, fractions or surrounding spaces, which Number() would silently
// accept), ranges checked before anything reaches a device (a sub-wallet of 256 must not
// become 0 on the card's byte), hex in whole bytes. Mistakes are usage errors (exit 2)
// naming the option and saying what to write instead.
import { TapkitError } from "../errors/index.ts";
import { usageError } from "./output.ts";

/** Largest value these parsers return: beyond it a JS number no longer holds every integer. */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;
const DECIMAL = /^[0-9]+$/;

export interface IntegerRange {
  min: number;
  max: number;
  /** what to write instead, for the hint (default: "e.g. --NAME MIN") */
  hint?: string;
  /** what the number counts, for the message (default: "a whole number") */
  what?: string;
}

/** Option name as the user typed it: "--sub", or a positional's own label. */
function flag(name: string): string {
  return name.startsWith("-") || name.includes(" ") ? name : `--${name}`;
}

/**
 * A whole decimal number in [min, max], or throws a usage error naming the option.
 * `dflt` is returned when the option is absent; without one the option is required.
 */
export function integerOption(value: string | undefined, name: string, range: IntegerRange, dflt?: number): number {
  const f = flag(name);
  const hint = range.hint ?? `write decimal digits only, e.g. ${f} ${range.min}`;
  if (value === undefined) {
    if (dflt !== undefined) return dflt;
    throw usageError(`${f} is required`, hint);
  }
  const what = range.what ?? "a whole number";
  if (!DECIMAL.test(value))
    throw new TapkitError("USAGE", `${f} must be ${what} in decimal digits (got '${value}')`, `${hint}; no 0x, exponents, signs or spaces`, {
      option: f,
      value,
    });
  // Leading zeros are fine ("007"); the digits after them must fit the range.
  const digits = value.replace(/^0+(?=.)/, "");
  const n = digits.length > 16 ? Number.POSITIVE_INFINITY : Number(digits);
  if (n < range.min || n > range.max || n > MAX_EXACT)
    throw new TapkitError("USAGE", `${f} must be ${range.min}..${range.max} (got ${value})`, hint, { option: f, value, min: range.min, max: range.max });
  return n;
}

/** integerOption for an option that may be left out: undefined when absent. */
export function optionalInteger(value: string | undefined, name: string, range: IntegerRange): number | undefined {
  return value === undefined ? undefined : integerOption(value, name, range);
}

/** The wallet's amounts and caps are u32 minor units on the card (docs/wallet-apdu.md). */
export const MAX_MINOR_UNITS = 0xffffffff;

/** An amount or cap in whole minor units, 0..2^32-1 (`min` 1 where zero means nothing). */
export function amountOption(value: string | undefined, name: string, dflt?: number, min = 0): number {
  return integerOption(
    value,
    name,
    { min, max: MAX_MINOR_UNITS, what: "a whole number of minor units", hint: `amounts are integers in minor units, e.g. --${name} 250 for 2.50 EUR` },
    dflt,
  );
}

/** A count (payments, entries, taps) in [min, max]. */
export function countOption(value: string | undefined, name: string, min: number, max: number, dflt?: number): number {
  return integerOption(value, name, { min, max, what: "a count" }, dflt);
}

/**
 * A duration in seconds, (0, max]: decimal digits with an optional decimal fraction ("0.5"),
 * nothing else (no exponents, signs or spaces). Undefined when absent.
 */
export function secondsOption(value: string | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const f = flag(name);
  const n = /^[0-9]{1,9}(\.[0-9]{1,6})?$/.test(value) ? Number(value) : Number.NaN;
  if (!(n > 0 && n <= max))
    throw new TapkitError("USAGE", `${f} must be a number of seconds above 0 and at most ${max} (got '${value}')`, `e.g. ${f} 10 or ${f} 0.5`, {
      option: f,
      value,
    });
  return n;
}

/** A TCP port: 1..65535. */
export function tcpPortOption(value: string | undefined, name: string): number | undefined {
  return optionalInteger(value, name, { min: 1, max: 65535, what: "a TCP port", hint: `e.g. ${flag(name)} 7300` });
}

export interface HexLength {
  /** exact byte length, or a [min, max] range */
  bytes?: number | [number, number];
}

/** Hex bytes (spaces and colons allowed between digit pairs), an even number of digits, length checked. */
export function hexOption(value: string | undefined, name: string, length: HexLength = {}): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const f = flag(name);
  const clean = value.replace(/[\s:]/g, "");
  const [min, max] = typeof length.bytes === "number" ? [length.bytes, length.bytes] : (length.bytes ?? [0, Number.POSITIVE_INFINITY]);
  const example = `e.g. ${f} ${"00".repeat(Math.max(1, Math.min(min, 16)))}`;
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw usageError(`${f} must be hex digits 0-9 A-F (got '${value}')`, example);
  if (clean.length % 2 !== 0) throw usageError(`${f} has an odd number of hex digits (${clean.length})`, `two digits per byte; ${example}`);
  const bytes = Uint8Array.from(Buffer.from(clean, "hex"));
  if (bytes.length < min || bytes.length > max) {
    const want = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min}..${max}`;
    throw usageError(`${f} must be ${want} bytes (got ${bytes.length})`, example);
  }
  return bytes;
}
