/**
 * Connectivity rules: exact counts where the rule fixes them, and statistical tests (fixed seeds) where it draws
 * them: NEST's approach of checking degree distributions against their binomial law.
 */
import { describe, expect, it } from 'vitest';
import { CounterRng } from '../../src/core/rng.ts';
import { type ConnectivityRule, findSynapse, generatePairs, sortPairs } from '../../src/network/connectivity.ts';
import { buildNetwork } from '../../src/network/network.ts';

const rng = new CounterRng(12345);

function degrees(rule: ConnectivityRule, nPre: number, nPost: number, same = false) {
  const pairs = generatePairs(rule, nPre, nPost, same, rng, 7);
  const outdeg = new Float64Array(nPre);
  const indeg = new Float64Array(nPost);
  let autapses = 0;
  const seen = new Set<number>();
  let multapses = 0;
  for (let s = 0; s < pairs.length; s++) {
    const i = pairs.pre[s]!;
    const j = pairs.post[s]!;
    outdeg[i]!++;
    indeg[j]!++;
    if (i === j) autapses++;
    const key = i * nPost + j;
    if (seen.has(key)) multapses++;
    seen.add(key);
  }
  return { pairs, outdeg, indeg, autapses, multapses, total: pairs.length };
}

/** Chi-squared statistic of observed degree histogram against Binomial(n, p); returns [stat, dof]. */
function chiSquaredBinomial(deg: Float64Array, n: number, p: number): [number, number] {
  const counts = new Map<number, number>();
  for (const d of deg) counts.set(d, (counts.get(d) ?? 0) + 1);
  const N = deg.length;
  const pmf = (k: number) => Math.exp(lgammaBin(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
  // Bins with expected count >= 5; tails pooled.
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  const lo = Math.max(0, Math.floor(mean - 3 * sd));
  const hi = Math.ceil(mean + 3 * sd);
  let stat = 0;
  let bins = 0;
  let expLow = 0;
  let obsLow = 0;
  for (let k = 0; k < lo; k++) {
    expLow += N * pmf(k);
    obsLow += counts.get(k) ?? 0;
  }
  let expHigh = 0;
  let obsHigh = 0;
  for (let k = hi + 1; k <= n; k++) {
    expHigh += N * pmf(k);
    obsHigh += counts.get(k) ?? 0;
  }
  const add = (o: number, e: number) => {
    stat += ((o - e) * (o - e)) / e;
    bins++;
  };
  add(obsLow, expLow);
  add(obsHigh, expHigh);
  for (let k = lo; k <= hi; k++) add(counts.get(k) ?? 0, N * pmf(k));
  return [stat, bins - 1];
}

function lgammaBin(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

describe('connectivity rules', () => {
  it('pairwise_bernoulli: total near p n^2 and indegrees binomial (chi-squared, fixed seed)', () => {
    const n = 2000;
    const p = 0.02;
    const d = degrees({ rule: 'pairwise_bernoulli', p }, n, n);
    const mean = n * n * p;
    expect(Math.abs(d.total - mean)).toBeLessThan(5 * Math.sqrt(mean * (1 - p)));
    const [stat, dof] = chiSquaredBinomial(d.indeg, n, p);
    // 99.9% quantile of chi-squared with dof ~ 30 is ~ 59.7; use a generous bound by Wilson-Hilferty.
    const q999 = dof * (1 - 2 / (9 * dof) + 3.09 * Math.sqrt(2 / (9 * dof))) ** 3;
    expect(stat).toBeLessThan(q999);
    expect(d.multapses).toBe(0);
  });

  it('pairwise_bernoulli without autapses never connects i to i', () => {
    expect(degrees({ rule: 'pairwise_bernoulli', p: 0.5, allow_autapses: false }, 300, 300, true).autapses).toBe(0);
    expect(degrees({ rule: 'pairwise_bernoulli', p: 0.5 }, 300, 300, true).autapses).toBeGreaterThan(100);
  });

  it('fixed_indegree gives every target exactly k inputs; without multapses they are distinct', () => {
    const d = degrees({ rule: 'fixed_indegree', indegree: 50, allow_multapses: false, allow_autapses: false }, 400, 300, false);
    expect([...d.indeg].every((x) => x === 50)).toBe(true);
    expect(d.multapses).toBe(0);
    const s = degrees({ rule: 'fixed_indegree', indegree: 20, allow_autapses: false }, 200, 200, true);
    expect(s.autapses).toBe(0);
    // Sources are drawn uniformly: outdegrees ~ Binomial(300 * 50, 1/400) approx; check the mean exactly.
    expect(d.outdeg.reduce((a, b) => a + b, 0) / 400).toBe((300 * 50) / 400);
  });

  it('fixed_outdegree gives every source exactly k targets', () => {
    const d = degrees({ rule: 'fixed_outdegree', outdegree: 30 }, 250, 1000);
    expect([...d.outdeg].every((x) => x === 30)).toBe(true);
  });

  it('all_to_all, one_to_one and explicit give exactly what they say', () => {
    expect(degrees({ rule: 'all_to_all' }, 7, 9).total).toBe(63);
    expect(degrees({ rule: 'all_to_all', allow_autapses: false }, 7, 7, true).total).toBe(42);
    const o = degrees({ rule: 'one_to_one' }, 10, 10);
    expect([...o.outdeg].every((x) => x === 1)).toBe(true);
    const e = generatePairs({ rule: 'explicit', pairs: [[0, 2], [1, 0], [0, 1]] }, 2, 3, false, rng, 1);
    const { rowPtr, col } = sortPairs(e, 2);
    expect(Array.from(rowPtr)).toEqual([0, 2, 3]);
    expect(Array.from(col)).toEqual([1, 2, 0]); // rows sorted by target
    expect(findSynapse({ rowPtr, col }, 0, 2)).toBe(1);
    expect(findSynapse({ rowPtr, col }, 1, 2)).toBe(-1);
  });

  it('refuses impossible requests with a message', () => {
    expect(() => generatePairs({ rule: 'fixed_indegree', indegree: 11, allow_multapses: false }, 10, 5, false, rng, 1)).toThrow(/exceeds/);
    expect(() => generatePairs({ rule: 'one_to_one' }, 3, 4, false, rng, 1)).toThrow(/equal sizes/);
  });

  it('the same seed gives byte-identical synapses, another seed different ones', () => {
    const spec = {
      name: 'x',
      origin: 'test',
      populations: [{ name: 'a', size: 500, model: 'lif' }],
      projections: [{ source: 'a', target: 'a', receptor: 'exc', connectivity: { rule: 'pairwise_bernoulli' as const, p: 0.1 }, weight: { normal: { mean: 1, sd: 0.2 } }, delay_ms: { uniform: { low: 0.1, high: 3 } } }],
    };
    const a = buildNetwork(spec, 3, 0.1).projections[0]!.csr;
    const b = buildNetwork(spec, 3, 0.1).projections[0]!.csr;
    const c = buildNetwork(spec, 4, 0.1).projections[0]!.csr;
    expect(Buffer.from(a.col.buffer).equals(Buffer.from(b.col.buffer))).toBe(true);
    expect(Buffer.from(a.weights!.buffer).equals(Buffer.from(b.weights!.buffer))).toBe(true);
    expect(Buffer.from(a.delays!.buffer).equals(Buffer.from(b.delays!.buffer))).toBe(true);
    expect(Buffer.from(a.col.buffer).equals(Buffer.from(c.col.buffer))).toBe(false);
    // Drawn weights have the requested moments; drawn delays lie in [1, 30] ticks.
    const w = Array.from(a.weights!);
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    expect(Math.abs(mean - 1)).toBeLessThan((5 * 0.2) / Math.sqrt(w.length));
    expect(Math.min(...a.delays!)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...a.delays!)).toBeLessThanOrEqual(30);
  });

  it('stores constant weights and delays once: CSR costs 4 bytes per synapse plus row pointers', () => {
    const net = buildNetwork(
      {
        name: 'x',
        origin: 'test',
        populations: [{ name: 'a', size: 1000, model: 'lif' }],
        projections: [{ source: 'a', target: 'a', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 100 }, weight: 1, delay_ms: 1 }],
      },
      1,
      0.1,
    );
    expect(net.synapseBytes).toBe(4 * 100_000 + 4 * 1001);
  });
});
