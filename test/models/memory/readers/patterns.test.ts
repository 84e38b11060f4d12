/**
 * The shared pattern set: seeded and reproducible, fair bits, queries with exactly k flipped bits at uniformly chosen
 * positions, the bipolar representations and the scores, against plain references.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CounterRng, streamId } from '../../../../src/core/rng.ts';
import { InputError } from '../../../../src/core/errors.ts';
import {
  bipolar,
  bipolarUnit,
  bipolarUnitRows,
  bitAccuracy,
  choosePositions,
  cosine,
  flipBits,
  hamming,
  KEY_STREAM,
  keyBits,
  makePatternSet,
  makeQueries,
  matrix,
  matrixRow,
  randomBitRows,
  signBits,
  valueBitsOf,
  valueCosine,
} from '../../../../src/models/memory/readers/patterns.ts';
import { naiveHamming } from './helpers.ts';

const bitsArb = (max: number) => fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: max }).map((a) => Uint8Array.from(a));

describe('makePatternSet', () => {
  it('is a pure function of its parameters, and growing m keeps the first patterns', () => {
    const a = makePatternSet({ m: 20, n: 70, association: 'hetero', valueBits: 33, seed: 5 });
    const b = makePatternSet({ m: 20, n: 70, association: 'hetero', valueBits: 33, seed: 5 });
    const c = makePatternSet({ m: 30, n: 70, association: 'hetero', valueBits: 33, seed: 5 });
    const d = makePatternSet({ m: 20, n: 70, association: 'hetero', valueBits: 33, seed: 6 });
    expect(a.keys).toEqual(b.keys);
    expect(a.values).toEqual(b.values);
    expect(c.keys.subarray(0, 20 * 70)).toEqual(a.keys);
    expect(c.values.subarray(0, 20 * 33)).toEqual(a.values);
    expect(naiveHamming(a.keys, d.keys)).toBeGreaterThan(0.4 * a.keys.length);
    expect(a.keys.length).toBe(20 * 70);
    expect(a.values.length).toBe(20 * 33);
  });

  it('takes bit i of row r from bit i mod 32 of word (i div 32) mod 4 of rng.words(stream, r, 0, i div 128)', () => {
    const rng = new CounterRng(77);
    const rows = 3;
    const cols = 300;
    const got = randomBitRows(rng, KEY_STREAM, rows, cols);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < cols; i++) {
        const word = rng.words(KEY_STREAM, r, 0, Math.floor(i / 128))[Math.floor(i / 32) % 4]!;
        expect(got[r * cols + i]).toBe(Math.floor(word / 2 ** (i % 32)) % 2);
      }
    }
  });

  it('autoassociative values equal the keys (a separate copy); heteroassociative values are independent', () => {
    const auto = makePatternSet({ m: 10, n: 64, association: 'auto', seed: 1 });
    expect(auto.values).toEqual(auto.keys);
    expect(auto.values).not.toBe(auto.keys);
    expect(auto.valueBits).toBe(64);
    const het = makePatternSet({ m: 10, n: 64, association: 'hetero', seed: 1 });
    expect(het.keys).toEqual(auto.keys);
    expect(naiveHamming(het.keys, het.values)).toBeGreaterThan(200);
    expect(keyBits(het, 3)).toEqual(het.keys.subarray(192, 256));
    expect(valueBitsOf(het, 3)).toEqual(het.values.subarray(192, 256));
  });

  it('draws fair, independent bits (frequency and mean pairwise distance within 4 standard errors)', () => {
    const m = 128;
    const n = 256;
    const set = makePatternSet({ m, n, association: 'hetero', seed: 2024 });
    const ones = set.keys.reduce((a, b) => a + b, 0) + set.values.reduce((a, b) => a + b, 0);
    const total = 2 * m * n;
    expect(Math.abs(ones / total - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / total));
    let sum = 0;
    let pairs = 0;
    for (let p = 0; p < m; p++) for (let r = p + 1; r < m; r++) {
      sum += naiveHamming(keyBits(set, p), keyBits(set, r));
      pairs++;
    }
    // mean of 8128 distances, each Binomial(256, 1/2) (sd 8): se <= 8 / sqrt(m) even with the pair correlations
    expect(Math.abs(sum / pairs - n / 2)).toBeLessThan(4 * (8 / Math.sqrt(m)));
  });

  it('rejects bad parameters with an InputError naming them', () => {
    expect(() => makePatternSet({ m: 0, n: 8, association: 'auto', seed: 1 })).toThrow(/makePatternSet m/);
    expect(() => makePatternSet({ m: 2, n: 8.5, association: 'auto', seed: 1 })).toThrow(InputError);
    expect(() => makePatternSet({ m: 2, n: 8, association: 'auto', valueBits: 4, seed: 1 })).toThrow(/valueBits/);
    expect(() => makePatternSet({ m: 2, n: 8, association: 'hetero', seed: -1 })).toThrow(/seed/);
    expect(() => makePatternSet({ m: 2, n: 8, association: 'both' as 'auto', seed: 1 })).toThrow(/association/);
  });
});

describe('queries with exactly k flipped bits', () => {
  it('choosePositions gives k distinct positions in [0, n) (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 1000 }), (n, kSeed, seed, index) => {
        const k = n === 0 ? 0 : kSeed % (n + 1);
        const pos = choosePositions(n, k, new CounterRng(seed % 2 ** 32), 9, index);
        expect(pos.length).toBe(k);
        expect(new Set(pos).size).toBe(k);
        for (const p of pos) expect(p).toBeLessThan(n);
      }),
      { numRuns: 300 },
    );
  });

  it('flipBits changes exactly k bits, leaves its input alone, and can work in place (property)', () => {
    fc.assert(
      fc.property(bitsArb(200), fc.nat(), fc.nat({ max: 1e6 }), (bits, kSeed, seed) => {
        const k = kSeed % (bits.length + 1);
        const before = bits.slice();
        const rng = new CounterRng(seed);
        const out = flipBits(bits, k, rng, 3, 1);
        expect(bits).toEqual(before);
        expect(naiveHamming(out, bits)).toBe(k);
        const inPlace = bits.slice();
        flipBits(inPlace, k, rng, 3, 1, inPlace);
        expect(inPlace).toEqual(out);
      }),
      { numRuns: 300 },
    );
  });

  it('chooses positions uniformly: chi-squared of position counts and of 2-subsets', () => {
    const rng = new CounterRng(99);
    const stream = streamId('test:uniform');
    // marginals: n = 20, k = 5, 4000 draws -> 1000 expected per position; chi2 with 19 dof, P(chi2 > 45) ~ 7e-4
    const counts = new Array<number>(20).fill(0);
    for (let q = 0; q < 4000; q++) for (const p of choosePositions(20, 5, rng, stream, q)) counts[p]!++;
    const chi2 = counts.reduce((a, c) => a + (c - 1000) ** 2 / 1000, 0);
    expect(chi2).toBeLessThan(45);
    // whole subsets: n = 5, k = 2, 10 subsets, 5000 draws -> 500 each; chi2 with 9 dof, P(chi2 > 30) ~ 4e-4
    const subsets = new Map<string, number>();
    for (let q = 0; q < 5000; q++) {
      const [a, b] = Array.from(choosePositions(5, 2, rng, stream + 1, q)).sort();
      subsets.set(`${a},${b}`, (subsets.get(`${a},${b}`) ?? 0) + 1);
    }
    expect(subsets.size).toBe(10);
    const chi2s = [...subsets.values()].reduce((a, c) => a + (c - 500) ** 2 / 500, 0);
    expect(chi2s).toBeLessThan(30);
  });

  it('makeQueries: query q is key (q mod m) at Hamming distance exactly k, reproducibly', () => {
    const set = makePatternSet({ m: 7, n: 50, association: 'hetero', seed: 3 });
    const qs = makeQueries(set, 6, { count: 20 });
    expect(qs.count).toBe(20);
    expect(qs.bits.length).toBe(20 * 50);
    for (let q = 0; q < 20; q++) {
      expect(qs.targets[q]).toBe(q % 7);
      expect(naiveHamming(qs.bits.subarray(q * 50, (q + 1) * 50), keyBits(set, q % 7))).toBe(6);
    }
    expect(makeQueries(set, 6, { count: 20 }).bits).toEqual(qs.bits);
    expect(makeQueries(set, 6, { count: 20, seed: 4 }).bits).not.toEqual(qs.bits);
    const chosen = makeQueries(set, 0, { targets: Uint32Array.of(6, 2) });
    expect(chosen.bits).toEqual(Uint8Array.from([...keyBits(set, 6), ...keyBits(set, 2)]));
    expect(makeQueries(set, 1).count).toBe(7);
    expect(() => makeQueries(set, 51)).toThrow(/makeQueries k/);
    expect(() => makeQueries(set, 1, { targets: Uint32Array.of(7) })).toThrow(/targets\[0\]/);
  });
});

describe('representations and scores', () => {
  it('bipolar and unit bipolar forms; cos(u(a), u(b)) = 1 - 2 d / n (property)', () => {
    fc.assert(
      fc.property(
        bitsArb(150).chain((a) => fc.tuple(fc.constant(a), fc.array(fc.integer({ min: 0, max: 1 }), { minLength: a.length, maxLength: a.length }))),
        ([a, bArr]) => {
          const b = Uint8Array.from(bArr);
          const n = a.length;
          const ua = bipolarUnit(a);
          expect(Math.hypot(...ua)).toBeCloseTo(1, 12);
          expect(Array.from(bipolar(a))).toEqual(Array.from(a, (x) => 2 * x - 1));
          expect(cosine(ua, bipolarUnit(b))).toBeCloseTo(1 - (2 * naiveHamming(a, b)) / n, 12);
          expect(hamming(a, b)).toBe(naiveHamming(a, b));
          expect(bitAccuracy(a, b)).toBeCloseTo(1 - naiveHamming(a, b) / n, 14);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bipolarUnitRows normalises each row; matrix helpers check sizes', () => {
    const set = makePatternSet({ m: 4, n: 9, association: 'auto', seed: 8 });
    const M = bipolarUnitRows(set.keys, 4, 9);
    expect(M.rows).toBe(4);
    for (let r = 0; r < 4; r++) expect(Array.from(matrixRow(M, r))).toEqual(Array.from(bipolarUnit(keyBits(set, r))));
    expect(() => matrix(2, 3, new Float64Array(5))).toThrow(InputError);
    expect(() => matrixRow(M, 4)).toThrow(RangeError);
  });

  it('cosine is scale invariant and 0 for a zero vector; valueCosine = cos(x, 2 b - 1)', () => {
    const x = Float64Array.of(0.3, -1.2, 2, 0.5);
    const y = Float64Array.of(1, 1, -1, 0.25);
    expect(cosine(x.map((v) => 7 * v), y)).toBeCloseTo(cosine(x, y), 14);
    expect(cosine(new Float64Array(4), y)).toBe(0);
    const bits = Uint8Array.of(1, 0, 0, 1);
    expect(valueCosine(x, bits)).toBeCloseTo(cosine(x, Float64Array.of(1, -1, -1, 1)), 14);
    expect(valueCosine(new Float64Array(4), bits)).toBe(0);
    expect(() => cosine(x, new Float64Array(3))).toThrow(InputError);
  });

  it('signBits: positive -> 1, negative -> 0, exact 0 by the tie rule', () => {
    const x = [0.5, -0.5, 0, -0, 0];
    expect(Array.from(signBits(x))).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(signBits(x, 'zero'))).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(signBits(x, 'one'))).toEqual([1, 0, 1, 1, 1]);
    expect(Array.from(signBits(x, 'keep', Uint8Array.of(0, 1, 1, 0, 1)))).toEqual([1, 0, 1, 0, 1]);
    expect(() => signBits(x, 'keep')).toThrow(/cue/);
    fc.assert(
      fc.property(bitsArb(100), (b) => {
        expect(signBits(bipolarUnit(b))).toEqual(b);
      }),
    );
  });
});
