/** Threshold units on every backend: fire in a tick iff that tick's input (plus bias) reaches theta. */
import { describe, expect, it } from 'vitest';
import { BACKENDS, collectSpikes, simulate } from '../helpers.ts';

describe.each(BACKENDS)('threshold_unit on $name', (bk) => {
  it('fires exactly when the summed input of the tick reaches theta (>= or, strict, >), and records the input', async () => {
    const times = [[1], [1], [1], [1, 2]];
    const sim = await simulate(
      {
        name: 't',
        populations: [
          { name: 's', size: 4, source: { kind: 'spike_generator', spike_times_ms: times } },
          { name: 'u', size: 3, model: 'threshold_unit', params: { theta: 3 } },
          { name: 'strict', size: 3, model: 'threshold_unit', params: { theta: 3, strict: 1 } },
          { name: 'biased', size: 1, model: 'threshold_unit', params: { theta: 0.5, bias: 1 } },
        ],
        projections: [
          // unit 0 gets 1 + 1 + 1 = 3, unit 1 gets 1 + 1 = 2, unit 2 gets 4 excitatory - 1 inhibitory = 3 (at 1.1 ms).
          { name: 'e', source: 's', target: 'u', receptor: 'exc', connectivity: { rule: 'explicit', pairs: [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [3, 2], [1, 2], [2, 2], [0, 2]] }, weight: 1, delay_ms: 0.1 },
          { name: 'i', source: 's', target: 'u', receptor: 'inh', connectivity: { rule: 'explicit', pairs: [[0, 2]] }, weight: -1, delay_ms: 0.1 },
          // strict unit 0 gets exactly 3 (no spike), unit 1 gets 4 (spike).
          { name: 'st', source: 's', target: 'strict', receptor: 'exc', connectivity: { rule: 'explicit', pairs: [[0, 0], [1, 0], [2, 0], [3, 1], [3, 1], [3, 1], [3, 1]] }, weight: 1, delay_ms: 0.1 },
        ],
      },
      await bk.make(),
    );
    const spikes = collectSpikes(sim);
    await sim.run(12); // input arrives at tick 11 (1 ms + 0.1 ms), spikes at tick 12
    await sim.syncState();
    expect(Array.from(sim.network.population('u')!.state.input!)).toEqual([3, 2, 3]);
    expect(spikes.get('u')).toEqual([
      [12, 0],
      [12, 2],
    ]);
    expect(spikes.get('strict')).toEqual([[12, 1]]);
    // The biased unit fires every tick on its bias alone.
    expect(spikes.get('biased')!.length).toBe(12);
    await sim.run(10); // at 2 ms only source 3 fires: unit 2 of 'u' gets 1 < 3
    expect(spikes.get('u')!.filter(([t]) => t > 12)).toEqual([]);
  });
});
