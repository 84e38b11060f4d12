/**
 * AdEx (models/neurons/adex.ts) against closed forms: with delta_t = 0 and no adaptation it is an LIF with
 * exponential current synapses, whose PSP is known exactly; with subthreshold adaptation (a > 0, delta_t = 0) it is
 * a linear 2-D system whose step response follows from its eigenvalues; the refractory clamp holds v at v_reset for
 * t_ref. Reference traces of peers (Brian2, NEST) are in adex-reference.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { collectSpikes, simulate } from '../helpers.ts';

const base = { c_m: 200, g_l: 10, e_l: -65, v_t: -50, delta_t: 0, v_peak: 0, v_reset: -70, tau_w: 100, a: 0, b: 0, t_ref: 0, tau_e: 2, tau_i: 5 };
const dt = 0.1;

/** One neuron fed once by a spike generator at t = 1 ms with weight J (pA) and a 1 ms delay. */
async function psp(params: Record<string, number>, J: number, ticks: number) {
  const sim = await simulate(
    {
      name: 'psp',
      populations: [
        { name: 'in', size: 1, source: { kind: 'spike_generator', spike_times_ms: [[1]] } },
        { name: 'n', size: 1, model: 'adex', params },
      ],
      projections: [{ source: 'in', target: 'n', receptor: J >= 0 ? 'exc' : 'inh', connectivity: { rule: 'all_to_all' }, weight: J, delay_ms: 1 }],
    },
    new CpuBackend(false),
  );
  const v: number[] = [];
  for (let k = 0; k < ticks; k++) {
    await sim.run(1);
    v.push(sim.network.population('n')!.state.v![0]!);
  }
  return v;
}

