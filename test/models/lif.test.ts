/**
 * LIF against its closed form, on every backend: constant-drive trajectory, first spike time to the tick,
 * refractory clamp and periodic firing, and synaptic delay (no effect before it, the exact PSP after it).
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, collectSpikes, simulate } from '../helpers.ts';

const tauM = 20;
const tauE = 5;
const vRest = -65;
const vTh = -50;
const vReset = -70;
const dt = 0.1;

const lifParams = (extra: Record<string, number> = {}) => ({ tau_m: tauM, tau_e: tauE, tau_i: 10, v_rest: vRest, v_th: vTh, v_reset: vReset, t_ref: 2, ...extra });

/** Closed form under constant drive I from v0: v(t) = vRest + I + (v0 - vRest - I) exp(-t / tauM). */
const vConst = (t: number, v0: number, I: number) => vRest + I + (v0 - vRest - I) * Math.exp(-t / tauM);
/** Time to go from v0 to threshold under drive I (ms). */
const tHit = (v0: number, I: number) => tauM * Math.log((v0 - vRest - I) / (vTh - vRest - I));

describe.each(BACKENDS)('LIF closed form on $name', (bk) => {
  it('follows the constant-drive trajectory below threshold', async () => {
    const I = 12; // v_inf = -53 mV, below threshold: no spike
    const sim = await simulate(
      { name: 't', populations: [{ name: 'n', size: 3, model: 'lif', params: lifParams({ i_bias: I }), init: { v: { uniform: { low: -80, high: -60 } } } }], projections: [] },
      await bk.make(),
    );
    const v0 = Array.from(sim.network.population('n')!.state.v!);
    for (let k = 1; k <= 300; k++) {
      await sim.run(1);
      if (k % 50 !== 0) continue;
      await sim.syncState();
      const v = sim.network.population('n')!.state.v!;
      for (let i = 0; i < 3; i++) expect(Math.abs(v[i]! - vConst(k * dt, v0[i]!, I))).toBeLessThan(bk.rtol * 80);
    }
    sim.dispose();
  });

  it('fires first at the tick the closed form predicts, then periodically with the refractory clamp', async () => {
    const drives = [16.3, 19.7, 27.1, 40.9];
    const sim = await simulate(
      { name: 't', populations: drives.map((I, j) => ({ name: `n${j}`, size: 1, model: 'lif', params: lifParams({ i_bias: I }) })), projections: [] },
      await bk.make(),
    );
    const spikes = collectSpikes(sim);
    await sim.run(2000);
    drives.forEach((I, j) => {
      const first = tHit(vRest, I) / dt;
      const later = tHit(vReset, I) / dt;
      // Guard: the crossing must not sit within float32 resolution of a tick boundary.
      expect(Math.abs(first - Math.round(first))).toBeGreaterThan(1e-3);
      expect(Math.abs(later - Math.round(later))).toBeGreaterThan(1e-3);
      const ticks = (spikes.get(`n${j}`) ?? []).map(([t]) => t);
      expect(ticks[0]).toBe(Math.ceil(first));
      const refTicks = Math.round(2 / dt);
      const period = refTicks + Math.ceil(later);
      for (let q = 1; q < ticks.length; q++) expect(ticks[q]! - ticks[q - 1]!).toBe(period);
      expect(ticks.length).toBe(1 + Math.floor((2000 - ticks[0]!) / period));
    });
    sim.dispose();
  });

  it('holds v at v_reset for exactly t_ref after a spike', async () => {
    const sim = await simulate({ name: 't', populations: [{ name: 'n', size: 1, model: 'lif', params: lifParams({ i_bias: 30, t_ref: 3 }) }], projections: [] }, await bk.make());
    const spikes = collectSpikes(sim);
    const trace: number[] = [];
    for (let k = 0; k < 400; k++) {
      await sim.run(1);
      await sim.syncState();
      trace.push(sim.network.population('n')!.state.v![0]!);
    }
    const s = spikes.get('n')![0]![0];
    // trace[k - 1] is v at tick k. v = v_reset at the spike tick and for the 30 ticks after; then it rises.
    for (let k = s; k <= s + 30; k++) expect(trace[k - 1]).toBe(vReset);
    expect(trace[s + 31 - 1]!).toBeGreaterThan(vReset + 0.1);
    sim.dispose();
  });

  it('delivers a spike after exactly its delay, with the exact PSP shape', async () => {
    const w = 4; // mV
    const delayMs = 1.5;
    const tSpike = 2.0;
    const sim = await simulate(
      {
        name: 't',
        populations: [
          { name: 'src', size: 1, source: { kind: 'spike_generator', spike_times_ms: [[tSpike]] } },
          { name: 'n', size: 1, model: 'lif', params: lifParams() },
        ],
        projections: [{ source: 'src', target: 'n', receptor: 'exc', connectivity: { rule: 'one_to_one' }, weight: w, delay_ms: delayMs }],
      },
      await bk.make(),
    );
    const arrive = Math.round((tSpike + delayMs) / dt);
    const pE = (D: number) => ((w * tauE) / (tauE - tauM)) * (Math.exp(-D / tauE) - Math.exp(-D / tauM));
    for (let k = 1; k <= 400; k++) {
      await sim.run(1);
      await sim.syncState();
      const v = sim.network.population('n')!.state.v![0]!;
      if (k <= arrive) expect(v).toBe(vRest);
      else expect(Math.abs(v - (vRest + pE((k - arrive) * dt)))).toBeLessThan(bk.rtol * 70 + 1e-13);
    }
    sim.dispose();
  });
});
