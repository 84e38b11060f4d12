/** rxjs streams carry simulation time: one batch per population and tick, bins and rates against direct counts. */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { bin, inPopulations, rateHz, run$, selectNeurons } from '../../src/streams/index.ts';
import { collectSpikes, simulate } from '../helpers.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';

const cuba = loadCircuit('cuba').spec;

describe('streams', () => {
  it('run$ emits one batch per population and tick, in tick order, with exactly the engine spikes', async () => {
    const sim = await simulate(cuba, new CpuBackend());
    const direct = collectSpikes(sim);
    const batches = await lastValueFrom(run$(sim, 2000).pipe(toArray()));
    const seen = new Set<string>();
    let prev = -1;
    let total = 0;
    for (const b of batches) {
      expect(b.tick).toBeGreaterThanOrEqual(prev);
      prev = b.tick;
      const key = `${b.tick}:${b.population}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(b.t_ms).toBeCloseTo(b.tick * 0.1, 9);
      total += b.indices.length;
    }
    expect(total).toBe((direct.get('exc')?.length ?? 0) + (direct.get('inh')?.length ?? 0));
    expect(sim.tick).toBe(2000);
  });

  it('bin and rateHz agree with counts computed from the spikes, with empty bins filled', async () => {
    const sim = await simulate(cuba, new CpuBackend());
    const direct = collectSpikes(sim);
    const rates = await lastValueFrom(run$(sim, 3000).pipe(inPopulations('exc'), bin(100), rateHz(sim), toArray()));
    const exc = direct.get('exc')!;
    rates.forEach((r, k) => {
      const start = Math.floor(exc[0]![0] / 100) * 100 + k * 100;
      const count = exc.filter(([t]) => t >= start && t < start + 100).length;
      expect(r.rates_hz.exc).toBeCloseTo(count / 3200 / 0.01, 9);
      expect(r.rates_hz.inh).toBe(0); // filtered out upstream
    });
    expect(rates.length).toBeGreaterThanOrEqual(29);
  });

  it('selectNeurons keeps only the chosen neurons; unsubscribing stops the run', async () => {
    const sim = await simulate(cuba, new CpuBackend());
    const picked = await lastValueFrom(run$(sim, 1000).pipe(selectNeurons('exc', [0, 1, 2, 3, 4]), toArray()));
    for (const b of picked) for (const i of b.indices) expect(i).toBeLessThan(5);
    const sim2 = await simulate(cuba, new CpuBackend());
    await new Promise<void>((resolve) => {
      const sub = run$(sim2, 100_000, { chunkTicks: 100 }).subscribe(() => {
        sub.unsubscribe();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(sim2.tick).toBeLessThan(100_000);
  });
});
