// The vocabulary of the op catalogue (catalogue.ts) and the TypeScript types derived from it:
// what an argument or a result field may be on the wire (CBOR kinds), and, from the
// catalogue's `as const` data, each op's argument and result types for the typed client.

/** Link channels that carry ops (docs/link-protocol.md). */
export type Channel = "shell" | "app" | "log" | "nfc-test";

/** Board modes (boards/<name>.json `mode`). */
export type BoardMode = "plaque" | "card";

/**
 * Device lifecycle states: blank (no set-up), demo (the clearly marked demo set-up),
 * provisioned (a real set-up), locked (refuses set-up changes). An op lists the states it
 * is served in; the firmware answers `unsupported` outside them.
 */
export type LifecycleState = "blank" | "demo" | "provisioned" | "locked";
export const LIFECYCLE_STATES: readonly LifecycleState[] = ["blank", "demo", "provisioned", "locked"];

/** One CBOR kind: unsigned or any integer, byte string, UTF-8 text, bool, null. */
export type ScalarKind = "uint" | "int" | "bytes" | "text" | "bool" | "null";
/** A kind, or a choice of two or three (`"bytes|text"`, `"uint|bytes|null"`). */
export type Kind = ScalarKind | `${ScalarKind}|${ScalarKind}` | `${ScalarKind}|${ScalarKind}|${ScalarKind}`;

export interface ArgSpec {
  kind: Kind | "array";
  /** kind of each item of an array argument */
  items?: Kind;
  required?: boolean;
  /** uint: the value's range; bytes, text, array: the length's (inclusive; [min] = no upper bound) */
  range?: readonly [number] | readonly [number, number];
  doc: string;
}

/** A result field: a kind, a nested map (keys ending in `?` may be absent), or `[item]`: an array of item. */
export type ShapeSpec = Kind | { readonly [key: string]: ShapeSpec } | readonly [ShapeSpec];

export interface GroupSpec {
  /** MCUmgr-style numeric group id, stable once assigned */
  id: number;
  channel: Channel;
  /** firmware folder that owns the group's handlers */
  owner: string;
  doc: string;
}

export interface OpSpec {
  /** wire name, the request's `op` */
  name: string;
  group: string;
  /** numeric id within the group, stable once assigned */
  id: number;
  /** firmware handler: a module under firmware/ (no .ts) and its exported `(): i32` function */
  handler: { readonly module: string; readonly export: string };
  args: { readonly [key: string]: ArgSpec };
  result: { readonly [key: string]: ShapeSpec };
  boards: readonly BoardMode[];
  states: readonly LifecycleState[];
  /** the states on one board mode where they differ from `states` (a locked plaque refuses `apdu`) */
  boardStates?: { readonly [M in BoardMode]?: readonly LifecycleState[] };
  /** true when the op changes what the device keeps or shows (store, keys, tag, panel, mode) */
  changesState: boolean;
  summary: string;
  /** prose for the result column of docs/link-protocol.md, when the field list is not enough */
  resultDoc?: string;
}

/** The lifecycle states `op` is served in on a board of `mode`. */
export function statesOn(op: Pick<OpSpec, "states" | "boardStates">, mode: BoardMode): readonly LifecycleState[] {
  return op.boardStates?.[mode] ?? op.states;
}

// ---- types derived from the catalogue's literal data ----

type ScalarType<K> = K extends "uint" | "int"
  ? number
  : K extends "bytes"
    ? Uint8Array
    : K extends "text"
      ? string
      : K extends "bool"
        ? boolean
        : K extends "null"
          ? null
          : never;

export type KindType<K> = K extends `${infer A}|${infer B}` ? ScalarType<A> | KindType<B> : ScalarType<K>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type ShapeType<S> = S extends string
  ? KindType<S>
  : S extends readonly [infer Item]
    ? ShapeType<Item>[]
    : S extends { readonly [key: string]: ShapeSpec }
      ? Simplify<
          { -readonly [K in keyof S as K extends `${string}?` ? never : K]: ShapeType<S[K]> } & {
            -readonly [K in keyof S as K extends `${infer N}?` ? N : never]?: ShapeType<S[K]>;
          }
        >
      : never;

type ArgType<A> = A extends { kind: "array"; items: infer I } ? KindType<I>[] : A extends { kind: infer K } ? KindType<K> : never;

export type ArgsType<A> = Simplify<
  { -readonly [K in keyof A as A[K] extends { required: true } ? K : never]: ArgType<A[K]> } & {
    -readonly [K in keyof A as A[K] extends { required: true } ? never : K]?: ArgType<A[K]>;
  }
>;

/** True when some argument of the spec is required. */
export type HasRequired<A> = true extends { [K in keyof A]: A[K] extends { required: true } ? true : false }[keyof A] ? true : false;
