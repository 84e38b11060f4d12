/**
 * The error-driven rule (src/models/plasticity/cf-error.ts) against a reference learner written from its definition:
 * tick by tick, every PF spike adds ltp to each synapse of its PF; then every CF spike to cell k at tick s subtracts
 * ltd * sum over the PF's spikes t in [s - D - W, s - D] of exp(-(s - D - t) / tau) from each PF -> k synapse; each change clipped
 * to [w_min, w_max] and rounded to float32. Random spike trains (fast-check), random connectivity with multapses and
 * missing synapses; then the same rule bound by the engine to a network's spikes (the binding's order in a tick).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { CfErrorRule, type CfErrorParams } from '../../src/models/plasticity/cf-error.ts';
import { buildNetwork, type NetworkSpec } from '../../src/network/network.ts';

interface Syn {
  readonly rowPtr: Uint32Array;
  readonly col: Uint32Array;
  readonly weights: Float32Array;
}

/** The definition, with no history kept beyond the spike lists themselves. */
function referenceLearner(syn: Syn, p: CfErrorParams, pf: Array<[number, number]>, cf: Array<[number, number]>): Float32Array {
  const w = Float32Array.from(syn.weights);
  const clip = (x: number) => Math.min(p.wMax, Math.max(p.wMin, x));
  const ticks = [...new Set([...pf.map((x) => x[0]), ...cf.map((x) => x[0])])].sort((a, b) => a - b);
  for (const s of ticks) {
    for (const [t, j] of pf) if (t === s) for (let q = syn.rowPtr[j]!; q < syn.rowPtr[j + 1]!; q++) w[q] = clip(w[q]! + p.ltp);
    for (const [t, k] of cf) {
      if (t !== s) continue;
      for (let j = 0; j + 1 < syn.rowPtr.length; j++) {
        let a = 0;
        const d = p.delayTicks ?? 0;
        for (const [u, jj] of pf) if (jj === j && u <= s - d && u >= s - d - p.windowTicks) a += Math.exp(-(s - d - u) / p.tauTicks);
        if (a === 0) continue;
        for (let q = syn.rowPtr[j]!; q < syn.rowPtr[j + 1]!; q++) if (syn.col[q] === k) w[q] = clip(w[q]! - p.ltd * a);
      }
    }
  }
  return w;
}

function runRule(syn: Syn, p: CfErrorParams, pf: Array<[number, number]>, cf: Array<[number, number]>): Float32Array {
  const s = { ...syn, weights: Float32Array.from(syn.weights) };
  const rule = new CfErrorRule(p, s);
  const ticks = [...new Set([...pf.map((x) => x[0]), ...cf.map((x) => x[0])])].sort((a, b) => a - b);
  for (const t of ticks) {
    for (const [u, j] of pf) if (u === t) rule.parallelFibreSpike(t, j);
    for (const [u, k] of cf) if (u === t) rule.climbingFibreSpike(t, k);
  }
  return s.weights;
}

/** Rows of nPc targets each, some missing, some doubled (multapses), sorted by target. */
function synapses(nPf: number, nPc: number, mask: boolean[]): Syn {
  const rowPtr = new Uint32Array(nPf + 1);
  const col: number[] = [];
  for (let j = 0; j < nPf; j++) {
    for (let k = 0; k < nPc; k++) {
      const m = (j * nPc + k) % mask.length;
      if (mask[m]) col.push(k);
      if (m === 0) col.push(k);
    }
    rowPtr[j + 1] = col.length;
  }
  return { rowPtr, col: Uint32Array.from(col), weights: Float32Array.from(col, (_, q) => 0.5 + 0.01 * (q % 7)) };
}

