// Vitest sequencer: the order test files start in. With two workers the run ends when the
// last long file ends, so files marked long or CPU-heavy (tests/support/long-tests.ts) start
// first, in vitest's own order among them (longest first once it has timings from a previous
// run; on a fresh clone, larger files first). Files that hold the PC/SC reader for their whole
// run (holdReaderForFile) are spread out among them, one long file between two of them, so
// the second does not sit in a worker waiting for the first to let go of the reader.
import { readFileSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

function marks(spec: TestSpecification): { long: boolean; reader: boolean } {
  const source = readFileSync(spec.moduleId, "utf8");
  return { long: /^\s*(longTests|cpuHeavyTests)\(/m.test(source), reader: /^\s*holdReaderForFile\(/m.test(source) };
}

export default class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const marked = ordered.map((spec) => ({ spec, ...marks(spec) }));
    const readers = marked.filter((m) => m.reader).map((m) => m.spec);
    const long = marked.filter((m) => m.long && !m.reader).map((m) => m.spec);
    const rest = marked.filter((m) => !m.long && !m.reader).map((m) => m.spec);
    const head: TestSpecification[] = [];
    while (readers.length > 0 || long.length > 0) {
      if (readers.length > 0) head.push(readers.shift()!);
      if (long.length > 0) head.push(long.shift()!);
    }
    return [...head, ...rest];
  }
}
