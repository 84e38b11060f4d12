/**
 * Conductance-based LIF (lif_cond) on every backend: with constant conductance the exponential-Euler step is exact,
 * so the trajectory and the first spike tick follow the closed form; after a synaptic input the PSP agrees with a
 * fine-step Runge-Kutta solution of the ODE (v and the conductance integrated together) to 1% of its amplitude for
 * tau_syn 0.2-5 ms at h 0.1 and 0.01 ms, and the error falls as h^2.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import type { Backend } from '../../src/kernels/index.ts';
import { BACKENDS, collectSpikes, simulate } from '../helpers.ts';

const P = { c_m: 200, g_l: 10, e_l: -60, e_e: 0, e_i: -80, tau_e: 5, tau_i: 10, v_th: -50, v_reset: -60, t_ref: 5 };
const tau = P.c_m / P.g_l; // 20 ms

/**
 * The independent reference: RK4 with step hs on the full ODE from rest, with an input of w nS on the receptor with
 * reversal potential E at t = 0,
 *   c_m dv/dt = g_l (e_l - v) + g (E - v),   dg/dt = -g / tau_syn,   v(0) = e_l, g(0) = w,
 * returning v at t = k h for k = 0 .. n (h a multiple of hs).
 */
function rk4Psp(w: number, E: number, tauSyn: number, h: number, n: number, sub = 1000): Float64Array {
  const hs = h / sub;
  const fv = (v: number, g: number) => (P.g_l * (P.e_l - v) + g * (E - v)) / P.c_m;
  const fg = (g: number) => -g / tauSyn;
  const out = new Float64Array(n + 1);
  let v = P.e_l;
  let g = w;
  out[0] = v;
  for (let k = 1; k <= n; k++) {
    for (let j = 0; j < sub; j++) {
      const v1 = fv(v, g);
      const g1 = fg(g);
      const v2 = fv(v + (hs / 2) * v1, g + (hs / 2) * g1);
      const g2 = fg(g + (hs / 2) * g1);
      const v3 = fv(v + (hs / 2) * v2, g + (hs / 2) * g2);
      const g3 = fg(g + (hs / 2) * g2);
      const v4 = fv(v + hs * v3, g + hs * g3);
      const g4 = fg(g + hs * g3);
      v += (hs / 6) * (v1 + 2 * v2 + 2 * v3 + v4);
      g += (hs / 6) * (g1 + 2 * g2 + 2 * g3 + g4);
    }
    out[k] = v;
  }
  return out;
}

const TAU_SYN = [0.2, 0.5, 1, 2, 5];
/** Excitatory and inhibitory inputs (nS); v_th is raised so that no PSP reaches it. */
const INPUTS = [
  { receptor: 'exc', w: 10, E: P.e_e },
  { receptor: 'inh', w: 60, E: P.e_i },
] as const;
const PSP_MS = 30;

/**
 * One neuron per (tau_syn, receptor), each given one input at t = h (a spike at 0 with delay h, so it is added at the
 * start of tick 1). Returns v(t) at t = k h after the input, k = 0 .. PSP_MS / h, per neuron.
 */
async function simulatedPsps(backend: Backend, h: number, taus: readonly number[] = TAU_SYN) {
  const cases = taus.flatMap((tauSyn) => INPUTS.map((inp) => ({ tauSyn, ...inp })));
  const sim = await simulate(
    {
      name: 'psp',
      populations: [
        { name: 's', size: 1, source: { kind: 'spike_generator', spike_times_ms: [[0]] } },
        ...cases.map((c, j) => ({ name: `n${j}`, size: 1, model: 'lif_cond', params: { ...P, tau_e: c.tauSyn, tau_i: c.tauSyn, v_th: -10 } })),
      ],
      projections: cases.map((c, j) => ({ source: 's', target: `n${j}`, receptor: c.receptor, connectivity: { rule: 'one_to_one' as const }, weight: c.w, delay_ms: h })),
    },
    backend,
    1,
    h,
  );
  const n = Math.round(PSP_MS / h);
  const traces = cases.map(() => new Float64Array(n + 1));
  await sim.run(1);
  for (let k = 0; k <= n; k++) {
    if (k > 0) await sim.run(1);
    await sim.syncState();
    cases.forEach((_, j) => (traces[j]![k] = sim.network.population(`n${j}`)!.state.v![0]!));
  }
  sim.dispose();
  return cases.map((c, j) => ({ ...c, v: traces[j]! }));
}