describe('cf_error rule', () => {
  it('equals the reference learner on random spike trains, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 7 })), { maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 3 })), { maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 0, max: 25 }),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 12 }),
        (pfRaw, cfRaw, mask, W, tau, clip, D) => {
          const pf = [...new Map(pfRaw.map(([t, j]) => [`${t}:${j}`, [t, j] as [number, number]])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          const cf = [...new Map(cfRaw.map(([t, k]) => [`${t}:${k}`, [t, k] as [number, number]])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          const syn = synapses(8, 4, mask);
          const p: CfErrorParams = { ltp: 0.03, ltd: 0.2, tauTicks: tau, windowTicks: W, delayTicks: D, wMin: clip ? 0.3 : -Infinity, wMax: clip ? 0.8 : Infinity };
          expect(Array.from(runRule(syn, p, pf, cf))).toEqual(Array.from(referenceLearner(syn, p, pf, cf)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts the PF spike at the window edge and not one tick past it, with and without a delay; LTP alone without complex spikes', () => {
    const syn = synapses(1, 1, [true]);
    const p: CfErrorParams = { ltp: 0, ltd: 1, tauTicks: 1e9, windowTicks: 5, wMin: -Infinity, wMax: Infinity };
    const w0 = syn.weights[0]!;
    // Two synapses (a multapse at m = 0): each loses ltd * 1 for the spike at tick 10 - 5; the one at 10 - 6 is out.
    const w = runRule(syn, p, [[4, 0], [5, 0]], [[10, 0]]);
    expect(w[0]).toBeCloseTo(w0 - 1, 6);
    // A delay of 3 ticks moves the window to [10 - 3 - 5, 10 - 3]: the spike at 7 counts fully, the one at 8 not.
    const delayed = runRule(syn, { ...p, delayTicks: 3 }, [[1, 0], [2, 0], [7, 0], [8, 0]], [[10, 0]]);
    expect(delayed[0]).toBeCloseTo(w0 - 2, 6);
    const only = runRule(syn, { ...p, ltp: 0.25 }, [[1, 0], [2, 0], [3, 0]], []);
    expect(only[0]).toBeCloseTo(w0 + 0.75, 6);
  });

  it('is bound by the engine in the rule order: LTP as PF spikes arrive, LTD at the end of the CF spike tick', async () => {
    const pfTimes = Array.from({ length: 30 }, (_, j) => Array.from({ length: 6 }, (_, q) => +(1 + ((j * 7 + q * 13) % 90) * 0.3).toFixed(1)));
    const cfTimes = Array.from({ length: 3 }, (_, k) => [5 + k, 12.3, 20 + 2 * k]);
    const spec: NetworkSpec = {
      name: 'err',
      origin: 'test',
      populations: [
        { name: 'pf', size: 30, source: { kind: 'spike_generator', spike_times_ms: pfTimes } },
        { name: 'io', size: 3, source: { kind: 'spike_generator', spike_times_ms: cfTimes } },
        { name: 'pc', size: 3, model: 'lif_cond', params: {} },
      ],
      projections: [
        { name: 'pf-pc', source: 'pf', target: 'pc', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 20 }, weight: 1, delay_ms: 1, plastic: true },
        { name: 'cf-pc', source: 'io', target: 'pc', receptor: 'exc', connectivity: { rule: 'one_to_one' }, weight: 5, delay_ms: 1 },
      ],
      plasticity: [{ rule: 'cf_error', name: 'err', projection: 'pf-pc', teacher: 'io', ltp: 0.01, ltd: 0.05, ltd_tau_ms: 2, window_ms: 6, ltd_delay_ms: 0.5, w_min: 0, w_max: 1.5 }],
    };
    const net = buildNetwork(spec, 2, 0.1);
    const csr = net.projection('pf-pc')!.csr;
    const before = { rowPtr: csr.rowPtr, col: csr.col, weights: Float32Array.from(csr.weights!) };
    const sim = await Simulator.create(net, { seed: 2, backend: new CpuBackend() });
    const pf: Array<[number, number]> = [];
    const cf: Array<[number, number]> = [];
    sim.onSpikes((t, pop, idx) => {
      for (const i of idx) (pop.name === 'pf' ? pf : pop.name === 'io' ? cf : []).push([t, i]);
    });
    await sim.run(300);
    const rule = sim.errorRule('err');
    expect(cf.length).toBe(9);
    expect(rule.ltdEvents).toBeGreaterThan(20);
    const expected = referenceLearner(before, { ltp: 0.01, ltd: 0.05, tauTicks: 20, windowTicks: 60, delayTicks: 5, wMin: 0, wMax: 1.5 }, pf, cf);
    expect(Array.from(net.projection('pf-pc')!.csr.weights!)).toEqual(Array.from(expected));
    sim.dispose();
  });
});
