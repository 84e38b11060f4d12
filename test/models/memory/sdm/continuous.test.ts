import { describe, expect, it } from 'vitest';
import { CounterRng } from '../../../../src/core/rng.ts';
import { InputError } from '../../../../src/core/errors.ts';
import { ContinuousSdm } from '../../../../src/models/memory/sdm/continuous.ts';

function gaussian(rng: CounterRng, n: number, stream: number, index: number): Float64Array {
  const v = new Float64Array(n);
  for (let k = 0; k < n; k++) v[k] = rng.normal(stream, index, k);
  return v;
}
const normalise = (v: number[]): number[] => {
  const len = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / len);
};

describe('ContinuousSdm', () => {
  it('with threshold -1 activates every location and reads the normalised plain sum of the stored values', () => {
    const n = 12;
    const m = 5;
    const r = 40;
    const sdm = new ContinuousSdm({ n, r, valueDim: m, threshold: -1, seed: 3 });
    const rng = new CounterRng(4);
    const sum = new Array<number>(m).fill(0);
    for (let p = 0; p < 7; p++) {
      const v = gaussian(rng, m, 2, p);
      expect(sdm.write(gaussian(rng, n, 1, p), v)).toBe(r);
      for (let j = 0; j < m; j++) sum[j]! += v[j]!;
    }
    const res = sdm.read(gaussian(rng, n, 3, 0));
    expect(res.active).toBe(r);
    const want = normalise(sum);
    for (let j = 0; j < m; j++) {
      expect(res.vector[j]).toBeCloseTo(want[j]!, 12);
      expect(res.sums[j]).toBeCloseTo(r * sum[j]!, 9);
    }
  });

  it('activates the locations whose cosine with the address reaches the threshold (plain reference)', () => {
    const n = 10;
    const r = 300;
    const rng = new CounterRng(8);
    const locs = new Float64Array(r * n);
    for (let i = 0; i < r; i++) locs.set(gaussian(rng, n, 1, i), i * n);
    for (const threshold of [-0.5, 0, 0.3, 0.7, 1]) {
      const sdm = new ContinuousSdm({ n, r, valueDim: 2, threshold, seed: 0, locations: locs });
      for (let t = 0; t < 5; t++) {
        const x = Array.from(gaussian(rng, n, 2, t), (v) => v * 3.7); // scale must not matter
        const want: number[] = [];
        for (let i = 0; i < r; i++) {
          const l = Array.from(locs.subarray(i * n, (i + 1) * n));
          const cos = x.reduce((s, xk, k) => s + xk * l[k]!, 0) / Math.hypot(...x) / Math.hypot(...l);
          if (cos >= threshold) want.push(i);
        }
        expect(Array.from(sdm.activeSet(Float64Array.from(x)))).toEqual(want);
      }
    }
  });

  it('recalls a single stored value exactly (as a unit vector) and seeds unit locations reproducibly', () => {
    const sdm = new ContinuousSdm({ n: 16, r: 200, valueDim: 4, threshold: 0.2, seed: 1 });
    const rng = new CounterRng(2);
    const key = gaussian(rng, 16, 1, 0);
    const value = Float64Array.from([3, -4, 0, 0]);
    expect(sdm.write(key, value)).toBeGreaterThan(0);
    const res = sdm.read(key);
    expect(Array.from(res.vector).map((x) => +x.toFixed(12))).toEqual([0.6, -0.8, 0, 0]);
    for (let i = 0; i < 200; i += 37) {
      let s = 0;
      for (let k = 0; k < 16; k++) s += sdm.locations[i * 16 + k]! ** 2;
      expect(s).toBeCloseTo(1, 12);
    }
    const again = new ContinuousSdm({ n: 16, r: 200, valueDim: 4, threshold: 0.2, seed: 1 });
    expect(Array.from(again.locations)).toEqual(Array.from(sdm.locations));
    // nothing active: the read is the zero vector
    const strict = new ContinuousSdm({ n: 16, r: 5, valueDim: 4, threshold: 1, seed: 1 });
    expect(Array.from(strict.read(key).vector)).toEqual([0, 0, 0, 0]);
  });

  it('checks its inputs', () => {
    expect(() => new ContinuousSdm({ n: 4, r: 2, valueDim: 1, threshold: 1.5, seed: 0 })).toThrow(InputError);
    expect(() => new ContinuousSdm({ n: 4, r: 2, valueDim: 1, threshold: 0, seed: 0, locations: new Float64Array(8) })).toThrow(/non-zero/);
    const sdm = new ContinuousSdm({ n: 4, r: 2, valueDim: 1, threshold: 0, seed: 0 });
    expect(() => sdm.read(new Float64Array(4))).toThrow(/non-zero/);
    expect(() => sdm.write(Float64Array.from([1, 0, 0, 0]), Float64Array.from([NaN]))).toThrow(InputError);
  });
});