/** Peak |v - e_l| of a trace, and the largest deviation between two traces relative to the reference's peak. */
const amplitude = (v: Float64Array) => v.reduce((m, x) => Math.max(m, Math.abs(x - P.e_l)), 0);
const traceError = (v: Float64Array, ref: Float64Array) => v.reduce((m, x, k) => Math.max(m, Math.abs(x - ref[k]!)), 0) / amplitude(ref);

const refCache = new Map<string, Float64Array>();
function reference(w: number, E: number, tauSyn: number, h: number): Float64Array {
  const key = `${w} ${E} ${tauSyn} ${h}`;
  let r = refCache.get(key);
  if (!r) refCache.set(key, (r = rk4Psp(w, E, tauSyn, h, Math.round(PSP_MS / h))));
  return r;
}

describe.each(BACKENDS)('lif_cond on $name', (bk) => {
  it('under a constant current follows the closed form and fires at the predicted tick', async () => {
    const I = 260; // pA: v_inf = e_l + I / g_l = -34 mV
    const sim = await simulate({ name: 'c', populations: [{ name: 'n', size: 1, model: 'lif_cond', params: { ...P, i_bias: I } }], projections: [] }, await bk.make());
    const spikes = collectSpikes(sim);
    const vInf = P.e_l + I / P.g_l;
    const tHit = tau * Math.log((P.e_l - vInf) / (P.v_th - vInf));
    for (let k = 1; k < Math.floor(tHit / 0.1); k++) {
      await sim.run(1);
      if (k % 20) continue;
      await sim.syncState();
      const v = sim.network.population('n')!.state.v![0]!;
      expect(Math.abs(v - (vInf + (P.e_l - vInf) * Math.exp(-(k * 0.1) / tau)))).toBeLessThan(bk.rtol * 60 + 1e-12);
    }
    await sim.run(20);
    expect(Math.abs(tHit / 0.1 - Math.round(tHit / 0.1))).toBeGreaterThan(1e-3);
    expect(spikes.get('n')![0]![0]).toBe(Math.ceil(tHit / 0.1));
  });

  it.each([0.1, 0.01])('h = %s ms: PSPs within one percent of the ODE solution for tau_syn 0.2-5 ms, excitatory and inhibitory', async (h) => {
    for (const c of await simulatedPsps(await bk.make(), h)) {
      const ref = reference(c.w, c.E, c.tauSyn, h);
      const ampErr = Math.abs(amplitude(c.v) / amplitude(ref) - 1);
      const what = `tau_syn ${c.tauSyn} ms, ${c.receptor}, h ${h} ms`;
      expect(ampErr, `${what}: peak amplitude`).toBeLessThan(0.01);
      expect(traceError(c.v, ref), `${what}: whole trace`).toBeLessThan(0.01);
      // With float64 the error is the scheme's own, far below 1%: about h^2 / (12 tau_syn tau_m) relative.
      if (bk.rtol < 1e-9) expect(ampErr, `${what}: peak amplitude, float64`).toBeLessThan((h * h) / (12 * c.tauSyn * tau) * 1.5);
    }
  });
});

describe('lif_cond PSP error order (float64 reference step)', () => {
  it('falls as h^2: halving h divides the error by 4', async () => {
    // The scheme's error, not rounding: float64 only. Errors compared on the 0.1 ms grid shared by every h.
    const hs = [0.1, 0.05, 0.025];
    const errs: number[][] = [];
    for (const h of hs) {
      const stride = Math.round(0.1 / h);
      const sims = await simulatedPsps(new CpuBackend(false), h, [0.5, 2]);
      errs.push(
        sims.map((c) => {
          const ref = reference(c.w, c.E, c.tauSyn, h);
          return traceError(
            c.v.filter((_, k) => k % stride === 0),
            ref.filter((_, k) => k % stride === 0),
          );
        }),
      );
    }
    for (let q = 0; q < errs[0]!.length; q++) {
      for (let j = 1; j < hs.length; j++) {
        const ratio = errs[j - 1]![q]! / errs[j]![q]!;
        expect(ratio).toBeGreaterThan(3.6);
        expect(ratio).toBeLessThan(4.4);
      }
    }
  });
});
