/**
 * Conductance-based LIF (lif_cond) on every backend: with constant conductance the exponential-Euler step is exact,
 * so the trajectory and the first spike tick follow the closed form; with a synaptic conductance it converges to a
 * fine-step Runge-Kutta solution of the ODE at first order in dt.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, collectSpikes, simulate } from '../helpers.ts';

const P = { c_m: 200, g_l: 10, e_l: -60, e_e: 0, e_i: -80, tau_e: 5, tau_i: 10, v_th: -50, v_reset: -60, t_ref: 5 };
const tau = P.c_m / P.g_l; // 20 ms

/** RK4 with a tiny step: the independent reference for v(t) after one excitatory input of w nS at t = 0. */
function rk4(w: number, tEnd: number, h = 1e-4): number {
  let v = P.e_l;
  let g = w;
  const f = (vv: number, gg: number) => (P.g_l * (P.e_l - vv) + gg * (P.e_e - vv)) / P.c_m;
  for (let t = 0; t < tEnd - 1e-12; t += h) {
    const gm = g * Math.exp(-h / 2 / P.tau_e);
    const g1 = g * Math.exp(-h / P.tau_e);
    const k1 = f(v, g);
    const k2 = f(v + (h / 2) * k1, gm);
    const k3 = f(v + (h / 2) * k2, gm);
    const k4 = f(v + h * k3, g1);
    v += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    g = g1;
  }
  return v;
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

  it('after a conductance input converges to the ODE solution at first order in dt', async () => {
    const w = 3; // nS: a few mV, below threshold
    const errors: number[] = [];
    for (const dt of [0.1, 0.05]) {
      const sim = await simulate(
        {
          name: 'c',
          populations: [
            { name: 's', size: 1, source: { kind: 'spike_generator', spike_times_ms: [[0]] } },
            { name: 'n', size: 1, model: 'lif_cond', params: P },
          ],
          projections: [{ source: 's', target: 'n', receptor: 'exc', connectivity: { rule: 'one_to_one' }, weight: w, delay_ms: dt }],
        },
        await bk.make(),
        1,
        dt,
      );
      // The input arrives at t = dt; compare v at t = dt + 4 ms.
      await sim.run(Math.round((dt + 4) / dt));
      await sim.syncState();
      errors.push(Math.abs(sim.network.population('n')!.state.v![0]! - rk4(w, 4)));
      sim.dispose();
    }
    expect(errors[0]!).toBeLessThan(0.05);
    // Halving dt halves the error (first order), within 25%.
    expect(errors[0]! / errors[1]!).toBeGreaterThan(1.5);
    expect(errors[0]! / errors[1]!).toBeLessThan(2.5);
  });
});
