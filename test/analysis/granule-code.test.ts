/**
 * The granule code of the cerebellar SDM (src/analysis/granule-code) against closed forms and independent
 * implementations: the conjunction code's coding level counted by enumeration, plain counters against BinarySdm,
 * the covariance rule against its definition, the participation-ratio estimator on codes with known dimension and
 * against the exact covariance of a small code enumerated over every address.
 */
import { describe, expect, it } from 'vitest';
import { CounterRng, streamId } from '../../src/core/rng.ts';
import {
  activeCount,
  buildWiring,
  codeStatistics,
  CodeMemory,
  conjunctionFraction,
  conjunctionReachable,
  granuleCodeSweep,
  GranuleCoder,
  kthLargest,
  kthLargestMany,
  overlapMatrix,
  randomAddresses,
  recallByLoad,
  topKActive,
  type CodeSpec,
} from '../../src/analysis/granule-code/index.ts';
import { BinarySdm } from '../../src/models/memory/sdm/binary.ts';

const N = 256;
const R = 20000;

/** Independent Bernoulli(f) codes over r cells (stream 'test:bernoulli', index = code). */
function bernoulliCodes(count: number, r: number, f: number, seed: number, first = 0): Uint32Array[] {
  const rng = new CounterRng(seed);
  const s = streamId('test:bernoulli');
  return Array.from({ length: count }, (_, a) => {
    const on: number[] = [];
    for (let j = 0; j < r; j++) if (rng.uniform(s, first + a, j) < f) on.push(j);
    return Uint32Array.from(on);
  });
}

/** Every address of n bits, bit i of address x = (x >> i) & 1. */
function allAddresses(n: number): Uint8Array[] {
  return Array.from({ length: 2 ** n }, (_, x) => Uint8Array.from({ length: n }, (_, i) => (x >> i) & 1));
}

/** PR from the exact covariance of codes over equally likely addresses (dense r x r). */
function exactParticipationRatio(codes: readonly Uint32Array[], r: number): number {
  const m = new Float64Array(r);
  const E = new Float64Array(r * r);
  for (const c of codes) {
    for (const j of c) m[j]! += 1 / codes.length;
    for (const j of c) for (const l of c) E[j * r + l]! += 1 / codes.length;
  }
  let tr = 0;
  let tr2 = 0;
  for (let j = 0; j < r; j++) {
    tr += E[j * r + j]! - m[j]! * m[j]!;
    for (let l = 0; l < r; l++) tr2 += (E[j * r + l]! - m[j]! * m[l]!) ** 2;
  }
  return (tr * tr) / tr2;
}

describe('wiring', () => {
  it('K distinct fibres per cell among the 2n, lognormal weights, deterministic and nested in K', () => {
    const w = buildWiring({ n: 16, r: 300, inputs: 6, weightSigma: 0.3, seed: 5 });
    for (let j = 0; j < w.r; j++) {
      const f = Array.from(w.fibres.subarray(j * 6, j * 6 + 6));
      expect(new Set(f).size).toBe(6);
      for (const x of f) expect(x).toBeLessThan(32);
    }
    for (let q = 0; q < w.z.length; q++) expect(w.weights[q]).toBeCloseTo(Math.exp(0.3 * w.z[q]!), 12);
    const again = buildWiring({ n: 16, r: 300, inputs: 6, weightSigma: 0.3, seed: 5 });
    expect(Array.from(again.fibres)).toEqual(Array.from(w.fibres));
    const more = buildWiring({ n: 16, r: 300, inputs: 8, weightSigma: 0.3, seed: 5 });
    for (let j = 0; j < w.r; j++) expect(Array.from(more.fibres.subarray(j * 8, j * 8 + 6))).toEqual(Array.from(w.fibres.subarray(j * 6, j * 6 + 6)));
    const other = buildWiring({ n: 16, r: 300, inputs: 6, weightSigma: 0.3, seed: 6 });
    expect(Array.from(other.fibres)).not.toEqual(Array.from(w.fibres));
  });

  it('with sigma = 0 the input orders cells by active count, then by the summed z of the active synapses', () => {
    const w = buildWiring({ n: 32, r: 2000, inputs: 5, weightSigma: 0, seed: 2 });
    const coder = new GranuleCoder(w);
    const x = randomAddresses(32, 2, 'test:x', 1)[0]!;
    const { key, count } = coder.input(x);
    for (let j = 0; j < w.r; j++) {
      let g = 0;
      let c = 0;
      for (let k = 0; k < 5; k++) {
        const f = w.fibres[j * 5 + k]!;
        if (f < 32 ? x[f] === 1 : x[f - 32] === 0) {
          c++;
          g += w.z[j * 5 + k]!;
        }
      }
      expect(count[j]).toBe(c);
      expect(Math.abs(key[j]! - c)).toBeLessThan(0.5);
      expect(key[j]! - c).toBeCloseTo(g / w.tieScale, 12);
    }
  });
});

