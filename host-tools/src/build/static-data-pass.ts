// The build's last step on the module asc wrote, in plain Wasm binary (MVP only, no tools):
// 1. adjacent data segments are merged (gaps up to MERGE_GAP bytes become zeros in the
//    merged segment), because every segment costs a call in wasm2c's init_memories and a
//    header in the module;
// 2. the end of the static data is exported as two immutable i32 globals, `__data_end` and
//    `__heap_base`, so a shell knows how many bytes of linear memory the module needs
//    (the C shell backs only those; WAMR shrinks its instance to them, docs/porting.md).
// 3. a mutable i32 global `__stack_pointer` = __heap_base becomes global 0, never read or
//    written. WAMR (core/iwasm/interpreter/wasm_loader.c, load_from_sections) takes as its
//    auxiliary stack pointer the FIRST mutable i32 global whose constant init is <= __heap_base,
//    and checks every global.set on it against the stack bounds; without the decoy that would be
//    an ordinary firmware variable (asc's globals start at 0) and the first write to it would
//    trap as an aux stack underflow. Binaryen renumbers the globals (the only step not done here).
// asc's own __heap_base is a mutable global set by its start function, which a runtime cannot
// read before instantiating, so it is not the one exported.

import { encodeI32 as i32, encodeU32 as u32, readI32, readU32 } from "./leb128.ts";

/** Segments closer than this are merged; a larger gap is a zero-filled buffer worth not storing. */
export const MERGE_GAP = 16;

export interface DataSegment {
  offset: number;
  data: Uint8Array;
}

export interface PassReport {
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
}

const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_DATA = 11;
const I32 = 0x7f;
const I32_CONST = 0x41;
const END = 0x0b;
const EXPORT_GLOBAL = 0x03;

interface Section {
  id: number;
  body: Uint8Array;
}

export function sections(wasm: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at++];
    const [size, start] = readU32(wasm, at);
    out.push({ id, body: wasm.subarray(start, start + size) });
    at = start + size;
  }
  return out;
}

/** Joins byte runs without spreading them into call arguments (a data section is tens of KB). */
function concat(parts: (number[] | Uint8Array)[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encodeSection(id: number, body: Uint8Array): Uint8Array {
  return concat([[id, ...u32(body.length)], body]);
}

/** The active data segments of an MVP module (memory 0, i32.const offset). */
export function readDataSegments(wasm: Uint8Array): DataSegment[] {
  const data = sections(wasm).find((s) => s.id === SECTION_DATA);
  if (!data) return [];
  const b = data.body;
  let [count, at] = readU32(b, 0);
  const out: DataSegment[] = [];
  while (count-- > 0) {
    const [flags, a1] = readU32(b, at);
    if (flags !== 0 || b[a1] !== I32_CONST) throw new Error(`data segment ${out.length}: only MVP active segments with an i32.const offset are supported`);
    const [offset, a2] = readI32(b, a1 + 1);
    if (b[a2] !== END) throw new Error(`data segment ${out.length}: offset expression is not a single i32.const`);
    const [len, a3] = readU32(b, a2 + 1);
    out.push({ offset, data: b.subarray(a3, a3 + len) });
    at = a3 + len;
  }
  return out;
}

/** Merges segments whose gap is at most `gap` bytes, in address order. */
export function mergeSegments(segments: DataSegment[], gap: number = MERGE_GAP): DataSegment[] {
  const sorted = [...segments].sort((a, b) => a.offset - b.offset);
  const out: { offset: number; parts: DataSegment[]; end: number }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.offset >= last.end && s.offset - last.end <= gap) {
      last.parts.push(s);
      last.end = s.offset + s.data.length;
    } else out.push({ offset: s.offset, parts: [s], end: s.offset + s.data.length });
  }
  return out.map(({ offset, parts, end }) => {
    const data = new Uint8Array(end - offset);
    for (const p of parts) data.set(p.data, p.offset - offset);
    return { offset, data };
  });
}

