/** A silent population settles to its exact resting fixed point and is then skipped without changing any result. */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { collectSpikes, simulate } from '../helpers.ts';

const spec = (times: number[]) => ({
  name: 'q',
  populations: [
    { name: 's', size: 1, source: { kind: 'spike_generator' as const, spike_times_ms: [times] } },
    { name: 'n', size: 50, model: 'lif', params: { v_rest: -65, v_th: -50, v_reset: -65 } },
  ],
  projections: [{ source: 's', target: 'n', receptor: 'exc', connectivity: { rule: 'all_to_all' as const }, weight: { uniform: { low: 80, high: 120 } }, delay_ms: 1 }],
});

describe('quiet populations', () => {
  it('return exactly to rest after input, and a later input acts as on a fresh network', async () => {
    for (const compiled of [false, true]) {
      const late = await simulate(spec([10, 3000]), new CpuBackend(compiled));
      const spikesLate = collectSpikes(late);
      await late.run(29_000);
      const v = late.network.population('n')!.state.v!;
      expect([...v].every((x) => x === -65)).toBe(true);
      expect([...late.network.population('n')!.state.ge!].every((x) => x === 0)).toBe(true);
      await late.run(2_000);
      // The same input on the same weights at 10 ms gives the same spikes, shifted by 2990 ms.
      const early = (spikesLate.get('n') ?? []).filter(([t]) => t < 29_000).map(([t, i]) => [t + 29_900, i]);
      const later = (spikesLate.get('n') ?? []).filter(([t]) => t >= 29_000);
      expect(early.length).toBeGreaterThan(0);
      expect(later).toEqual(early);
    }
  });
});
