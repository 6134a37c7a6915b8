// Reads a module's interface straight from the binary (type, import, function, memory and
// export sections): what the ABI and memory gates need, with exact function signatures,
// which WebAssembly.Module.imports/exports do not give, and the value of an exported immutable
// i32 constant (the C shell's build backs exactly `__heap_base` bytes, static-data-pass.ts).
import { TapkitError } from "../errors/index.ts";
import { readI32, readU32 } from "./leb128.ts";

export type ExternKind = "function" | "table" | "memory" | "global";

export interface WasmImport {
  module: string;
  name: string;
  kind: ExternKind;
  signature: string;
  params?: string[];
  results?: string[];
}
export interface WasmExport {
  name: string;
  kind: ExternKind;
  signature: string;
  params?: string[];
  results?: string[];
  /** an immutable i32 global initialised with a constant: that constant */
  value?: number;
}
export interface WasmMemoryLimits {
  initial: number;
  maximum: number | null;
  imported: boolean;
}
export interface WasmInterface {
  imports: WasmImport[];
  exports: WasmExport[];
  memory: WasmMemoryLimits | null;
}

const VALTYPES: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
const KINDS: ExternKind[] = ["function", "table", "memory", "global"];

/** What the reader throws on bytes that are not a well-formed module (code WASM_FORMAT). */
function formatError(message: string): TapkitError {
  return new TapkitError("WASM_FORMAT", message, "not a WebAssembly module tapkit can read: rebuild it with tapkit build, or check the file was not truncated");
}

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly end = bytes.length,
  ) {}
  byte(): number {
    if (this.pos >= this.end) throw formatError(`unexpected end of data at byte ${this.pos}`);
    return this.bytes[this.pos++];
  }
  u32(): number {
    return this.leb(readU32);
  }
  i32(): number {
    return this.leb(readI32);
  }
  private leb(read: (b: Uint8Array, at: number) => [number, number]): number {
    const [value, next] = read(this.bytes, this.pos);
    if (next > this.end) throw formatError(`unexpected end of data at byte ${this.end}`);
    this.pos = next;
    return value;
  }
  name(): string {
    const len = this.u32();
    const s = new TextDecoder("utf-8", { fatal: true }).decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  valtype(): string {
    const b = this.byte();
    return VALTYPES[b] ?? `0x${b.toString(16)}`;
  }
  limits(): { initial: number; maximum: number | null } {
    const flags = this.byte();
    const initial = this.u32();
    return { initial, maximum: flags & 1 ? this.u32() : null };
  }
}

/** Skips a global's initializer (MVP constant expressions only); returns its value when it is one i32.const. */
function skipConstExpr(s: Reader): number | undefined {
  let value: number | undefined;
  let ops = 0;
  for (;;) {
    const op = s.byte();
    if (op === 0x0b) return ops === 1 ? value : undefined;
    ops++;
    if (op === 0x41) value = s.i32();
    else if (op === 0x42) while (s.byte() & 0x80);
    else if (op === 0x43) s.pos += 4;
    else if (op === 0x44) s.pos += 8;
    else if (op === 0x23) s.u32();
    else throw formatError(`global initializer uses opcode 0x${op.toString(16)}, not an MVP constant expression`);
  }
}

const sigText = (p: string[], r: string[]) => `(${p.join(", ")}) -> ${r.length === 0 ? "void" : r.length === 1 ? r[0] : `(${r.join(", ")})`}`;

export function readWasmInterface(bytes: Uint8Array): WasmInterface {
  const r = new Reader(bytes);
  const magic = [r.byte(), r.byte(), r.byte(), r.byte()];
  if (magic.join() !== "0,97,115,109") throw formatError("not a WebAssembly binary (no \\0asm magic)");
  r.pos = 8;
  const types: { params: string[]; results: string[] }[] = [];
  const funcTypes: number[] = []; // type index per function index, imports first
  const globals: string[] = []; // "mut i32" / "i32" per global index, imports first
  const constants: (number | undefined)[] = []; // an immutable i32 global's constant, per global index
  const imports: WasmImport[] = [];
  const exports: WasmExport[] = [];
  let memory: WasmMemoryLimits | null = null;
  const fnSig = (typeIndex: number) => {
    const t = types[typeIndex];
    if (!t) throw formatError(`function refers to missing type ${typeIndex}`);
    return { signature: sigText(t.params, t.results), params: t.params, results: t.results };
  };

  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    if (id === 1) {
      for (let n = s.u32(); n > 0; n--) {
        if (s.byte() !== 0x60) throw formatError("type section entry is not a function type");
        const params = Array.from({ length: s.u32() }, () => s.valtype());
        const results = Array.from({ length: s.u32() }, () => s.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        const module = s.name(),
          name = s.name(),
          kind = KINDS[s.byte()];
        if (kind === "function") {
          const ti = s.u32();
          funcTypes.push(ti);
          imports.push({ module, name, kind, ...fnSig(ti) });
        } else if (kind === "memory") {
          const lim = s.limits();
          memory = { ...lim, imported: true };
          imports.push({ module, name, kind, signature: `memory ${lim.initial}..${lim.maximum ?? "unbounded"}` });
        } else if (kind === "table") {
          const et = s.valtype();
          const lim = s.limits();
          imports.push({ module, name, kind, signature: `table ${et} ${lim.initial}..${lim.maximum ?? "unbounded"}` });
        } else if (kind === "global") {
          const vt = s.valtype();
          const mutable = s.byte() === 1;
          globals.push(`${mutable ? "mut " : ""}${vt}`);
          constants.push(undefined);
          imports.push({ module, name, kind, signature: `global ${globals[globals.length - 1]}` });
        } else throw formatError(`import ${module}.${name} has unknown kind`);
      }
    } else if (id === 3) {
      for (let n = s.u32(); n > 0; n--) funcTypes.push(s.u32());
    } else if (id === 5) {
      if (s.u32() > 0) memory = { ...s.limits(), imported: false };
    } else if (id === 6) {
      for (let n = s.u32(); n > 0; n--) {
        const vt = s.valtype();
        const type = `${s.byte() === 1 ? "mut " : ""}${vt}`;
        globals.push(type);
        const value = skipConstExpr(s);
        constants.push(type === "i32" ? value : undefined);
      }
    } else if (id === 7) {
      for (let n = s.u32(); n > 0; n--) {
        const name = s.name(),
          kind = KINDS[s.byte()],
          index = s.u32();
        if (kind === "function") {
          const ti = funcTypes[index];
          if (ti === undefined) throw formatError(`export ${name} refers to missing function ${index}`);
          exports.push({ name, kind, ...fnSig(ti) });
        } else if (kind === "global") {
          const value = constants[index];
          exports.push({ name, kind, signature: `global ${globals[index] ?? "?"}`, ...(value === undefined ? {} : { value }) });
        } else exports.push({ name, kind, signature: kind });
      }
    }
    r.pos = end;
  }
  return { imports, exports, memory };
}