function dataSection(segments: DataSegment[]): Uint8Array {
  const body: (number[] | Uint8Array)[] = [u32(segments.length)];
  for (const s of segments) body.push([0, I32_CONST, ...i32(s.offset), END, ...u32(s.data.length)], s.data);
  return encodeSection(SECTION_DATA, concat(body));
}

/** Appends immutable i32 globals to the global section (creating it) and exports them. */
function withExportedConstants(list: Section[], constants: Record<string, number>): Section[] {
  const names = Object.keys(constants);
  const globalsAt = list.findIndex((s) => s.id === SECTION_GLOBAL);
  const existing = globalsAt >= 0 ? readU32(list[globalsAt].body, 0) : [0, 0];
  const globalBody: (number[] | Uint8Array)[] = [u32(existing[0] + names.length), globalsAt >= 0 ? list[globalsAt].body.subarray(existing[1]) : []];
  for (const n of names) globalBody.push([I32, 0, I32_CONST, ...i32(constants[n]), END]);
  const exportsAt = list.findIndex((s) => s.id === SECTION_EXPORT);
  const exp = exportsAt >= 0 ? readU32(list[exportsAt].body, 0) : [0, 0];
  const exportBody: (number[] | Uint8Array)[] = [u32(exp[0] + names.length), exportsAt >= 0 ? list[exportsAt].body.subarray(exp[1]) : []];
  names.forEach((n, i) => {
    const bytes = new TextEncoder().encode(n);
    exportBody.push(u32(bytes.length), bytes, [EXPORT_GLOBAL, ...u32(existing[0] + i)]);
  });
  const out = list.filter((s) => s.id !== SECTION_GLOBAL && s.id !== SECTION_EXPORT);
  // section order: ... memory(5) global(6) export(7) start(8) ...
  const at = out.findIndex((s) => s.id > SECTION_EXPORT && s.id !== 0);
  out.splice(at < 0 ? out.length : at, 0, { id: SECTION_GLOBAL, body: concat(globalBody) }, { id: SECTION_EXPORT, body: concat(exportBody) });
  return out;
}

/** Puts a never-used mutable i32 global at index 0 (see 3. above); binaryen renumbers the others. */
export async function withStackPointerFirst(wasm: Uint8Array, value: number): Promise<Uint8Array> {
  const { default: binaryen } = await import("binaryen");
  const mod = binaryen.readBinary(wasm);
  try {
    mod.setFeatures(binaryen.Features.MVP);
    const globals = Array.from({ length: mod.getNumGlobals() }, (_, i) => binaryen.getGlobalInfo(mod.getGlobalByIndex(i)));
    for (const g of globals) mod.removeGlobal(g.name);
    mod.addGlobal(STACK_POINTER, binaryen.i32, true, mod.i32.const(value));
    for (const g of globals) mod.addGlobal(g.name, g.type, g.mutable, g.init);
    if (!mod.validate()) throw new Error("static-data pass: the module no longer validates after the globals were renumbered");
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

/** The decoy WAMR takes as its auxiliary stack pointer. */
export const STACK_POINTER = "__stack_pointer";

/** Rewrites `wasm`: data segments merged, `__data_end` and `__heap_base` exported as constants. */
export function finishStaticData(wasm: Uint8Array, layout: { dataEnd: number; heapBase: number }): { wasm: Uint8Array; report: PassReport } {
  const before = readDataSegments(wasm);
  const merged = mergeSegments(before);
  const list = withExportedConstants(sections(wasm), { __data_end: layout.dataEnd, __heap_base: layout.heapBase });
  const parts = [wasm.subarray(0, 8), ...list.map((s) => (s.id === SECTION_DATA ? dataSection(merged) : encodeSection(s.id, s.body)))];
  const size = (segs: DataSegment[]) => segs.reduce((n, s) => n + s.data.length, 0);
  return {
    wasm: concat(parts),
    report: { segmentsBefore: before.length, segmentsAfter: merged.length, bytesBefore: size(before), bytesAfter: size(merged) },
  };
}