describe('conjunction code', () => {
  it('coding level C(n, K) / C(2n, K): counted over every K-subset of the 2n fibres', () => {
    for (const n of [3, 5, 6])
      for (let K = 1; K <= 2 * n; K++) {
        // Enumerate K-subsets of 2n fibres; a subset can be all active iff it holds no on/off pair (i, n + i).
        let subsets = 0;
        let reachable = 0;
        for (let mask = 0; mask < 2 ** (2 * n); mask++) {
          let bits = 0;
          for (let m = mask; m; m &= m - 1) bits++;
          if (bits !== K) continue;
          subsets++;
          if (((mask & (2 ** n - 1)) & (mask >> n)) === 0) reachable++;
        }
        expect(conjunctionReachable(n, K)).toBeCloseTo(reachable / subsets, 12);
        expect(conjunctionFraction(n, K)).toBeCloseTo((reachable / subsets) * 2 ** -K, 12);
      }
  });

  it('over every address, a cell fires for 2^-K of them iff it samples no on/off pair twice', () => {
    const n = 8;
    const K = 3;
    const w = buildWiring({ n, r: 400, inputs: K, weightSigma: 0.2, seed: 3 });
    const coder = new GranuleCoder(w);
    const fires = new Uint32Array(w.r);
    for (const x of allAddresses(n)) for (const j of coder.codes(x, [{ inhibition: 'all' }])[0]!) fires[j]!++;
    for (let j = 0; j < w.r; j++) {
      const bits = Array.from(w.fibres.subarray(j * K, (j + 1) * K), (f) => f % n);
      expect(fires[j]).toBe(new Set(bits).size === K ? 2 ** (n - K) : 0);
    }
  });

  it('overlap 1 / P(reachable) x chance, participation P(reachable): every reachable cell fires for 4^-K of address pairs', () => {
    // A cell with K distinct bits is active for both of two independent addresses with probability 4^-K, so the mean
    // overlap is r p 4^-K against chance r (p 2^-K)^2, p = conjunctionReachable.
    const coder = new GranuleCoder(buildWiring({ n: N, r: R, inputs: 4, weightSigma: 0, seed: 2 }));
    const code = (xs: Uint8Array[]) => xs.map((x) => coder.codes(x, [{ inhibition: 'all' }])[0]!);
    const s = codeStatistics(code(randomAddresses(N, 2, 'test:samples', 300)), code(randomAddresses(N, 2, 'test:mean', 300)), R);
    const p = conjunctionReachable(N, 4);
    expect(p).toBeCloseTo(0.98827, 5);
    expect(Math.abs(s.overlapRatio * p - 1)).toBeLessThan(0.015);
    expect(Math.abs(s.everActive / p - 1)).toBeLessThan(0.01);
  });

  it('at n = 256, r = 20,000, K = 4 the measured coding level is 0.0617 = C(256, 4) / C(512, 4)', () => {
    const coder = new GranuleCoder(buildWiring({ n: N, r: R, inputs: 4, weightSigma: 0, seed: 1 }));
    const xs = randomAddresses(N, 1, 'test:addresses', 100);
    const f = xs.reduce((s, x) => s + coder.codes(x, [{ inhibition: 'all' }])[0]!.length, 0) / (100 * R);
    expect(conjunctionFraction(N, 4)).toBeCloseTo(0.06177, 5);
    expect(Math.abs(f / conjunctionFraction(N, 4) - 1)).toBeLessThan(0.02);
  });
});

