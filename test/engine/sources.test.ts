/** Stimuli: Poisson sources against their law, spike generators to the tick, current steps against the closed form. */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { BACKENDS, collectSpikes, simulate } from '../helpers.ts';

describe('injected spikes', () => {
  it('a neuron injected twice in a tick spikes once, and the others of the batch are not lost', async () => {
    const sim = await simulate(
      {
        name: 'x',
        populations: [
          { name: 'ext', size: 2, source: { kind: 'external' } },
          { name: 'n', size: 2, model: 'threshold_unit', params: { theta: 0.5 } },
        ],
        projections: [{ source: 'ext', target: 'n', receptor: 'exc', connectivity: { rule: 'one_to_one' }, weight: 1, delay_ms: 0.1 }],
      },
      new CpuBackend(),
    );
    const spikes = collectSpikes(sim);
    sim.injectSpikes('ext', 3, [0, 0, 1]);
    sim.injectSpikes('ext', 3, [1]);
    await sim.run(10);
    expect(spikes.get('ext')).toEqual([
      [3, 0],
      [3, 1],
    ]);
    // Both spikes were delivered (one tick of delay after the spike tick).
    expect(spikes.get('n')).toEqual([
      [5, 0],
      [5, 1],
    ]);
  });
});

describe('Poisson sources', () => {
  it('fire at their rate with exponential intervals (CV near 1), within statistical error', async () => {
    const n = 1000;
    const rate = 20;
    const sim = await simulate({ name: 'p', populations: [{ name: 'p', size: n, source: { kind: 'poisson', rate_hz: rate } }], projections: [] }, new CpuBackend());
    const spikes = collectSpikes(sim);
    await sim.run(20000); // 2 s
    const total = sim.spikeCounts().p!;
    const expected = n * rate * 2;
    expect(Math.abs(total - expected)).toBeLessThan(5 * Math.sqrt(expected));
    // Pooled ISIs of a Bernoulli process with p = rate * dt have CV sqrt(1 - p) ~ 0.999.
    const last = new Float64Array(n).fill(-1);
    let s1 = 0;
    let s2 = 0;
    let c = 0;
    for (const [t, i] of spikes.get('p')!) {
      if (last[i]! >= 0) {
        const isi = t - last[i]!;
        s1 += isi;
        s2 += isi * isi;
        c++;
      }
      last[i] = t;
    }
    const mean = s1 / c;
    const cv = Math.sqrt(s2 / c - mean * mean) / mean;
    expect(Math.abs(cv - 1)).toBeLessThan(0.03);
    // First spikes: geometric on ticks 0, 1, ... with p = rate * dt, mean (1 - p) / p (the window cuts off nothing).
    const p = rate * 1e-4;
    const first = new Float64Array(n).fill(-1);
    for (const [t, i] of spikes.get('p')!) if (first[i]! < 0) first[i] = t;
    const m = first.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(m - (1 - p) / p)).toBeLessThan((5 * Math.sqrt(1 - p)) / p / Math.sqrt(n));
  });

  it('respect start and stop', async () => {
    const sim = await simulate({ name: 'p', populations: [{ name: 'p', size: 200, source: { kind: 'poisson', rate_hz: 100, start_ms: 50, stop_ms: 80 } }], projections: [] }, new CpuBackend());
    const spikes = collectSpikes(sim);
    await sim.run(1500);
    const ticks = spikes.get('p')!.map(([t]) => t);
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...ticks)).toBeLessThan(800);
  });
});

describe.each(BACKENDS)('stimuli on $name', (bk) => {
  it('spike generators emit at their times, rounded to the grid', async () => {
    const sim = await simulate({ name: 'g', populations: [{ name: 'g', size: 2, source: { kind: 'spike_generator', spike_times_ms: [[0, 1.2, 3.04], [2.5]] } }], projections: [] }, await bk.make());
    const spikes = collectSpikes(sim);
    await sim.run(100);
    expect(spikes.get('g')).toEqual([
      [0, 0],
      [12, 0],
      [25, 1],
      [30, 0],
    ]);
  });

  it('current steps drive v as the closed form says while on, and release it after', async () => {
    const sim = await simulate({ name: 'c', populations: [{ name: 'n', size: 2, model: 'lif', params: { v_rest: -70, v_th: -40, tau_m: 10 } }], projections: [] }, await bk.make());
    sim.addCurrentStep({ population: 'n', neurons: [1], startTick: 100, stopTick: 300, amplitude: 15 });
    const v = (t: number) => (t <= 10 ? -70 : t <= 30 ? -70 + 15 * (1 - Math.exp(-(t - 10) / 10)) : -70 + 15 * (1 - Math.exp(-2)) * Math.exp(-(t - 30) / 10));
    for (let k = 1; k <= 500; k++) {
      await sim.run(1);
      if (k % 25 !== 0) continue;
      await sim.syncState();
      const st = sim.network.population('n')!.state.v!;
      expect(st[0]).toBe(-70);
      expect(Math.abs(st[1]! - v(k * 0.1))).toBeLessThan(bk.rtol * 70 + 1e-12);
    }
  });
});
