// Deterministic instruction counting for benches: instrumentForCounting returns a copy of a
// module that adds, at the entry of every straight-line segment, the number of Wasm
// instructions in that segment to an exported i64 global `__tk_icount`. The counting rule
// (what is one instruction, where counts can be off) is in docs/instruction-counting.md.
// The copy uses mutable-global exports and is for host-side measurement only.
import binaryen from "binaryen";
import { TapkitError } from "../errors/index.ts";

export const COUNTER_EXPORT = "__tk_icount";

type Ref = number;

/** Expression-class helpers binaryen.js has at run time but its typings leave out. */
interface ExpressionClasses {
  Block: { getChildAt(e: Ref, i: number): Ref; setChildAt(e: Ref, i: number, v: Ref): void };
  Loop: { getBody(e: Ref): Ref; setBody(e: Ref, v: Ref): void };
  If: {
    setCondition(e: Ref, v: Ref): void;
    getIfTrue(e: Ref): Ref;
    setIfTrue(e: Ref, v: Ref): void;
    getIfFalse(e: Ref): Ref;
    setIfFalse(e: Ref, v: Ref): void;
  };
  Function: { getBody(f: Ref): Ref; setBody(f: Ref, v: Ref): void };
  Const: { setValueI64(e: Ref, v: bigint): void };
}
const ir = binaryen as unknown as ExpressionClasses;

/** One straight-line segment: its count, patched into its increment's constant once known. */
interface Segment {
  count: number;
  /** the i64.const inside the segment's increment; null for dead code (never executed, nothing placed) */
  constRef: Ref | null;
}

/** What instrumentation refuses (code INSTRUMENT_UNSUPPORTED): a module it cannot count exactly. */
function unsupported(message: string): TapkitError {
  return new TapkitError(
    "INSTRUMENT_UNSUPPORTED",
    message,
    "Only WebAssembly MVP instructions are counted; build the module with tapkit build (its feature gate keeps it MVP-only).",
  );
}

/** Child fields of each MVP expression kind, in evaluation order, with the setter for each. */
function childSlots(e: Ref): { get: Ref; set: (v: Ref) => void }[] {
  const b = binaryen as any;
  const info = binaryen.getExpressionInfo(e) as any;
  const one = (cls: string, field: string) => {
    const v = info[field] as Ref;
    return v ? [{ get: v, set: (n: Ref) => b[cls][`set${field[0].toUpperCase()}${field.slice(1)}`](e, n) }] : [];
  };
  const many = (cls: string, field: string, setter: string) => (info[field] as Ref[]).map((v, i) => ({ get: v, set: (n: Ref) => b[cls][setter](e, i, n) }));
  switch (info.id) {
    case b.BlockId:
      return many("Block", "children", "setChildAt");
    case b.CallId:
      return many("Call", "operands", "setOperandAt");
    case b.CallIndirectId:
      return [...many("CallIndirect", "operands", "setOperandAt"), ...one("CallIndirect", "target")];
    case b.BreakId:
      return [...one("Break", "value"), ...one("Break", "condition")];
    case b.SwitchId:
      return [...one("Switch", "value"), ...one("Switch", "condition")];
    case b.LocalSetId:
      return one("LocalSet", "value");
    case b.GlobalSetId:
      return one("GlobalSet", "value");
    case b.LoadId:
      return one("Load", "ptr");
    case b.StoreId:
      return [...one("Store", "ptr"), ...one("Store", "value")];
    case b.UnaryId:
      return one("Unary", "value");
    case b.BinaryId:
      return [...one("Binary", "left"), ...one("Binary", "right")];
    case b.SelectId:
      return [...one("Select", "ifTrue"), ...one("Select", "ifFalse"), ...one("Select", "condition")];
    case b.DropId:
      return one("Drop", "value");
    case b.ReturnId:
      return one("Return", "value");
    case b.MemoryGrowId:
      return one("MemoryGrow", "delta");
    case b.ConstId:
    case b.LocalGetId:
    case b.GlobalGetId:
    case b.NopId:
    case b.UnreachableId:
    case b.MemorySizeId:
      return [];
    default:
      throw unsupported(`cannot count expression kind ${info.id} (not WebAssembly MVP)`);
  }
}

class FunctionInstrumenter {
  private temps = new Map<number, number>();
  readonly segments: Segment[] = [];

  constructor(
    private readonly module: binaryen.Module,
    private readonly func: Ref,
  ) {}

  private newSegment(): { seg: Segment; inc: Ref } {
    const m = this.module;
    const constRef = (m.i64.const as any)(0n);
    const inc = m.global.set(COUNTER_EXPORT, m.i64.add(m.global.get(COUNTER_EXPORT, binaryen.i64), constRef));
    const seg = { count: 0, constRef };
    this.segments.push(seg);
    return { seg, inc };
  }

  private static dead(): Segment {
    return { count: 0, constRef: null };
  }

  /** One scratch local per type; its set and get are adjacent, so reuse cannot clash. */
  private temp(type: number): number {
    let index = this.temps.get(type);
    if (index === undefined) {
      index = (binaryen as any)._BinaryenFunctionAddVar(this.func, type) as number;
      this.temps.set(type, index);
    }
    return index;
  }