describe('selection', () => {
  it('kthLargest matches sorting, with duplicates; kthLargestMany matches it for several k', () => {
    const rng = new CounterRng(9);
    const v = Float64Array.from({ length: 1000 }, (_, i) => Math.floor(rng.uniform(1, i, 0) * 20));
    const sorted = Array.from(v).sort((a, b) => b - a);
    for (const k of [1, 2, 17, 500, 999, 1000]) expect(kthLargest(v, k)).toBe(sorted[k - 1]);
    expect(kthLargestMany(v, [17, 999, 1, 500])).toEqual([17, 999, 1, 500].map((k) => sorted[k - 1]));
  });

  it('top-k keeps exactly k cells, ties at the threshold to the lowest index', () => {
    expect(Array.from(topKActive(Float64Array.of(1, 3, 3, 3, 2), 2))).toEqual([1, 2]);
    expect(Array.from(topKActive(Float64Array.of(1, 3, 3, 3, 2), 4))).toEqual([1, 2, 3, 4]);
    const coder = new GranuleCoder(buildWiring({ n: N, r: R, inputs: 4, weightSigma: 0, seed: 1 }));
    const x = randomAddresses(N, 1, 'test:addresses', 1)[0]!;
    const [a, b] = coder.codes(x, [
      { inhibition: 'topk', codingLevel: 0.01 },
      { inhibition: 'topk', codingLevel: 0.1 },
    ]);
    expect(a!.length).toBe(activeCount(0.01, R));
    expect(b!.length).toBe(activeCount(0.1, R));
    // Nested: the 200 strongest cells are among the 2,000 strongest.
    const inB = new Set(b);
    for (const j of a!) expect(inB.has(j)).toBe(true);
  });

  it('the global threshold gives coding level f on average over fresh addresses (K = 4, sigma 0.2, f = 0.014)', () => {
    const coder = new GranuleCoder(buildWiring({ n: N, r: R, inputs: 4, weightSigma: 0.2, seed: 1 }));
    const theta = coder.globalThreshold(0.014, randomAddresses(N, 1, 'test:calibration', 100));
    const xs = randomAddresses(N, 1, 'test:addresses', 100);
    const spec: CodeSpec = { inhibition: 'global', threshold: theta };
    const f = xs.reduce((s, x) => s + coder.codes(x, [spec])[0]!.length, 0) / (100 * R);
    expect(f).toBeGreaterThan(0.0125);
    expect(f).toBeLessThan(0.0155);
  });
});

describe('counters', () => {
  const r = 60;
  const n = 12;
  const rng = new CounterRng(4);
  const codes = Array.from({ length: 30 }, (_, w) => {
    const on: number[] = [];
    for (let j = 0; j < r; j++) if (rng.uniform(streamId('test:codes'), w, j) < 0.15) on.push(j);
    return Uint32Array.from(on);
  });
  const values = Array.from({ length: 30 }, (_, w) => Uint8Array.from({ length: n }, (_, b) => (rng.uniform(streamId('test:values'), w, b) < 0.5 ? 1 : 0)));
  const mem = new CodeMemory(r, n);
  codes.forEach((c, w) => mem.write(c, values[w]!));

  it('plain counters read the same sums as BinarySdm written through the same active sets', () => {
    const sdm = new BinarySdm({ n: 8, r, d: 0, valueBits: n, seed: 1, counterBits: 32, kernel: 'js' });
    codes.forEach((c, w) => sdm.writeActive(c, values[w]!));
    for (const cue of [...codes.slice(0, 10), Uint32Array.of(), Uint32Array.from({ length: r }, (_, j) => j)]) {
      const mine = mem.sums(cue);
      const ref = sdm.readActive(cue);
      expect(Array.from(mine.plain)).toEqual(Array.from(ref.sums));
      expect(Array.from(mem.read(cue).plain)).toEqual(Array.from(ref.bits));
    }
  });

  it('the covariance rule reads what counters C[j][b] += (2 v_b - 1)(a_j - |A| / r) hold', () => {
    const C = new Float64Array(r * n);
    codes.forEach((c, w) => {
      const a = new Float64Array(r);
      for (const j of c) a[j] = 1;
      for (let j = 0; j < r; j++) for (let b = 0; b < n; b++) C[j * n + b]! += (2 * values[w]![b]! - 1) * (a[j]! - c.length / r);
    });
    for (const cue of codes.slice(0, 10)) {
      const s = new Float64Array(n);
      for (const j of cue) for (let b = 0; b < n; b++) s[b]! += C[j * n + b]!;
      const mine = mem.sums(cue).covariance;
      const bits = mem.read(cue).covariance;
      for (let b = 0; b < n; b++) {
        expect(mine[b]).toBeCloseTo(s[b]!, 9);
        if (Math.abs(s[b]!) > 1e-9) expect(bits[b]).toBe(s[b]! > 0 ? 1 : 0);
      }
    }
  });
});

