// A campaign worker thread: runs the chunks the main thread posts, one at a time, and
// posts each chunk's statistics back; its running input count is in shared memory for the
// main thread's watchdog ([0] inputs done, [1] 1 while running inputs, [2] heartbeat).
import { parentPort, workerData } from "node:worker_threads";
import { runChunk, type ChunkSpec } from "./campaign.ts";

const progress = (workerData as { progress: Int32Array }).progress;

parentPort!.on("message", async (spec: ChunkSpec) => {
  const stats = await runChunk(spec, (n) => {
    if (n < 0) Atomics.store(progress, 1, 1);
    else Atomics.store(progress, 0, n);
    Atomics.add(progress, 2, 1);
  });
  Atomics.store(progress, 1, 0);
  parentPort!.postMessage(stats);
});
