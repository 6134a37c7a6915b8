// Where the firmware's linear memory goes. While asc compiles a board, every static region it
// lays out (memory.data buffers, constant tables, string literals) is recorded with its offset,
// size and the source module that asked for it; the result is build/<board>/memory-map.json and
// `tapkit build --map`. The linear memory a device must back is the end of that static data
// (`__heap_base`, exported by the build): the firmware allocates nothing (stub runtime, no
// `__new`), and the Wasm engine keeps the call stack outside linear memory.
//
// String literals are laid out as bytes here. asc gives each one a 20-byte managed-object header,
// 16-byte alignment (for a GC the stub runtime does not have) and UTF-16 text. The firmware reads
// only a literal's length (rtSize, the 4 bytes before it: String#get:length is the one std
// function left that reads a header, and nothing reads rtId at -8 without a GC or `instanceof` on
// strings) and its characters, all ASCII (messages, keys, codes). So each literal becomes
// [rtSize u32 = 2 x length][ASCII bytes], packed byte after byte with no alignment (Wasm loads may
// be unaligned; wasm2c and the engines read such a length with byte-safe loads), one copy per
// distinct text: `s.length` keeps working, and firmware/lib/text.ts reads the bytes. A literal
// with a character outside ASCII fails the build, and so does a module that still calls
// String#charCodeAt or reads a header word other than rtSize (checkLiteralReaders). Strings took
// 17,296 B of the card's linear memory with asc's layout, 7,510 B with an 8-byte header at
// 4-byte alignment, and 4 + length each with this one.
import { buildError } from "./build-error.ts";

export type RegionKind =
  /** memory.data(n): zero-filled scratch or state, no bytes in the module */
  | "buffer"
  /** memory.data([...]) / static arrays: constant tables stored in the module */
  | "table"
  /** an AssemblyScript string literal (ASCII bytes behind their 4-byte length) */
  | "string";

export interface MemoryRegion {
  offset: number;
  bytes: number;
  kind: RegionKind;
  /** firmware source module that laid the region out, e.g. firmware/link/receiver */
  owner: string;
  /** string literals: the text */
  text?: string;
}

export interface MemoryMap {
  regions: MemoryRegion[];
  /** end of the static data (asc's memoryOffset) */
  dataEnd: number;
  /** first byte after the static data, 16-aligned: what a device must back */
  heapBase: number;
}

interface Segment {
  buffer: Uint8Array;
  offset: bigint | number;
}

type Flow = { sourceFunction?: { internalName?: string; file?: { internalPath?: string } } } | null;
type Patched = {
  addAlignedMemorySegment(this: CompilerLike, buffer: Uint8Array, align?: number): Segment;
  addRuntimeMemorySegment(this: CompilerLike, buffer: Uint8Array): Segment;
  ensureStaticStringPtr(this: CompilerLike, text: string): unknown;
};
type CompilerLike = { currentFlow: Flow; memoryOffset: bigint | number };
type I64 = { add(o: I64): I64 };
const i64 = globalThis as unknown as { i64_new(lo: number, hi: number): I64; i64_add(a: I64, b: I64): I64 };

/**
 * The std functions that read a string's UTF-16 units, and the runtime's, which read the object
 * header words a literal no longer has (rtId, the GC's); with literals stored as a length and
 * bytes a call to one of them reads garbage, so the build refuses a module whose text
 * (build/<board>/firmware.wat) still calls one.
 */