describe('capacity at n = 256, r = 20,000', () => {
  const patterns = randomAddresses(N, 1, 'test:patterns', 1600);
  const random = randomAddresses(N, 1, 'test:values', 1600);

  it('K = 4 conjunction code: the covariance rule recalls 400 patterns, plain counters fail before 100', () => {
    const coder = new GranuleCoder(buildWiring({ n: N, r: R, inputs: 4, weightSigma: 0, seed: 1 }));
    const codes = patterns.slice(0, 400).map((x) => coder.codes(x, [{ inhibition: 'all' }])[0]!);
    const auto = recallByLoad({ r: R, codes, values: patterns, loads: [25, 100, 400], cuesPerLoad: 20 });
    expect(auto[0]!.plain).toBeGreaterThanOrEqual(0.99);
    expect(auto[1]!.plain).toBeLessThan(0.99);
    expect(auto[2]!.covariance).toBeGreaterThanOrEqual(0.99);
    const hetero = recallByLoad({ r: R, codes, values: random, loads: [100, 400], cuesPerLoad: 20 });
    expect(hetero[0]!.plain).toBeLessThan(0.99);
    expect(hetero[1]!.covariance).toBeGreaterThanOrEqual(0.99);
  });

  it('K = 1 (cells copy single bits): auto-association is served by the identity map, random values are not stored', () => {
    const coder = new GranuleCoder(buildWiring({ n: N, r: R, inputs: 1, weightSigma: 0, seed: 1 }));
    const codes = patterns.map((x) => coder.codes(x, [{ inhibition: 'all' }])[0]!);
    const auto = recallByLoad({ r: R, codes, values: patterns, loads: [1600], cuesPerLoad: 10 });
    const hetero = recallByLoad({ r: R, codes, values: random, loads: [400], cuesPerLoad: 10 });
    expect(auto[0]!.covariance).toBeGreaterThan(0.99);
    expect(hetero[0]!.covariance).toBeLessThan(0.9);
  });

  it('K = 4, sigma 0.2, global threshold at f = 0.014 (circuits/cerebellum-biological.yaml): few cells ever fire, codes overlap', () => {
    const coder = new GranuleCoder(buildWiring({ n: N, r: R, inputs: 4, weightSigma: 0.2, seed: 1 }));
    const spec: CodeSpec = { inhibition: 'global', threshold: coder.globalThreshold(0.014, randomAddresses(N, 1, 'test:calibration', 100)) };
    const code = (xs: Uint8Array[]) => xs.map((x) => coder.codes(x, [spec])[0]!);
    // Measured: 22% of cells ever fire (a cell with 4 binary inputs fires for >= 1/16 of addresses or never), codes
    // overlap 4.6x chance, recall 0.95 at 100 patterns.
    const stats = codeStatistics(code(randomAddresses(N, 1, 'test:samples', 300)), code(randomAddresses(N, 1, 'test:mean', 300)), R);
    expect(stats.everActive).toBeGreaterThan(0.18);
    expect(stats.everActive).toBeLessThan(0.26);
    expect(stats.overlapRatio).toBeGreaterThan(3.5);
    expect(stats.overlapRatio).toBeLessThan(5.5);
    const recall = recallByLoad({ r: R, codes: code(patterns.slice(0, 100)), values: patterns, loads: [100], cuesPerLoad: 20 });
    expect(recall[0]!.plain).toBeLessThan(0.99);
  });
});

