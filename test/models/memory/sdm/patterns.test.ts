import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CounterRng } from '../../../../src/core/rng.ts';
import { InputError } from '../../../../src/core/errors.ts';
import { BinarySdm } from '../../../../src/models/memory/sdm/binary.ts';
import { PatternStore } from '../../../../src/models/memory/sdm/patterns.ts';
import { thresholdSums } from '../../../../src/models/memory/sdm/threshold.ts';
import { naiveDist, naiveRandomBits, type Tie } from './helpers.ts';

describe('pattern-based read', () => {
  it('with w = 1 everywhere is the majority vote of the stored values (ties by the rule)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 9 }),
        fc.nat({ max: 100000 }),
        fc.constantFrom<Tie>('zero', 'one', 'keep'),
        (n, w, count, seed, tie) => {
          const rng = new CounterRng(seed);
          const store = new PatternStore(n, w);
          const values: number[][] = [];
          for (let p = 0; p < count; p++) {
            const v = naiveRandomBits(rng, w, 2, p);
            values.push(v);
            store.add(Uint8Array.from(naiveRandomBits(rng, n, 1, p)), Uint8Array.from(v));
          }
          const cue = naiveRandomBits(rng, w, 4, 0);
          const res = store.read(Uint8Array.from(naiveRandomBits(rng, n, 3, 0)), new Float64Array(n + 1).fill(1), tie, Uint8Array.from(cue));
          for (let j = 0; j < w; j++) {
            let ones = 0;
            for (const v of values) ones += v[j]!;
            const zeros = count - ones;
            const want = ones > zeros ? 1 : ones < zeros ? 0 : tie === 'zero' ? 0 : tie === 'one' ? 1 : cue[j]!;
            expect(res.bits[j]).toBe(want);
            expect(res.sums[j]).toBe(ones - zeros);
          }
          expect(store.count).toBe(count);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('weights each pattern by w[dist(key, x)], equal to a plain double loop', () => {
    const n = 40;
    const w = 6;
    const rng = new CounterRng(3);
    const weights = new Float64Array(n + 1);
    for (let k = 0; k <= n; k++) weights[k] = k <= 18 ? rng.uniform(9, k, 0) : 0;
    const store = new PatternStore(n, w);
    const keys: number[][] = [];
    const values: number[][] = [];
    for (let p = 0; p < 30; p++) {
      keys.push(naiveRandomBits(rng, n, 1, p));
      values.push(naiveRandomBits(rng, w, 2, p));
      store.add(Uint8Array.from(keys[p]!), Uint8Array.from(values[p]!));
    }
    for (let t = 0; t < 10; t++) {
      const x = t < 5 ? keys[t]! : naiveRandomBits(rng, n, 3, t);
      const res = store.read(Uint8Array.from(x), weights);
      const sums = new Array<number>(w).fill(0);
      for (let p = 0; p < keys.length; p++) {
        const dv = naiveDist(keys[p]!, x);
        expect(res.distances[p]).toBe(dv);
        if (weights[dv] === 0) continue;
        for (let j = 0; j < w; j++) sums[j]! += weights[dv]! * (values[p]![j] === 1 ? 1 : -1);
      }
      expect(Array.from(res.sums)).toEqual(sums);
      expect(Array.from(res.bits)).toEqual(sums.map((s) => (s > 0 ? 1 : 0)));
    }
    expect(Array.from(store.key(7))).toEqual(keys[7]);
    expect(Array.from(store.value(7))).toEqual(values[7]);
  });

  it('sits next to the neuron-based read of a BinarySdm that keeps its patterns', () => {
    const n = 64;
    const sdm = new BinarySdm({ n, r: 500, d: 26, valueBits: n, seed: 2, keepPatterns: true });
    const rng = new CounterRng(5);
    const keys: Uint8Array[] = [];
    for (let p = 0; p < 6; p++) {
      keys.push(Uint8Array.from(naiveRandomBits(rng, n, 1, p)));
      sdm.write(keys[p]!, keys[p]!);
    }
    expect(sdm.patterns!.count).toBe(6);
    // a weight that only counts the pattern at distance 0 returns it exactly
    const exact = new Float64Array(n + 1);
    exact[0] = 1;
    for (const k of keys) {
      expect(Array.from(sdm.readPatterns(k, exact).bits)).toEqual(Array.from(k));
      expect(Array.from(sdm.read(k).bits)).toEqual(Array.from(k));
    }
    sdm.clear();
    expect(sdm.patterns!.count).toBe(0);
    expect(sdm.read(keys[0]!).sums.every((s) => s === 0)).toBe(true);
  });

  it('checks its inputs', () => {
    const store = new PatternStore(8, 2);
    expect(() => store.add(new Uint8Array(7), new Uint8Array(2))).toThrow(InputError);
    expect(() => store.add(new Uint8Array(8), Uint8Array.from([0, 5]))).toThrow(InputError);
    expect(() => store.read(new Uint8Array(8), new Float64Array(8))).toThrow(/n \+ 1 = 9/);
    expect(() => store.key(0)).toThrow(RangeError);
  });
});

describe('thresholdSums', () => {
  it('is [s > 0] with the tie rule only where s = 0 exactly', () => {
    const sums = [3, -1, 0, 1e-300, -0, 0];
    const cue = Uint8Array.from([0, 1, 1, 0, 0, 1]);
    expect(Array.from(thresholdSums(sums, 'zero', null, new Uint8Array(6)))).toEqual([1, 0, 0, 1, 0, 0]);
    expect(Array.from(thresholdSums(sums, 'one', null, new Uint8Array(6)))).toEqual([1, 0, 1, 1, 1, 1]);
    expect(Array.from(thresholdSums(sums, 'keep', cue, new Uint8Array(6)))).toEqual([1, 0, 1, 1, 0, 1]);
    expect(() => thresholdSums(sums, 'keep', null, new Uint8Array(6))).toThrow(InputError);
  });
});
