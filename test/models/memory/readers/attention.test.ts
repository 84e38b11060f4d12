/**
 * Softmax attention reader against independent references: a naive softmax, attention computed from Hamming
 * distances alone (cos = 1 - 2 d / n), the beta -> infinity (nearest key) and beta = 0 (mean) limits, batch = single
 * reads, and the speed asked for (m = 1024, n = 64: at most milliseconds per query).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../../../src/core/errors.ts';
import {
  attentionMemory,
  attentionMemoryOf,
  attentionRead,
  attentionReadBatch,
  attentionWeights,
  softmax,
} from '../../../../src/models/memory/readers/attention.ts';
import { bipolarUnit, bipolarUnitRows, makePatternSet, makeQueries, matrix, signBits, valueBitsOf } from '../../../../src/models/memory/readers/patterns.ts';
import { naiveBitAttention, naiveHamming, naiveSoftmax, rowOf } from './helpers.ts';

const finiteScores = fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 50 });

describe('softmax', () => {
  it('sums to 1 and equals the naive exp(s) / sum exp(s) (property)', () => {
    fc.assert(
      fc.property(finiteScores, (s) => {
        const w = softmax(s);
        const ref = naiveSoftmax(s);
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 13);
        ref.forEach((r, p) => expect(Math.abs(w[p]! - r)).toBeLessThanOrEqual(1e-14 + 1e-12 * r));
      }),
      { numRuns: 300 },
    );
  });

  it('is stable for huge scores (shift invariance) and works in place', () => {
    const s = [1e6, 1e6 - 1, 1e6 - 3, -1e6];
    const w = softmax(s);
    const ref = naiveSoftmax([0, -1, -3, -2e6]);
    ref.forEach((r, p) => expect(w[p]).toBeCloseTo(r, 15));
    const buf = Float64Array.from(s);
    expect(softmax(buf, buf)).toEqual(w);
    expect(() => softmax([])).toThrow(InputError);
    expect(() => softmax([1, Number.NaN])).toThrow(/softmax scores\[1\]/);
  });
});

describe('attention read', () => {
  const n = 64;
  const set = makePatternSet({ m: 48, n, association: 'hetero', valueBits: 40, seed: 17 });
  const mem = attentionMemoryOf(set);
  const keys = Array.from({ length: set.m }, (_, p) => rowOf(set.keys, n, p));
  const values = Array.from({ length: set.m }, (_, p) => rowOf(set.values, 40, p));
  const qs = makeQueries(set, 8, { count: 30 });
  const queryBits = (q: number) => qs.bits.subarray(q * n, (q + 1) * n);

  it('weights and read equal attention computed from Hamming distances (independent reference)', () => {
    for (const beta of [0, 1, 7.5, 40]) {
      for (let q = 0; q < 10; q++) {
        const r = attentionRead(mem, bipolarUnit(queryBits(q)), beta);
        const ref = naiveBitAttention(keys, values, Array.from(queryBits(q)), beta);
        expect(r.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 13);
        ref.weights.forEach((a, p) => expect(Math.abs(r.weights[p]! - a)).toBeLessThan(1e-13));
        ref.vector.forEach((x, j) => expect(r.vector[j]).toBeCloseTo(x, 13));
        expect(r.bits).toEqual(signBits(r.vector));
      }
    }
  });

  it('uses exact cosines: scaling the query changes nothing; a zero query gives uniform weights', () => {
    const u = bipolarUnit(queryBits(0));
    const a = attentionRead(mem, u, 9);
    const b = attentionRead(mem, u.map((x) => 3.5 * x), 9);
    a.weights.forEach((w, p) => expect(b.weights[p]).toBeCloseTo(w, 14));
    const z = attentionWeights(mem, new Float64Array(n), 9);
    z.forEach((w) => expect(w).toBeCloseTo(1 / set.m, 15));
  });

  it('beta -> large reads the value of the nearest key (argmax of the cosine)', () => {
    let checked = 0;
    for (let q = 0; q < qs.count; q++) {
      const d = keys.map((k) => naiveHamming(k, queryBits(q)));
      const best = Math.min(...d);
      if (d.filter((x) => x === best).length !== 1) continue; // argmax must be unique
      checked++;
      const p = d.indexOf(best);
      // cosines differ by >= 2 / n = 1 / 32; beta = 2000 puts e^-62 on every other key
      const r = attentionRead(mem, bipolarUnit(queryBits(q)), 2000);
      expect(r.weights[p]).toBeCloseTo(1, 12);
      expect(r.bits).toEqual(valueBitsOf(set, p));
      bipolarUnit(valueBitsOf(set, p)).forEach((x, j) => expect(r.vector[j]).toBeCloseTo(x, 12));
    }
    expect(checked).toBeGreaterThan(25);
  });

  it('beta = 0 reads the mean of the values', () => {
    const r = attentionRead(mem, bipolarUnit(queryBits(3)), 0);
    const meanV = Array.from({ length: 40 }, (_, j) => values.reduce((a, v) => a + (2 * v[j]! - 1), 0) / values.length / Math.sqrt(40));
    meanV.forEach((x, j) => expect(r.vector[j]).toBeCloseTo(x, 14));
  });

  it('a batch read equals the single reads exactly, with or without the weight matrix', () => {
    const Q = bipolarUnitRows(qs.bits, qs.count, n);
    const batch = attentionReadBatch(mem, Q, 11, { keepWeights: true });
    const lean = attentionReadBatch(mem, Q, 11);
    expect(lean.weights).toBeNull();
    expect(lean.vectors.data).toEqual(batch.vectors.data);
    for (let q = 0; q < qs.count; q++) {
      const r = attentionRead(mem, bipolarUnit(queryBits(q)), 11);
      expect(batch.vectors.data.subarray(q * 40, (q + 1) * 40)).toEqual(r.vector);
      expect(batch.bits.subarray(q * 40, (q + 1) * 40)).toEqual(r.bits);
      expect(batch.weights!.data.subarray(q * set.m, (q + 1) * set.m)).toEqual(r.weights);
    }
  });

  it("applies the tie rule to exact zeros ('keep' takes the cue)", () => {
    // two keys, opposite values, a query equidistant from both: every output component is exactly 0
    const K = matrix(2, 2, Float64Array.of(1, 0, 0, 1));
    const V = matrix(2, 3, Float64Array.of(1, -1, 1, -1, 1, -1));
    const m2 = attentionMemory(K, V);
    const q = Float64Array.of(1, 1);
    const r = attentionRead(m2, q, 5);
    expect(Array.from(r.vector)).toEqual([0, 0, 0]);
    expect(Array.from(r.bits)).toEqual([0, 0, 0]);
    expect(Array.from(attentionRead(m2, q, 5, 'one').bits)).toEqual([1, 1, 1]);
    expect(Array.from(attentionRead(m2, q, 5, 'keep', Uint8Array.of(1, 0, 1)).bits)).toEqual([1, 0, 1]);
    const b = attentionReadBatch(m2, matrix(1, 2, q), 5, { tie: 'keep', cues: Uint8Array.of(0, 1, 1) });
    expect(Array.from(b.bits)).toEqual([0, 1, 1]);
    expect(() => attentionReadBatch(m2, matrix(1, 2, q), 5, { tie: 'keep' })).toThrow(/cues/);
  });

  it('rejects mismatched sizes and non-finite beta', () => {
    expect(() => attentionRead(mem, new Float64Array(n - 1), 1)).toThrow(/query/);
    expect(() => attentionRead(mem, bipolarUnit(queryBits(0)), Infinity)).toThrow(/beta/);
    expect(() => attentionMemory(matrix(2, 3), matrix(3, 3))).toThrow(InputError);
  });
});

describe('attention batch read', () => {
  it('m = 1024, n = 64: a batch of 1024 queries reads well (its speed is measured by bench/attention.ts)', () => {
    const set = makePatternSet({ m: 1024, n: 64, association: 'hetero', seed: 5 });
    const mem = attentionMemoryOf(set);
    const qs = makeQueries(set, 6);
    const Q = bipolarUnitRows(qs.bits, qs.count, 64);
    const r = attentionReadBatch(mem, Q, 20);
    // 6 flipped bits of 64, beta = 20
    let correct = 0;
    for (let q = 0; q < qs.count; q++) correct += naiveHamming(r.bits.subarray(q * 64, (q + 1) * 64), valueBitsOf(set, qs.targets[q]!)) === 0 ? 1 : 0;
    expect(correct / qs.count).toBeGreaterThan(0.9);
  });
});
