// Reads the value of an exported immutable i32 global straight from a module's bytes (no
// instantiation, nothing runs): the C shell's build backs exactly `__heap_base` bytes of
// linear memory, the end of the static data the build exports (static-data-pass.ts).
import { readI32, readU32, sections } from "./static-data-pass.ts";

const SECTION_IMPORT = 2;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const KIND_GLOBAL = 3;

/** The constant an exported immutable i32 global is initialised with, or null if the module has none such. */
export function exportedI32Constant(wasm: Uint8Array, name: string): number | null {
  const list = sections(wasm);
  const body = (id: number) => list.find((s) => s.id === id)?.body;
  const index = exportedGlobalIndex(body(SECTION_EXPORT), name);
  if (index === null) return null;
  let local = index - importedGlobals(body(SECTION_IMPORT));
  const globals = body(SECTION_GLOBAL);
  if (local < 0 || !globals) return null;
  let [count, at] = readU32(globals, 0);
  for (; count > 0; count--) {
    const type = globals[at];
    const mutable = globals[at + 1];
    at += 2;
    const op = globals[at++];
    if (local === 0) {
      if (type !== 0x7f || mutable !== 0 || op !== 0x41) return null;
      return readI32(globals, at)[0];
    }
    // skip the initialiser: one constant instruction, then `end`
    if (op === 0x41 || op === 0x42 || op === 0x23) {
      while (globals[at] & 0x80) at++;
      at++;
    } else at += op === 0x43 ? 4 : op === 0x44 ? 8 : 0;
    at++; // end
    local--;
  }
  return null;
}

function name(b: Uint8Array, at: number): [string, number] {
  const [len, start] = readU32(b, at);
  return [new TextDecoder().decode(b.subarray(start, start + len)), start + len];
}

function exportedGlobalIndex(exports: Uint8Array | undefined, wanted: string): number | null {
  if (!exports) return null;
  let [count, at] = readU32(exports, 0);
  for (; count > 0; count--) {
    let field: string;
    [field, at] = name(exports, at);
    const kind = exports[at++];
    let index: number;
    [index, at] = readU32(exports, at);
    if (field === wanted && kind === KIND_GLOBAL) return index;
  }
  return null;
}

/** Imported globals come first in the global index space. */
function importedGlobals(imports: Uint8Array | undefined): number {
  if (!imports) return 0;
  let [count, at] = readU32(imports, 0);
  let globals = 0;
  for (; count > 0; count--) {
    [, at] = name(imports, at);
    [, at] = name(imports, at);
    const kind = imports[at++];
    if (kind === 0)
      [, at] = readU32(imports, at); // function: type index
    else if (kind === 1 || kind === 2) {
      if (kind === 1) at++; // table: element type
      const flags = imports[at++];
      [, at] = readU32(imports, at);
      if (flags & 1) [, at] = readU32(imports, at);
    } else {
      at += 2; // global: value type, mutability
      globals++;
    }
  }
  return globals;
}