describe('AdEx against closed forms', () => {
  it('delta_t = 0, a = b = 0: the PSP of an exponential current synapse, exactly (within the integrator tolerance)', async () => {
    const tauM = base.c_m / base.g_l;
    for (const [J, tauS, receptor] of [
      [500, 2, 'tau_e'],
      [-800, 5, 'tau_i'],
    ] as const) {
      const v = await psp({ ...base, [receptor]: tauS }, J, 600);
      const first = v.findIndex((x) => x !== base.e_l);
      expect(first).toBeGreaterThan(0);
      let peak = 0;
      for (let j = 0; first + j < v.length; j++) {
        const t = (j + 1) * dt;
        const exact = base.e_l + (J / base.c_m) * ((tauM * tauS) / (tauM - tauS)) * (Math.exp(-t / tauM) - Math.exp(-t / tauS));
        peak = Math.max(peak, Math.abs(exact - base.e_l));
        expect(Math.abs(v[first + j]! - exact)).toBeLessThan(1e-5);
      }
      expect(peak).toBeGreaterThan(0.5);
    }
  });

  it('delta_t = 0, a > 0: the step response of the linear (v, w) system, from its eigenvalues', async () => {
    const p = { ...base, a: 20, tau_w: 50, i_bias: 120 };
    const sim = await simulate({ name: 'lin', populations: [{ name: 'n', size: 1, model: 'adex', params: p }], projections: [] }, new CpuBackend(false));
    // x = (v - e_l, w): x' = M x + (I / c, 0), M = [[-g/c, -1/c], [a/tau_w, -1/tau_w]]; x(0) = 0.
    const M = [-p.g_l / p.c_m, -1 / p.c_m, p.a / p.tau_w, -1 / p.tau_w];
    const tr = M[0]! + M[3]!;
    const det = M[0]! * M[3]! - M[1]! * M[2]!;
    const disc = tr * tr - 4 * det;
    // Fixed point x* = -M^-1 (I/c, 0); x(t) = x* + exp(M t)(0 - x*), with exp(M t) by Cayley-Hamilton for 2x2.
    const inv = [M[3]! / det, -M[1]! / det, -M[2]! / det, M[0]! / det];
    const xs = [-(inv[0]! * p.i_bias) / p.c_m, -(inv[2]! * p.i_bias) / p.c_m];
    const expM = (t: number): number[] => {
      const m = tr / 2;
      if (disc < 0) {
        const om = Math.sqrt(-disc) / 2;
        const c = Math.cos(om * t);
        const s = Math.sin(om * t) / om;
        const e = Math.exp(m * t);
        return [e * (c + (M[0]! - m) * s), e * M[1]! * s, e * M[2]! * s, e * (c + (M[3]! - m) * s)];
      }
      const l1 = m + Math.sqrt(disc) / 2;
      const l2 = m - Math.sqrt(disc) / 2;
      const f = (l: number) => Math.exp(l * t);
      const A = (f(l1) - f(l2)) / (l1 - l2);
      const B = (l1 * f(l2) - l2 * f(l1)) / (l1 - l2);
      return [A * M[0]! + B, A * M[1]!, A * M[2]!, A * M[3]! + B];
    };
    let maxDev = 0;
    for (let k = 1; k <= 3000; k++) {
      await sim.run(1);
      if (k % 100 !== 0) continue;
      const E = expM(k * dt);
      const x0 = xs[0]! - (E[0]! * xs[0]! + E[1]! * xs[1]!);
      const x1 = xs[1]! - (E[2]! * xs[0]! + E[3]! * xs[1]!);
      const st = sim.network.population('n')!.state;
      maxDev = Math.max(maxDev, Math.abs(st.v![0]! - p.e_l - x0));
      expect(Math.abs(st.v![0]! - p.e_l - x0)).toBeLessThan(1e-5);
      expect(Math.abs(st.w![0]! - x1)).toBeLessThan(1e-4);
    }
    // The subthreshold adaptation current is large enough to matter: v sags from its early peak.
    expect(xs[0]).toBeLessThan(p.i_bias / p.g_l);
    expect(maxDev).toBeLessThan(1e-5);
  });

  it('t_ref holds v at v_reset after a spike while w decays; b is added at each spike', async () => {
    const p = { ...base, delta_t: 2, v_t: -50, v_peak: -30, t_ref: 2, b: 30, a: 0, i_bias: 400 };
    const sim = await simulate({ name: 'ref', populations: [{ name: 'n', size: 1, model: 'adex', params: p }], projections: [] }, new CpuBackend(false));
    const spikes = collectSpikes(sim);
    const st = sim.network.population('n')!.state;
    const trace: Array<{ v: number; w: number }> = [];
    for (let k = 0; k < 1500; k++) {
      await sim.run(1);
      trace.push({ v: st.v![0]!, w: st.w![0]! });
    }
    const ticks = (spikes.get('n') ?? []).map(([t]) => t);
    expect(ticks.length).toBeGreaterThan(3);
    for (const t of ticks) {
      // The spike tick ends at v_reset and v stays there for t_ref / dt more ticks: the samples from the spike's to
      // t_ref after it are all v_reset (NEST's testsuite/pytests/other/test_refractory.py measures t_ref this way).
      for (let j = 0; j <= Math.round(p.t_ref / dt); j++) expect(trace[t - 1 + j]!.v).toBe(p.v_reset);
      expect(trace[t + Math.round(p.t_ref / dt)]!.v).toBeGreaterThan(p.v_reset);
      // With a = 0, w only decays (tau_w) and jumps by b at the spike, some time s within the tick:
      // w_after = w_before e^{-dt/tau_w} + b e^{-(dt - s)/tau_w}, so it lies between these two bounds.
      const decay = Math.exp(-dt / p.tau_w);
      const before = trace[t - 2]!.w;
      const after = trace[t - 1]!.w;
      expect(after).toBeGreaterThanOrEqual(before * decay + p.b * decay - 1e-6);
      expect(after).toBeLessThanOrEqual(before * decay + p.b + 1e-6);
    }
    // Adaptation: inter-spike intervals lengthen.
    expect(ticks[2]! - ticks[1]!).toBeGreaterThan(ticks[1]! - ticks[0]!);
  });

  it('refuses inconsistent parameters in one line', async () => {
    await expect(simulate({ name: 'bad', populations: [{ name: 'n', size: 1, model: 'adex', params: { v_peak: -60 } }], projections: [] }, new CpuBackend(false))).rejects.toThrow(/v_peak: must be above v_t/);
  });
});
