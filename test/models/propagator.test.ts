/**
 * The exact synaptic propagator of `lif` for synaptic time constants at and near tau_m (docs issue 12, item 1).
 * tau_x / (tau_x - tau_m) (e^{-h/tau_x} - e^{-h/tau_m}) cancels catastrophically in float64 when tau_x is close to
 * tau_m; the reference here evaluates that same closed form from the exact float inputs in 400-bit fixed point
 * (test/models/bigexp.ts), where the cancellation costs nothing. Cases: tau_m 1, 10, 100 ms; h 0.001, 0.1 ms;
 * tau_x - tau_m = 0, +-0.1, +-0.01, ..., +-1e-10 ms. (Background on the singularity: NEST's
 * doc/model_details/IAF_neurons_singularity.ipynb and libnestutil/propagator_stability.h.)
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { LIF, synapticPropagator, type LifParams } from '../../src/models/neurons/lif.ts';
import { BACKENDS, simulate } from '../helpers.ts';
import { pspKernel } from './bigexp.ts';

const TAU_M = [1, 10, 100];
const H = [0.001, 0.1];
const DIFFS = [0, ...[1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10].flatMap((d) => [d, -d])];
const cases = TAU_M.flatMap((tauM) => DIFFS.map((d) => ({ tauM, tauX: tauM + d, d })));

const lifParams = (tauM: number, tauX: number, extra: Partial<LifParams> = {}): LifParams => ({
  tau_m: tauM,
  tau_e: tauX,
  tau_i: tauX,
  v_rest: -65,
  v_th: -50,
  v_reset: -65,
  t_ref: 2,
  i_bias: 0,
  ...extra,
});

describe('synapticPropagator near tau_syn = tau_m', () => {
  it.each(H)('is accurate to a few ulps for every tau_syn - tau_m (h = %s ms)', (h) => {
    for (const { tauM, tauX, d } of cases) {
      const ref = pspKernel(tauX, tauM, h);
      const got = synapticPropagator(tauX, tauM, h);
      const rel = Math.abs(got / ref - 1);
      if (rel > 1e-15) throw new Error(`tau_m ${tauM}, tau_x - tau_m ${d}, h ${h}: P ${got}, reference ${ref}, relative error ${rel}`);
      // derive hands the same propagator to every backend, for both receptors.
      const dv = LIF.derive(lifParams(tauM, tauX), h);
      expect(dv.pE).toBe(got);
      expect(dv.pI).toBe(got);
    }
  });

  it('gives a PSP for tau_m 100 ms, tau_syn 100 + 1e-10 ms, h 0.001 ms (it was 0)', () => {
    // 1e-5 (1 - 1e-5) to first order: the reference is 9.9999e-6 to 5 digits.
    const ref = pspKernel(100 + 1e-10, 100, 0.001);
    expect(ref).toBeCloseTo(9.9999e-6, 10);
    expect(Math.abs(synapticPropagator(100 + 1e-10, 100, 0.001) - ref)).toBeLessThan(1e-20);
  });
});

/** Ticks after the input's arrival at which v is compared with the reference. */
const SAMPLES = [1, 2, 3, 5, 10, 30, 100, 300, 1000, 3000];
const W = 5; // mV

/** One population per (tau_m, tau_syn), all receiving one input of W mV that arrives in tick 1. */
const pspNetwork = (h: number, extra: Partial<LifParams> = {}, list = cases) => ({
  name: 'psp',
  populations: [
    { name: 'src', size: 1, source: { kind: 'spike_generator' as const, spike_times_ms: [[0]] } },
    ...list.map(({ tauM, tauX }, j) => ({ name: `n${j}`, size: 1, model: 'lif', params: lifParams(tauM, tauX, extra) })),
  ],
  projections: list.map((_, j) => ({ source: 'src', target: `n${j}`, receptor: 'exc', connectivity: { rule: 'one_to_one' as const }, weight: W, delay_ms: h })),
});

describe.each([
  { name: 'cpu (reference step)', compiled: false },
  { name: 'cpu (compiled)', compiled: true },
])('simulated PSP near tau_syn = tau_m on $name', ({ compiled }) => {
  it.each(H)('follows v_rest + w P(t) within 1e-9 mV (h = %s ms)', async (h) => {
    const sim = await simulate(pspNetwork(h), new CpuBackend(compiled), 1, h);
    const arrive = 1; // spike at t = 0 with delay h: added to the state at the start of tick 1
    let ticks = 0;
    let worst = 0;
    for (const k of SAMPLES) {
      await sim.run(arrive + k - ticks);
      ticks = arrive + k;
      cases.forEach(({ tauM, tauX, d }, j) => {
        const v = sim.network.population(`n${j}`)!.state.v![0]!;
        const ref = -65 + W * pspKernel(tauX, tauM, h, k);
        const err = Math.abs(v - ref);
        worst = Math.max(worst, err);
        if (err > 1e-9) throw new Error(`tau_m ${tauM}, tau_syn - tau_m ${d}, h ${h}, ${k} ticks after arrival: v ${v}, reference ${ref}`);
      });
    }
    expect(worst).toBeLessThan(1e-9);
    sim.dispose();
  });
});

describe.each(BACKENDS)('the PSP that vanished, on $name', (bk) => {
  it('tau_m 100 ms, tau_syn 100 + 1e-10 ms, h 0.001 ms: v rises as the closed form says', async () => {
    // v_rest 0 so that float32 backends resolve a PSP of 0.05 mV.
    const h = 0.001;
    const one = [{ tauM: 100, tauX: 100 + 1e-10, d: 1e-10 }];
    const sim = await simulate(pspNetwork(h, { v_rest: 0, v_th: 20, v_reset: 0 }, one), await bk.make(), 1, h);
    for (const k of [10, 100, 1000]) {
      await sim.run(k === 10 ? 11 : k === 100 ? 90 : 900);
      await sim.syncState();
      const v = sim.network.population('n0')!.state.v![0]!;
      const ref = W * pspKernel(100 + 1e-10, 100, h, k);
      expect(ref).toBeGreaterThan(4e-4);
      expect(Math.abs(v - ref)).toBeLessThan(bk.rtol * 10 * ref + 1e-15);
    }
    sim.dispose();
  });
});
