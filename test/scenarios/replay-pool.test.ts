import { describe, expect, it } from 'vitest';
import { clsParams } from '../../src/models/memory/cls/params.ts';
import { computeReplaySchedule } from '../../src/models/memory/cls/run.ts';
import type { ReplayData } from '../../src/models/memory/cls/replay.ts';
import { poolSize, ReplayPool } from '../../src/scenarios/workers/replay-pool.ts';

const FIELDS = ['outcome', 'memory', 'distance', 'active', 'kwtaCycles', 'thresholdCycles', 'unitStart', 'units'] as const;

/** Equal entries and active units (the work counters depend on how the schedule was cut: each range's notebook learns
 * the stored fixed points anew). */
function expectSameSchedule(got: ReplayData, want: ReplayData): void {
  expect(got.key).toBe(want.key);
  expect(got.epochs).toBe(want.epochs);
  expect(got.computed).toBe(want.computed);
  for (const field of FIELDS) expect(Array.from(got[field]), field).toEqual(Array.from(want[field]));
  expect(got.work.cycles).toBe(want.work.cycles);
}

describe('replay pool (worker threads)', () => {
  const params = clsParams({ notebook: { m: 400 }, student: { epochs: 13 } });

  it('schedules split into epoch ranges over worker threads equal those computed in one piece in this thread, array for array', async () => {
    // inlineBelow 0: even these small schedules go to the threads; 2 and 3 threads cut 13 epochs at 6/7 and 4/4/5
    for (const workers of [2, 3]) {
      const pool = new ReplayPool(workers, 0);
      try {
        const seeds = [1, 2, 3];
        pool.prefetch(params, seeds);
        for (const seed of seeds) expectSameSchedule((await pool.get(params, seed)).toData(), computeReplaySchedule(params, seed).toData());
        // asked again: the same object, not a second computation
        expect(await pool.get(params, 2)).toBe(await pool.get(params, 2));
      } finally {
        await pool.close();
      }
    }
  });

  it('computes small schedules in the calling thread, and sizes itself to the cores', async () => {
    expect(poolSize('auto', 0)).toBe(0);
    expect(poolSize('auto', 1)).toBeLessThanOrEqual(Math.max(2, poolSize('auto', 20)));
    expect(poolSize(3, 1)).toBe(3);
    const pool = new ReplayPool(2); // 13 epochs of P 100 at M 400: 260 units of work, under the default threshold
    try {
      const s = await pool.get(params, 4);
      expectSameSchedule(s.toData(), computeReplaySchedule(params, 4).toData());
      expect((pool as unknown as { all: unknown[] }).all.length).toBe(0); // no thread was started
    } finally {
      await pool.close();
    }
  });

  it('rejects what is pending when closed', async () => {
    const pool = new ReplayPool(1, 0);
    const pending = pool.get(clsParams({ notebook: { m: 400 }, student: { epochs: 400 } }), 5);
    await pool.close();
    await expect(pending).rejects.toThrow('replay pool closed');
  });
});