export function checkLiteralReaders(wat: string): string[] {
  const found = new Set<string>();
  for (const m of wat.matchAll(/call \$(~lib\/(?:string\/String[#.]|rt\/)[\w:/#.]+)/g)) if (m[1] !== "~lib/string/String#get:length") found.add(m[1]);
  return [...found].sort();
}

/** Bytes before a literal's first character: rtSize, as String#get:length reads it. */
export const STRING_HEADER = 4;
/**
 * String#get:length loads from `ptr - 20` with offset 16 (asc's full object header), and a Wasm
 * address does not wrap: a literal whose pointer is under 20 would trap. Its header never goes
 * below this.
 */
const LOWEST_STRING_HEADER = 16;

/** The firmware module a flow belongs to: its function's file, without extension or library prefix. */
function ownerOf(flow: Flow): string {
  const fn = flow?.sourceFunction;
  const path = fn?.file?.internalPath ?? fn?.internalName?.replace(/^start:/, "") ?? "?";
  return path.replace(/^(\.\.\/)+/, "").replace(/^.*?(firmware\/)/, "$1");
}

/**
 * Runs `compile` (one asc.main call) with asc's segment layout observed, and returns its
 * result with the map of what was laid out. Not re-entrant: one compile at a time per process.
 */
export async function recordMemoryMap<T>(compile: () => Promise<T>): Promise<{ result: T; map: MemoryMap }> {
  const { Compiler } = (await import("assemblyscript")) as unknown as { Compiler: { prototype: Patched } };
  const proto = Compiler.prototype;
  const original = { ...pick(proto) };
  const regions: MemoryRegion[] = [];
  let last: CompilerLike | null = null;
  let pendingString: string | null = null;
  const record = (self: CompilerLike, seg: Segment, kind: RegionKind) => {
    last = self;
    const region: MemoryRegion = { offset: Number(seg.offset), bytes: seg.buffer.length, kind, owner: ownerOf(self.currentFlow) };
    if (kind === "string" && pendingString !== null) region.text = pendingString;
    regions.push(region);
  };
  proto.addAlignedMemorySegment = function (buffer, align) {
    const seg = original.addAlignedMemorySegment.call(this, buffer, align);
    record(this, seg, pendingString !== null ? "string" : buffer.every((b) => b === 0) ? "buffer" : "table");
    return seg;
  };
  proto.addRuntimeMemorySegment = function (buffer) {
    const seg = original.addRuntimeMemorySegment.call(this, buffer);
    record(this, seg, pendingString !== null ? "string" : "table");
    return seg;
  };
  const literals = new Map<string, I64>();
  const nonAscii: string[] = [];
  proto.ensureStaticStringPtr = function (text) {
    const known = literals.get(text);
    if (known) return known;
    // Thrown from inside asc this would crash the compiler (it exits the process), so a bad
    // literal is laid out with "?" for its non-ASCII units and reported once the compile is over.
    const bad = [...text].find((c) => c.charCodeAt(0) > 0x7f);
    if (bad) nonAscii.push(`string literal "${text}" in ${ownerOf(this.currentFlow)} has the non-ASCII character "${bad}"`);
    const buffer = new Uint8Array(STRING_HEADER + text.length);
    const view = new DataView(buffer.buffer);
    view.setUint32(0, text.length * 2, true);
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      buffer[STRING_HEADER + i] = unit > 0x7f ? 0x3f : unit;
    }
    pendingString = text;
    if (Number(this.memoryOffset) < LOWEST_STRING_HEADER) this.memoryOffset = i64.i64_new(LOWEST_STRING_HEADER, 0) as unknown as number;
    try {
      const seg = proto.addAlignedMemorySegment.call(this, buffer, 1) as unknown as { offset: I64 };
      const ptr = i64.i64_add(seg.offset, i64.i64_new(STRING_HEADER, 0));
      literals.set(text, ptr);
      return ptr;
    } finally {
      pendingString = null;
    }
  };
  try {
    const result = await compile();
    if (nonAscii.length)
      throw buildError(
        "BUILD_COMPILE",
        nonAscii.join("\n"),
        "the device stores string literals as ASCII bytes (docs/hal-abi.md): keep the text ASCII, or write it as bytes (memory.data<u8>)",
      );
    const dataEnd = last ? Number((last as CompilerLike).memoryOffset) : 0;
    return { result, map: { regions, dataEnd, heapBase: (dataEnd + 15) & ~15 } };
  } finally {
    Object.assign(proto, original);
  }
}

function pick(p: Patched): Patched {
  return {
    addAlignedMemorySegment: p.addAlignedMemorySegment,
    addRuntimeMemorySegment: p.addRuntimeMemorySegment,
    ensureStaticStringPtr: p.ensureStaticStringPtr,
  };
}

export interface MapSummaryLine {
  owner: string;
  kind: RegionKind;
  bytes: number;
  regions: number;
}

/** Bytes per owner module and kind, largest first, so the big users are on top. */
export function summariseMemoryMap(map: MemoryMap): MapSummaryLine[] {
  const lines = new Map<string, MapSummaryLine>();
  for (const r of map.regions) {
    const key = `${r.owner}\0${r.kind}`;
    const line = lines.get(key) ?? { owner: r.owner, kind: r.kind, bytes: 0, regions: 0 };
    line.bytes += r.bytes;
    line.regions++;
    lines.set(key, line);
  }
  return [...lines.values()].sort((a, b) => b.bytes - a.bytes || a.owner.localeCompare(b.owner));
}
