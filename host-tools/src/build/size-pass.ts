// Binaryen's optimiser run once more on the module asc wrote, before the static-data pass.
// asc already optimises at shrinkLevel 2, but a second whole-module -Oz round still folds
// what asc's own pipeline leaves (measured: sim-plaque -406 B, sim-card -346 B, ~0.7 %;
// module size is flash on the device). It must run BEFORE static-data-pass.ts: Binaryen
// removes globals nothing reads, and the `__stack_pointer` decoy WAMR needs is exactly such
// a global, and it may split data segments the pass then merges again.

/** What the optimisation did, recorded in build.json. */
export interface SizePassReport {
  /** Binaryen's level: optimizeLevel / shrinkLevel (2/2 is -Oz) */
  levels: { optimize: number; shrink: number };
  bytesBefore: number;
  bytesAfter: number;
}

const OPTIMIZE_LEVEL = 2;
const SHRINK_LEVEL = 2;

/** `wasm` after Binaryen's default -Oz pipeline, MVP features only. */
export async function shrinkModule(wasm: Uint8Array): Promise<{ wasm: Uint8Array; report: SizePassReport }> {
  const { default: binaryen } = await import("binaryen");
  const mod = binaryen.readBinary(wasm);
  try {
    mod.setFeatures(binaryen.Features.MVP);
    // the levels are Binaryen-global state: set them for this call, put back what was there
    const [optimize, shrink] = [binaryen.getOptimizeLevel(), binaryen.getShrinkLevel()];
    binaryen.setOptimizeLevel(OPTIMIZE_LEVEL);
    binaryen.setShrinkLevel(SHRINK_LEVEL);
    try {
      mod.optimize();
    } finally {
      binaryen.setOptimizeLevel(optimize);
      binaryen.setShrinkLevel(shrink);
    }
    if (!mod.validate()) throw new Error("size pass: the module no longer validates after Binaryen's optimiser");
    const out = mod.emitBinary();
    return { wasm: out, report: { levels: { optimize: OPTIMIZE_LEVEL, shrink: SHRINK_LEVEL }, bytesBefore: wasm.length, bytesAfter: out.length } };
  } finally {
    mod.dispose();
  }
}
