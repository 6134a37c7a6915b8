// The power-safe store's API as the link exposes it (docs/store.md, app ops store.*), on a
// key range no firmware module owns (0xF000-0xF0FF) and counter 15 (free). Cut-power
// torture is `tapkit torture store` (it needs the simulator's power switch); over a link
// a lab can still check that what lands is exact, atomic and monotonic. Every case removes
// the records it wrote; counter 15 only ever rises, so those cases say so.
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";

const area = "store";
const KEY = 0xf000;
const COUNTER = 15;
const pad = (n: number) => String(n).padStart(3, "0");

async function cleanup(ctx: CaseContext, keys: number[]): Promise<void> {
  for (const k of keys) await ctx.device.ops.store.del({ k });
}

const ROWS: { title: string; ref: string; changes?: string; run(ctx: CaseContext): Promise<void> }[] = [
  ...[0, 1, 255, 512].map((n) => ({
    title: `a ${n}-byte value is stored and read back exactly, then deleted (get answers null)`,
    ref: "docs/store.md §API (put/get/del; STORE_MAX_VALUE 512)",
    async run(ctx: CaseContext) {
      const v = Uint8Array.from({ length: n }, (_, i) => (i * 13 + n) & 0xff);
      try {
        await ctx.device.ops.store.put({ k: KEY + n, v });
        assert.deepEqual(new Uint8Array((await ctx.device.ops.store.get({ k: KEY + n })).v as Uint8Array), v);
        await ctx.device.ops.store.del({ k: KEY + n });
        assert.equal((await ctx.device.ops.store.get({ k: KEY + n })).v, null);
      } finally {
        await cleanup(ctx, [KEY + n]);
      }
    },
  })),
  {
    title: "a 513-byte value is refused (too-large) and nothing lands",
    ref: "docs/store.md §API (STORE_MAX_VALUE 512)",
    async run(ctx) {
      await assert.rejects(ctx.device.ops.store.put({ k: KEY + 1, v: new Uint8Array(513) }));
      assert.equal((await ctx.device.ops.store.get({ k: KEY + 1 })).v, null);
    },
  },
  {
    title: "a transaction staged and then aborted lands nothing",
    ref: "docs/store.md §Operations (transactions), §Why a cut never loses or tears anything",
    async run(ctx) {
      await ctx.device.ops.store.tx({ w: [KEY + 2, Uint8Array.of(1), KEY + 3, Uint8Array.of(2)], abort: true });
      assert.equal((await ctx.device.ops.store.get({ k: KEY + 2 })).v, null);
      assert.equal((await ctx.device.ops.store.get({ k: KEY + 3 })).v, null);
    },
  },
  {
    title: "a committed transaction lands every write and delete together",
    ref: "docs/store.md §Operations (transactions)",
    async run(ctx) {
      try {
        await ctx.device.ops.store.put({ k: KEY + 4, v: Uint8Array.of(9) });
        await ctx.device.ops.store.tx({ w: [KEY + 5, Uint8Array.of(5), KEY + 4, null] });
        assert.deepEqual(new Uint8Array((await ctx.device.ops.store.get({ k: KEY + 5 })).v as Uint8Array), Uint8Array.of(5));
        assert.equal((await ctx.device.ops.store.get({ k: KEY + 4 })).v, null, "the delete landed with the write");
      } finally {
        await cleanup(ctx, [KEY + 4, KEY + 5]);
      }
    },
  },
  {
    title: "counter 15 rises by exactly 1 per increment and read returns the last value",
    ref: "docs/store.md §API (monotonic counters: never a value returned before)",
    changes: "advances store counter 15 by 3",
    async run(ctx) {
      const a = (await ctx.device.ops.store.ctr({ id: COUNTER })).v;
      const b = (await ctx.device.ops.store.ctr({ id: COUNTER })).v;
      const c = (await ctx.device.ops.store.ctr({ id: COUNTER })).v;
      assert.deepEqual([b - a, c - b], [1, 1]);
      assert.equal((await ctx.device.ops.store.ctr({ id: COUNTER, read: true })).v, c);
    },
  },
  {
    title: "a transaction's counter reservation is returned and an aborted one is never reused",
    ref: "docs/store.md §Operations (transactions reserve counter values)",
    changes: "advances store counter 15 by up to 3",
    async run(ctx) {
      const before = (await ctx.device.ops.store.ctr({ id: COUNTER, read: true })).v;
      await ctx.device.ops.store.tx({ c: [COUNTER], abort: true });
      const [got] = (await ctx.device.ops.store.tx({ c: [COUNTER] })).c;
      assert.ok(got > before, `reserved ${got} after ${before}`);
      assert.equal((await ctx.device.ops.store.ctr({ id: COUNTER, read: true })).v, got);
    },
  },
  {
    title: "store figures are consistent: live + free within capacity, erases within the rated cycles",
    ref: "docs/store.md §StoreStats",
    async run(ctx) {
      const s = (await ctx.device.ops.store.stats()) as Record<string, number>;
      assert.ok(s.pages >= 2 && s.pageSize > 0, "pages and page size");
      assert.ok(s.live + s.free <= s.capacity, `live ${s.live} + free ${s.free} <= capacity ${s.capacity}`);
      assert.ok(s.maxErase <= s.rated, `max erase ${s.maxErase} <= rated ${s.rated}`);
    },
  },
];

export const STORE_CASES: ConformanceCase[] = ROWS.map((r, i) => ({
  id: `STORE-${pad(i + 1)}`,
  area,
  title: r.title,
  ref: r.ref,
  tags: ["store"],
  changes: r.changes,
  run: r.run,
}));