  /** Starts a new segment right after `e` (a join point) by replacing `e` with `e; increment`. */
  private after(e: Ref, replace: (n: Ref) => void): Segment {
    const type = binaryen.getExpressionType(e);
    if (type === binaryen.unreachable) return FunctionInstrumenter.dead();
    const { seg, inc } = this.newSegment();
    const m = this.module;
    if (type === binaryen.none) replace(m.block(null, [e, inc], binaryen.none));
    else {
      const t = this.temp(type);
      replace(m.block(null, [m.local.set(t, e), inc, m.local.get(t, type)], type));
    }
    return seg;
  }

  /** Starts a new segment at the entry of `e` (loop body, if arm, function body). */
  private atEntry(e: Ref, replace: (n: Ref) => void): Segment {
    const { seg, inc } = this.newSegment();
    replace(this.module.block(null, [inc, e], binaryen.getExpressionType(e)));
    return seg;
  }

  /**
   * Walks `e` in evaluation order, adding its instructions to `seg`; returns the segment
   * current after `e`. Blocks and loops are free; every other node counts one.
   */
  walk(e: Ref, seg: Segment, replace: (n: Ref) => void): Segment {
    const b = binaryen as any;
    const info = binaryen.getExpressionInfo(e) as any;
    switch (info.id) {
      case b.BlockId: {
        for (const slot of childSlots(e)) seg = this.walk(slot.get, seg, slot.set);
        // a named block is a branch target: code after it is reached from inside as well
        return info.name ? this.after(e, replace) : seg;
      }
      case b.LoopId: {
        // each iteration re-enters the body through the loop label
        const bodySeg = this.atEntry(info.body, (n) => ir.Loop.setBody(e, n));
        const entered = ir.Loop.getBody(e);
        const inner = ir.Block.getChildAt(entered, 1);
        return this.walk(inner, bodySeg, (n) => ir.Block.setChildAt(entered, 1, n));
      }
      case b.IfId: {
        seg = this.walk(info.condition, seg, (n) => ir.If.setCondition(e, n));
        seg.count += 1;
        for (const arm of ["ifTrue", "ifFalse"] as const) {
          const body = info[arm] as Ref;
          if (!body) continue;
          const setArm = (n: Ref) => (arm === "ifTrue" ? ir.If.setIfTrue(e, n) : ir.If.setIfFalse(e, n));
          // walk first, then wrap: the increment must not count itself
          this.walk(body, this.pendingEntry(), (n) => setArm(n));
          const walked = arm === "ifTrue" ? ir.If.getIfTrue(e) : ir.If.getIfFalse(e);
          this.attachPending(walked, setArm);
        }
        return this.after(e, replace);
      }
      default: {
        for (const slot of childSlots(e)) seg = this.walk(slot.get, seg, slot.set);
        seg.count += 1;
        if (info.id === b.BreakId) return info.condition ? this.after(e, replace) : FunctionInstrumenter.dead();
        if (info.id === b.SwitchId || info.id === b.ReturnId || info.id === b.UnreachableId) return FunctionInstrumenter.dead();
        return seg;
      }
    }
  }

  // If arms: the segment object must exist before walking the arm (counts go into it), but
  // its increment is placed after the walk so the walker never sees it.
  private pending: { seg: Segment; inc: Ref }[] = [];
  private pendingEntry(): Segment {
    const p = this.newSegment();
    this.pending.push(p);
    return p.seg;
  }
  private attachPending(e: Ref, replace: (n: Ref) => void): void {
    const { inc } = this.pending.pop()!;
    replace(this.module.block(null, [inc, e], binaryen.getExpressionType(e)));
  }

  run(): void {
    const body = binaryen.getFunctionInfo(this.func).body;
    const entry = this.pendingEntry();
    this.walk(body, entry, (n) => ir.Function.setBody(this.func, n));
    this.attachPending(ir.Function.getBody(this.func), (n) => ir.Function.setBody(this.func, n));
    for (const s of this.segments) if (s.constRef !== null) ir.Const.setValueI64(s.constRef, BigInt(s.count));
  }
}

/** Returns an instrumented copy of `wasm`; the input is not modified. */
export function instrumentForCounting(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const module = binaryen.readBinary(wasm);
  try {
    module.setFeatures(module.getFeatures() | binaryen.Features.MutableGlobals);
    module.addGlobal(COUNTER_EXPORT, binaryen.i64, true, (module.i64.const as any)(0n));
    module.addGlobalExport(COUNTER_EXPORT, COUNTER_EXPORT);
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const func = module.getFunctionByIndex(i);
      if (binaryen.getFunctionInfo(func).module) continue; // imported: no body here
      new FunctionInstrumenter(module, func).run();
    }
    if (!module.validate()) throw unsupported("instrumented module failed Binaryen validation");
    return new Uint8Array(module.emitBinary());
  } finally {
    module.dispose();
  }
}

/** Reads and resets the counter of an instance made from an instrumented module. */
export function countingRun(instance: WebAssembly.Instance) {
  const counter = instance.exports[COUNTER_EXPORT];
  if (!(counter instanceof WebAssembly.Global)) {
    throw unsupported(`instance has no ${COUNTER_EXPORT} export; instantiate the output of instrumentForCounting`);
  }
  return {
    read: (): bigint => counter.value as bigint,
    reset: (): void => {
      counter.value = 0n;
    },
    /** Runs `fn` from a zeroed counter and returns its result with the instructions it executed. */
    measure<T>(fn: () => T): { result: T; count: bigint } {
      counter.value = 0n;
      const result = fn();
      return { result, count: counter.value as bigint };
    },
  };
}
