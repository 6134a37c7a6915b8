// The typed host client of the op catalogue: `ops.qr.amount({ amount: "12.34" })` sends
// `{op: "qr.amount", amount}` on the app channel and resolves with the typed result map.
// Methods, channels, argument and result types all come from catalogue.ts, so a new op is
// callable as soon as it is listed there. Method path: a dotted wire name `a.b` is `ops.a.b`;
// an undotted one is `ops.<group>.<name>` (`ops.shell.info`, `ops.nfcTest.apdu`).
import type { Body, RequestOptions } from "../link/index.ts";
import { CHANNEL, encodeFrame } from "../link/index.ts";
import { GROUPS, OPS, type CatalogueOp, type OpName } from "./catalogue.ts";
import type { ArgsType, Channel, HasRequired, ShapeType } from "./schema.ts";

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

type ClientPath<O> = O extends { name: `${infer G}.${infer M}` }
  ? [G, M]
  : O extends { name: infer N extends string; group: infer G extends string }
    ? [Camel<G>, N]
    : never;

type OpByName<N extends OpName> = Extract<CatalogueOp, { name: N }>;

/** Arguments of op `N` as the host passes them (optional keys may be left out or undefined). */
export type OpArgs<N extends OpName> = ArgsType<OpByName<N>["args"]>;
/** The argument list of op `N`'s method: optional when none of its arguments is required. */
export type OpArgsParam<N extends OpName> = HasRequired<OpByName<N>["args"]> extends true ? [args: OpArgs<N>] : [args?: OpArgs<N>];
/** Result map of op `N`. */
export type OpResult<N extends OpName> = ShapeType<OpByName<N>["result"]>;

type OpMethod<O extends CatalogueOp> =
  HasRequired<O["args"]> extends true
    ? (args: ArgsType<O["args"]>, opts?: RequestOptions) => Promise<ShapeType<O["result"]>>
    : (args?: ArgsType<O["args"]>, opts?: RequestOptions) => Promise<ShapeType<O["result"]>>;

export type OpsClient = {
  [G in ClientPath<CatalogueOp>[0]]: { [O in CatalogueOp as ClientPath<O>[0] extends G ? ClientPath<O>[1] : never]: OpMethod<O> };
};

/** What the client needs from a link session (LinkSession has it). */
export interface OpRequester {
  request(channel: number, op: string, args?: Body, opts?: RequestOptions): Promise<Body>;
}

const CHANNEL_NUMBER: Record<Channel, number> = { shell: CHANNEL.SHELL, app: CHANNEL.APP, log: CHANNEL.LOG, "nfc-test": CHANNEL.NFC_TEST };

const camel = (s: string) => s.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** The client method path of an op: [object, method]. */
export function clientPath(op: { name: string; group: string }): [string, string] {
  const dot = op.name.indexOf(".");
  return dot > 0 ? [op.name.slice(0, dot), op.name.slice(dot + 1)] : [camel(op.group), op.name];
}

/** The catalogue entry of a wire name, or undefined. */
export function findOp(name: string): CatalogueOp | undefined {
  return OPS.find((o) => o.name === name);
}

/** Link channel number an op is sent on. */
export function opChannel(name: OpName): number {
  return CHANNEL_NUMBER[GROUPS[findOp(name)!.group].channel];
}

/** Drops keys whose value is undefined (the link's encoder refuses them: absent means absent). */
export function definedArgs(args: object): Body {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

/** The wire frame of a request for op `name` on its channel: for in-process links and benches that feed a device directly. */
export function opRequestFrame<N extends OpName>(name: N, args: OpArgs<N> | Body, seq: number): Uint8Array {
  return encodeFrame({ channel: opChannel(name), flags: 0, seq, body: { ...definedArgs(args), op: name } });
}

/** Typed methods for every op of the catalogue, over one session. */
export function opsClient(session: OpRequester): OpsClient {
  const client: Record<string, Record<string, (args?: object, opts?: RequestOptions) => Promise<Body>>> = {};
  for (const op of OPS) {
    const [object, method] = clientPath(op);
    const channel = CHANNEL_NUMBER[GROUPS[op.group].channel];
    (client[object] ??= {})[method] = (args = {}, opts) => session.request(channel, op.name, definedArgs(args), opts);
  }
  // The object is built from the same table the type is mapped from.
  return client as unknown as OpsClient;
}
