// Reads the simulated card's wallet records straight from its store (the link's store.get
// op), so the power-cut campaigns judge the card by what it committed, not by what it said.
import { opsClient } from "../ops/index.ts";
import { LinkSession } from "../link/session.ts";
import type { SimDevice } from "../sim/device.ts";
import { inProcessTransport } from "../sim/in-process-transport.ts";

/** One record by key: its bytes, or null when absent; a present record of another size than `size` is an error. */
export type StoreRecordReader = (key: number, size?: number) => Promise<DataView | null>;

/** Runs fn with a reader over one fresh link session, closed afterwards. */
export async function withStoreRecords<T>(device: SimDevice, fn: (get: StoreRecordReader) => Promise<T>): Promise<T> {
  const session = await LinkSession.open(inProcessTransport(device));
  const ops = opsClient(session);
  try {
    return await fn(async (key, size) => {
      const { v } = await ops.store.get({ k: key });
      if (v && size !== undefined && v.length !== size) {
        throw new Error(`store record ${key.toString(16)} holds ${v.length} bytes, expected ${size}: ${Buffer.from(v).toString("hex")}`);
      }
      return v ? new DataView(v.buffer, v.byteOffset, v.byteLength) : null;
    });
  } finally {
    await session.close();
  }
}
