import { afterAll, describe, expect, it } from 'vitest';
import { CounterRng } from '../../../../src/core/rng.ts';
import { SdmReadPool } from '../../../../src/backends/cpu/sdm/pool.ts';
import { BinarySdm } from '../../../../src/models/memory/sdm/binary.ts';
import { randomBits } from '../../../../src/models/memory/sdm/bits.ts';
import { filled } from './filled.ts';
import { wasmAvailable } from '../../../../src/models/memory/sdm/scan.ts';

const KERNELS: ('js' | 'wasm')[] = wasmAvailable() ? ['js', 'wasm'] : ['js'];


const pools: SdmReadPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.each(KERNELS)('SdmReadPool (%s kernel)', (kernel) => {
  it.each([1, 2, 3])('reads over %i threads exactly as one thread and as one read per query', async (threads) => {
    const { sdm, qs } = filled({ n: 1000, r: 2001, d: 470, valueBits: 50, seed: 4, counterBits: 16, kernel, shared: true }, 40, 70, 5);
    const pool = await SdmReadPool.create(sdm, threads);
    pools.push(pool);
    expect(pool.threads).toBe(threads);
    const batch = await pool.readBatch(qs);
    expect(batch).toEqual(sdm.readBatch(qs));
    expect(batch).toEqual(qs.map((x) => sdm.read(x)));
    expect(batch.some((res) => res.active > 0)).toBe(true);
    expect(await pool.activeSetBatch(qs)).toEqual(qs.map((x) => sdm.activeSet(x)));
    // later writes are seen by the workers (counters shared in place)
    sdm.write(qs[1]!, randomBits(new CounterRng(1), 50, 1, 1));
    expect(await pool.readBatch(qs.slice(0, 5))).toEqual(qs.slice(0, 5).map((x) => sdm.read(x)));
  });

  it('handles small memories with more threads than locations, and cues for the keep rule', async () => {
    const { sdm, qs } = filled({ n: 33, r: 2, d: 16, valueBits: 33, seed: 8, tie: 'keep', kernel, shared: true }, 3, 9, 9);
    const pool = await SdmReadPool.create(sdm, 4);
    pools.push(pool);
    expect(pool.threads).toBe(2);
    expect(await pool.readBatch(qs)).toEqual(qs.map((x) => sdm.read(x)));
    expect(await pool.readBatch(qs, qs)).toEqual(qs.map((x) => sdm.read(x, x)));
  });
});

describe('SdmReadPool errors', () => {
  it('needs a shared memory and one batch at a time', async () => {
    const plain = new BinarySdm({ n: 40, r: 30, d: 18, valueBits: 4, seed: 1 });
    await expect(SdmReadPool.create(plain, 2)).rejects.toThrow(/shared: true/);
    const { sdm, qs } = filled({ n: 40, r: 30, d: 18, valueBits: 4, seed: 1, shared: true }, 2, 3, 2);
    const pool = await SdmReadPool.create(sdm, 1);
    pools.push(pool);
    const first = pool.readBatch(qs);
    await expect(pool.readBatch(qs)).rejects.toThrow(/one batch at a time/);
    await first;
    await pool.close();
    await expect(pool.readBatch(qs)).rejects.toThrow(/closed/);
  });
});