describe('participation ratio and overlaps', () => {
  it('independent Bernoulli(f) units: PR = r, overlap = r f^2 (ratio 1), every unit fires', () => {
    const r = 2000;
    const f = 0.1;
    const s = codeStatistics(bernoulliCodes(400, r, f, 1), bernoulliCodes(400, r, f, 1, 400), r);
    expect(Math.abs(s.participationRatio / r - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.traceC / (r * f * (1 - f)) - 1)).toBeLessThan(0.02);
    expect(Math.abs(s.traceC2 / (r * (f * (1 - f)) ** 2) - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.meanOverlap / (r * f * f) - 1)).toBeLessThan(0.02);
    expect(Math.abs(s.overlapRatio - 1)).toBeLessThan(0.02);
    expect(s.everActive).toBe(1);
  });

  it('every unit duplicated: PR halves', () => {
    const half = 1000;
    const dup = (cs: Uint32Array[]) => cs.map((c) => Uint32Array.from([...c, ...Array.from(c, (j) => j + half)]));
    const s = codeStatistics(dup(bernoulliCodes(400, half, 0.1, 2)), dup(bernoulliCodes(400, half, 0.1, 2, 400)), 2 * half);
    expect(Math.abs(s.participationRatio / half - 1)).toBeLessThan(0.05);
  });

  it('the bias correction matters at PR ~ Q: without it tr C^2 would be off by 2/Q + PR/Q^2', () => {
    const r = 4000;
    const f = 0.05;
    const Q = 100;
    // Average over repetitions: each estimate is noisy, the bias is what is checked.
    let pr = 0;
    const reps = 8;
    for (let k = 0; k < reps; k++) pr += codeStatistics(bernoulliCodes(150, r, f, 10 + k), bernoulliCodes(Q, r, f, 10 + k, 150), r).participationRatio / reps;
    // Uncorrected: about r / (1 + 2/Q + r/Q^2) = 0.70 r (measured 0.73 r; corrected 1.01 r).
    expect(Math.abs(pr / r - 1)).toBeLessThan(0.06);
  });

  it('matches the exact PR of a granule code enumerated over every address (n = 8, r = 120, K = 3, top-k)', () => {
    const n = 8;
    const r = 120;
    const coder = new GranuleCoder(buildWiring({ n, r, inputs: 3, weightSigma: 0, seed: 7 }));
    const spec: CodeSpec[] = [{ inhibition: 'topk', codingLevel: 0.2 }];
    const exact = exactParticipationRatio(allAddresses(n).map((x) => coder.codes(x, spec)[0]!), r);
    const code = (xs: Uint8Array[]) => xs.map((x) => coder.codes(x, spec)[0]!);
    const est = codeStatistics(code(randomAddresses(n, 7, 'test:samples', 3000)), code(randomAddresses(n, 7, 'test:mean', 3000)), r);
    expect(exact).toBeGreaterThan(5);
    expect(exact).toBeLessThan(r);
    expect(Math.abs(est.participationRatio / exact - 1)).toBeLessThan(0.05);
  });

  it('the overlap matrix is the same through the inverted index (sparse codes) and popcounts (dense codes)', () => {
    for (const f of [0.02, 0.6]) {
      const r = 300;
      const codes = bernoulliCodes(40, r, f, 3);
      const G = overlapMatrix(codes, r);
      for (let a = 0; a < 40; a++)
        for (let b = 0; b < 40; b++) {
          const inB = new Set(codes[b]);
          expect(G[a * 40 + b]).toBe(Array.from(codes[a]!).filter((j) => inB.has(j)).length);
        }
    }
  });
});

describe('sweep', () => {
  it('is deterministic in the seed and has one row per K and code', () => {
    const p = { n: 64, r: 2000, inputs: [2, 3], codingLevels: [0.05], inhibition: 'global' as const, weightSigma: 0.2, loads: [10, 20], cuesPerLoad: 5, samples: 50, seed: 3 };
    const a = granuleCodeSweep(p);
    const b = granuleCodeSweep(p);
    expect(a.map((r) => [r.inputs, r.code])).toEqual([
      [2, 'global'],
      [2, 'conjunction'],
      [3, 'global'],
      [3, 'conjunction'],
    ]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(granuleCodeSweep({ ...p, seed: 4 }))).not.toBe(JSON.stringify(a));
  });
});
