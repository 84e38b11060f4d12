import { describe, expect, it } from 'vitest';
import { clsParams } from '../../src/models/memory/cls/params.ts';
import { computeReplaySchedule } from '../../src/models/memory/cls/run.ts';
import { poolSize, ReplayPool } from '../../src/scenarios/workers/replay-pool.ts';

describe('replay pool (worker threads)', () => {
  const params = clsParams({ notebook: { m: 400 }, student: { epochs: 12 } });

  it('schedules computed in worker threads equal those computed in this thread, array for array', async () => {
    const pool = new ReplayPool(2);
    try {
      const seeds = [1, 2, 3];
      pool.prefetch(params, seeds);
      for (const seed of seeds) {
        const fromWorker = (await pool.get(params, seed)).toData();
        const here = computeReplaySchedule(params, seed).toData();
        expect(fromWorker.key).toBe(here.key);
        expect(fromWorker.computed).toBe(12);
        for (const field of ['outcome', 'memory', 'distance', 'active', 'kwtaCycles', 'thresholdCycles', 'unitStart', 'units'] as const)
          expect(Array.from(fromWorker[field])).toEqual(Array.from(here[field]));
        expect(fromWorker.work).toEqual(here.work);
      }
      // asked again: the same object, not a second computation
      expect(await pool.get(params, 2)).toBe(await pool.get(params, 2));
    } finally {
      await pool.close();
    }
  });

  it('sizes itself to the cores and the jobs, and rejects what is pending when closed', async () => {
    expect(poolSize('auto', 1)).toBe(0);
    expect(poolSize('auto', 2)).toBeGreaterThanOrEqual(1);
    expect(poolSize('auto', 2)).toBeLessThanOrEqual(2);
    expect(poolSize(3, 1)).toBe(3);
    const inline = new ReplayPool(0);
    expect((await inline.get(params, 4)).computed).toBe(12);
    const pool = new ReplayPool(1);
    const pending = pool.get(clsParams({ notebook: { m: 400 }, student: { epochs: 400 } }), 5);
    await pool.close();
    await expect(pending).rejects.toThrow('replay pool closed');
  });
});
