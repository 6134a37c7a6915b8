// The firmware's module graph, read from its AssemblyScript sources: who imports whom, the
// import circles (there must be none: a circle means two modules that cannot be understood,
// tested or dropped from a board apart), and which modules take a given HAL interface.
// Text-level on purpose: every firmware import is a static `import ... from "./relative"`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";

/** Module id: path under the firmware root without `.ts`, posix separators (e.g. `store/log`). */
export type ModuleId = string;

export interface FirmwareGraph {
  modules: ModuleId[];
  /** imports of each module, as module ids, in source order */
  imports: Map<ModuleId, ModuleId[]>;
}

function sources(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return sources(p);
      return name.endsWith(".ts") ? [p] : [];
    });
}

export function readFirmwareGraph(root: string): FirmwareGraph {
  const imports = new Map<ModuleId, ModuleId[]>();
  for (const file of sources(root)) {
    const id = relative(root, file).split(sep).join("/").replace(/\.ts$/, "");
    const text = readFileSync(file, "utf8");
    const deps = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]*)"|^\s*import\s+"(\.[^"]*)"/gm)].map((m) =>
      posix.normalize(posix.join(posix.dirname(id), m[1] ?? m[2])),
    );
    imports.set(id, deps);
  }
  return { modules: [...imports.keys()], imports };
}

/** Every elementary import circle, each as the modules around it starting at its smallest id. */
export function importCircles(graph: FirmwareGraph): ModuleId[][] {
  // Tarjan's strongly connected components; a component of two or more modules (or one that
  // imports itself) holds at least one circle. One representative path is reported per component.
  let index = 0;
  const order = new Map<ModuleId, number>();
  const low = new Map<ModuleId, number>();
  const stack: ModuleId[] = [];
  const onStack = new Set<ModuleId>();
  const components: ModuleId[][] = [];
  const visit = (v: ModuleId) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.imports.get(v) ?? []) {
      if (!graph.imports.has(w)) continue;
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const c: ModuleId[] = [];
      let w: ModuleId;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || (graph.imports.get(v) ?? []).includes(v)) components.push(c);
    }
  };
  for (const m of graph.modules) if (!order.has(m)) visit(m);
  return components.map((c) => circleThrough(graph, new Set(c)));
}

/** One circle inside a strongly connected set: from its smallest module back to it. */
function circleThrough(graph: FirmwareGraph, members: Set<ModuleId>): ModuleId[] {
  const start = [...members].sort()[0];
  const prev = new Map<ModuleId, ModuleId>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.imports.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0])!);
        return path;
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/** Modules that import `target` directly. */
export function importersOf(graph: FirmwareGraph, target: ModuleId): ModuleId[] {
  return graph.modules.filter((m) => (graph.imports.get(m) ?? []).includes(target));
}
