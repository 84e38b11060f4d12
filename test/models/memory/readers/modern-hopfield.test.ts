/**
 * Modern Hopfield network (Ramsauer et al. 2021) against independent references: one update equals the attention
 * read (auto- and heteroassociative), a naive X^T softmax(beta X xi) update, the energy never rises (Theorem 1), and
 * retrieval from a noisy query converges to the stored pattern for a large beta; the capacity of the iteration
 * against a Monte Carlo estimate of E exp(beta cos) and against iterations below and above it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../../../src/core/errors.ts';
import { attentionMemoryOf, attentionRead } from '../../../../src/models/memory/readers/attention.ts';
import { CounterRng } from '../../../../src/core/rng.ts';
import {
  modernHopfieldCapacity,
  modernHopfieldEnergy,
  modernHopfieldRead,
  modernHopfieldRetrieve,
  modernHopfieldWeights,
} from '../../../../src/models/memory/readers/modern-hopfield.ts';
import { bipolarUnit, bipolarUnitRows, cosine, keyBits, makePatternSet, makeQueries, valueBitsOf } from '../../../../src/models/memory/readers/patterns.ts';
import { mean, naiveSoftmax, rowOf, stdErr } from './helpers.ts';

const n = 64;
const set = makePatternSet({ m: 40, n, association: 'hetero', valueBits: 32, seed: 31 });
const K = bipolarUnitRows(set.keys, set.m, n);
const qs = makeQueries(set, 10, { count: 20 });
const query = (q: number) => bipolarUnit(qs.bits.subarray(q * n, (q + 1) * n));

describe('modern Hopfield network', () => {
  it('one update from a unit query equals the attention read with values = keys', () => {
    const auto = attentionMemoryOf(makePatternSet({ m: 40, n, association: 'auto', seed: 31 }));
    for (const beta of [0, 2, 8, 30]) {
      for (let q = 0; q < 5; q++) {
        const h = modernHopfieldRetrieve(K, query(q), beta, { maxSteps: 1 });
        const a = attentionRead(auto, query(q), beta);
        expect(h.steps).toBe(1);
        a.vector.forEach((x, i) => expect(h.state[i]).toBeCloseTo(x, 14));
        a.weights.forEach((x, p) => expect(h.weights[p]).toBeCloseTo(x, 14));
      }
    }
  });

  it('a heteroassociative read with one softmax equals the attention read', () => {
    const mem = attentionMemoryOf(set);
    for (let q = 0; q < 5; q++) {
      const h = modernHopfieldRead(mem, query(q), 12, { maxSteps: 1 });
      const a = attentionRead(mem, query(q), 12);
      expect(h.updates).toBe(0);
      a.vector.forEach((x, j) => expect(h.vector[j]).toBeCloseTo(x, 14));
      expect(h.bits).toEqual(a.bits);
    }
  });

  it('an update is X^T softmax(beta X xi) with raw dot products (naive reference, unnormalised state)', () => {
    const xi = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 0.3);
    const beta = 5;
    const keys = Array.from({ length: set.m }, (_, p) => rowOf(K.data, n, p));
    const a = naiveSoftmax(keys.map((k) => beta * k.reduce((s, x, i) => s + x * xi[i]!, 0)));
    const ref = Array.from({ length: n }, (_, i) => keys.reduce((s, k, p) => s + a[p]! * k[i]!, 0));
    const h = modernHopfieldRetrieve(K, xi, beta, { maxSteps: 1 });
    ref.forEach((x, i) => expect(h.state[i]).toBeCloseTo(x, 14));
    expect(modernHopfieldWeights(K, xi, beta)).toEqual(h.weights);
  });

  it('the energy never rises along the iteration (Ramsauer et al. Theorem 1; property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 60, noNaN: true }), fc.integer({ min: 0, max: 19 }), (beta, q) => {
        let xi = query(q);
        let e = modernHopfieldEnergy(K, xi, beta);
        for (let t = 0; t < 6; t++) {
          xi = modernHopfieldRetrieve(K, xi, beta, { maxSteps: 1 }).state;
          const et = modernHopfieldEnergy(K, xi, beta);
          expect(et).toBeLessThanOrEqual(e + 1e-12);
          e = et;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('large beta: a noisy query converges to its stored pattern in a few updates, and a read returns its value', () => {
    const mem = attentionMemoryOf(set);
    for (let q = 0; q < qs.count; q++) {
      const target = qs.targets[q]!;
      const r = modernHopfieldRetrieve(K, query(q), 64, { maxSteps: 20, tol: 1e-12 });
      expect(r.converged).toBe(true);
      expect(r.steps).toBeLessThanOrEqual(4);
      expect(cosine(r.state, bipolarUnit(keyBits(set, target)))).toBeGreaterThan(1 - 1e-9);
      const read = modernHopfieldRead(mem, query(q), 64, { maxSteps: 5, tol: 1e-12 });
      expect(read.converged).toBe(true);
      expect(read.bits).toEqual(valueBitsOf(set, target));
    }
  });

  it('beta = 0: one update gives the mean pattern, which is then a fixed point', () => {
    const r = modernHopfieldRetrieve(K, query(0), 0, { maxSteps: 10 });
    expect(r.converged).toBe(true);
    expect(r.steps).toBe(2);
    expect(r.change).toBe(0);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let p = 0; p < set.m; p++) s += K.data[p * n + i]!;
      expect(r.state[i]).toBeCloseTo(s / set.m, 15);
    }
  });

  it('stops after maxSteps without convergence, and rejects bad options', () => {
    const r = modernHopfieldRetrieve(K, query(0), 3, { maxSteps: 2 });
    expect(r.steps).toBe(2);
    expect(r.converged).toBe(false);
    expect(() => modernHopfieldRetrieve(K, query(0), 3, { maxSteps: 0 })).toThrow(InputError);
    expect(() => modernHopfieldRetrieve(K, query(0), Number.NaN, { maxSteps: 1 })).toThrow(/beta/);
    expect(() => modernHopfieldRetrieve(K, new Float64Array(3), 1, { maxSteps: 1 })).toThrow(/state/);
    expect(() => modernHopfieldEnergy(K, query(0), 0)).toThrow(/beta/);
  });
});

describe('modernHopfieldCapacity: where iterating retrieves', () => {
  it('at m_max the other patterns weigh, on average, as much as the stored one: E exp(beta cos) by Monte Carlo', () => {
    // cos of two random +-1 vectors of n bits; (m_max - 1) E exp(beta (cos - 1)) should be 1
    const rng = new CounterRng(77);
    const samples = 40000;
    for (const [beta, bits] of [
      [4.861140711839663, 64],
      [15.852765, 64],
      [8, 32],
    ] as const) {
      const xs: number[] = [];
      for (let s = 0; s < samples; s++) {
        let agree = 0;
        for (let i = 0; i < bits; i++) if (rng.uniform(1, s, bits, i) < 0.5) agree++;
        xs.push(Math.exp(beta * ((2 * agree - bits) / bits - 1)));
      }
      const ratio = (modernHopfieldCapacity(beta, bits) - 1) * mean(xs);
      const se = (modernHopfieldCapacity(beta, bits) - 1) * stdErr(xs);
      expect(Math.abs(ratio - 1)).toBeLessThan(4 * se);
    }
    expect(modernHopfieldCapacity(4.861140711839663, 64)).toBeCloseTo(108.4, 1);
    expect(modernHopfieldCapacity(0, 64)).toBe(2); // beta = 0: every weight equal, the target's half at m = 2
    // beta -> infinity: e^beta / cosh(beta/n)^n -> 2^n, the number of distinct patterns
    expect(modernHopfieldCapacity(2000, 64) / 2 ** 64).toBeCloseTo(1, 12);
    expect(() => modernHopfieldCapacity(-1, 64)).toThrow(InputError);
  });

  it('n = 64, beta 4.86 (m_max = 108): 3 steps retrieve at m = 27 and collapse to chance at m = 432; one step reads both', () => {
    const beta = 4.861140711839663;
    const accuracy = (m: number, steps: number) => {
      const s = makePatternSet({ m, n, association: 'auto', seed: 3 });
      const mem = attentionMemoryOf(s);
      let ok = 0;
      const count = 24;
      for (let p = 0; p < count; p++) {
        const read = modernHopfieldRead(mem, bipolarUnit(keyBits(s, p)), beta, { maxSteps: steps });
        read.bits.forEach((b, i) => (ok += b === keyBits(s, p)[i] ? 1 : 0));
      }
      return ok / (count * n);
    };
    expect(accuracy(27, 3)).toBeGreaterThan(0.99);
    expect(accuracy(432, 3)).toBeLessThan(0.65);
    expect(accuracy(432, 1)).toBeGreaterThan(0.99);
  });
});
