import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CounterRng, streamId } from '../../../../src/core/rng.ts';
import { InputError } from '../../../../src/core/errors.ts';
import { BinarySdm, type BinarySdmParams, type CounterBits } from '../../../../src/models/memory/sdm/binary.ts';
import { flipBits, hammingBits, packBits, randomBits } from '../../../../src/models/memory/sdm/bits.ts';
import { wasmAvailable, type ScanKernel } from '../../../../src/models/memory/sdm/scan.ts';
import { ballFraction, NaiveSdm, naiveDist, naivePack, naiveRandomBits, type Tie } from './helpers.ts';

const KERNELS: ('js' | 'wasm')[] = wasmAvailable() ? ['js', 'wasm'] : ['js'];
if (!wasmAvailable()) console.warn('sdm tests: WebAssembly unavailable in this runtime, the wasm kernel is skipped');

const COUNTER_BITS: CounterBits[] = [8, 16, 32];
const TIES: Tie[] = ['zero', 'one', 'keep'];

describe.each(KERNELS)('BinarySdm (%s kernel) against a naive reference', (kernel) => {
  it('agrees exactly on active sets, sums and read bits for random memories', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 90 }),
          r: fc.integer({ min: 1, max: 60 }),
          dFrac: fc.double({ min: 0, max: 1, noNaN: true }),
          w: fc.integer({ min: 1, max: 12 }),
          seed: fc.nat({ max: 1_000_000 }),
          counterBits: fc.constantFrom(...COUNTER_BITS),
          saturation: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
          tie: fc.constantFrom(...TIES),
          writes: fc.integer({ min: 0, max: 12 }),
        }),
        ({ n, r, dFrac, w, seed, counterBits, saturation, tie, writes }) => {
          const rng = new CounterRng(seed);
          // Addresses near each other so active sets are neither always empty nor always full.
          const addr: number[][] = [];
          for (let i = 0; i < r; i++) addr.push(naiveRandomBits(rng, n, 1, i));
          const d = Math.round(dFrac * n);
          const params: BinarySdmParams = { n, r, d, valueBits: w, seed, counterBits, tie, kernel, addresses: naivePack(addr, n), ...(saturation === undefined ? {} : { saturation }) };
          const sdm = new BinarySdm(params);
          const ref = new NaiveSdm(addr, d, w, saturation ?? { 8: 127, 16: 32767, 32: 2147483647 }[counterBits], tie);
          for (let t = 0; t < writes; t++) {
            const x = naiveRandomBits(rng, n, 2, t);
            const v = naiveRandomBits(rng, w, 3, t);
            expect(Array.from(sdm.activeSet(Uint8Array.from(x)))).toEqual(ref.active(x));
            sdm.write(Uint8Array.from(x), Uint8Array.from(v));
            ref.write(x, v);
          }
          for (let t = 0; t < 4; t++) {
            const x = naiveRandomBits(rng, n, 4, t);
            const cue = naiveRandomBits(rng, w, 5, t);
            const got = sdm.read(Uint8Array.from(x), Uint8Array.from(cue));
            const want = ref.read(x, cue);
            expect(Array.from(got.sums)).toEqual(want.sums);
            expect(Array.from(got.bits)).toEqual(want.bits);
            expect(got.active).toBe(want.active);
          }
          for (let i = 0; i < r; i++) for (let j = 0; j < w; j++) expect(sdm.counterAt(i, j)).toBe(ref.counters[i]![j]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with the naive reference at n = 1000 with seeded random addresses', () => {
    const n = 1000;
    const r = 3000;
    const d = 470;
    const sdm = new BinarySdm({ n, r, d, valueBits: 16, seed: 11, kernel });
    const addr: number[][] = [];
    for (let i = 0; i < r; i++) addr.push(Array.from(sdm.locationAddress(i)));
    const ref = new NaiveSdm(addr, d, 16, 32767, 'zero');
    const rng = new CounterRng(2);
    for (let t = 0; t < 5; t++) {
      const x = randomBits(rng, n, 1, t);
      const v = randomBits(rng, 16, 2, t);
      const act = sdm.activeSet(x);
      expect(Array.from(act)).toEqual(ref.active(x));
      expect(act.length).toBeGreaterThan(0);
      expect(Array.from(sdm.activeSetPacked(packBits(x)))).toEqual(Array.from(act));
      expect(Array.from(sdm.withinRadius(x, d))).toEqual(Array.from(act));
      // distances() is the same integer as the naive count for every location
      const dist = sdm.distances(x);
      for (let i = 0; i < r; i += 97) expect(dist[i]).toBe(naiveDist(addr[i]!, x));
      sdm.write(x, v);
      ref.write(x, v);
    }
    const x = randomBits(rng, n, 1, 2);
    expect(Array.from(sdm.read(x).sums)).toEqual(ref.read(x, null).sums);
  });
});

describe('BinarySdm statistics', () => {
  it('activates r * V(n, d) / 2^n locations on average (z-test, Kanerva n = 1000, d = 451)', () => {
    // For a random address the active count is Binomial(r, p), p = V(n, d) / 2^n, and the counts of independent random
    // addresses are uncorrelated, so the mean of M counts has variance r p (1 - p) / M.
    for (const [n, r, d, M] of [
      [1000, 100_000, 451, 200],
      [64, 5000, 28, 200],
      [100, 2000, 40, 300],
    ] as const) {
      const p = ballFraction(n, d);
      const sdm = new BinarySdm({ n, r, d, valueBits: 1, seed: 3 });
      const rng = new CounterRng(4);
      let sum = 0;
      for (let m = 0; m < M; m++) sum += sdm.activeSet(randomBits(rng, n, streamId('test:stat'), m)).length;
      const mean = sum / M;
      const z = (mean - r * p) / Math.sqrt((r * p * (1 - p)) / M);
      expect(Math.abs(z), `n=${n} d=${d}: mean ${mean} vs ${r * p}`).toBeLessThan(4);
    }
    // Kanerva's numbers: p(451) = 0.00107..., about 1072 locations of a million.
    expect(ballFraction(1000, 451) * 1e6).toBeCloseTo(1072, -1);
  });

  const n = 256;
  const r = 2000;
  const d = 115; // p = V(256, 115) / 2^256 ~ 0.06: ~120 active locations
  const stored = (count: number, seed: number) => {
    const rng = new CounterRng(seed);
    const keys: Uint8Array[] = [];
    for (let p = 0; p < count; p++) keys.push(randomBits(rng, n, streamId('test:keys'), p));
    return keys;
  };

  it('recalls every stored pattern exactly for a few patterns and noise-free cues', () => {
    for (const counterBits of COUNTER_BITS) {
      const sdm = new BinarySdm({ n, r, d, valueBits: n, seed: 1, counterBits });
      const keys = stored(5, 9);
      for (const k of keys) sdm.write(k, k);
      for (const k of keys) expect(hammingBits(sdm.read(k).bits, k)).toBe(0);
    }
    // heteroassociative: key -> a different value of another width
    const hetero = new BinarySdm({ n, r, d, valueBits: 40, seed: 1 });
    const keys = stored(8, 10);
    const rng = new CounterRng(12);
    const values = keys.map((_, p) => randomBits(rng, 40, 1, p));
    keys.forEach((k, p) => hetero.write(k, values[p]!));
    keys.forEach((k, p) => expect(Array.from(hetero.read(k).bits)).toEqual(Array.from(values[p]!)));
  });

  it('makes more bit errors as the stored load grows (fixed seed, loosely monotone)', () => {
    const loads = [5, 50, 150, 400];
    const keys = stored(400, 21);
    const errors: number[] = [];
    for (const load of loads) {
      const sdm = new BinarySdm({ n, r, d, valueBits: n, seed: 2 });
      for (let p = 0; p < load; p++) sdm.write(keys[p]!, keys[p]!);
      let e = 0;
      const probes = Math.min(load, 50);
      for (let p = 0; p < probes; p++) e += hammingBits(sdm.read(keys[p]!).bits, keys[p]!);
      errors.push(e / (probes * n));
    }
    expect(errors[0]).toBe(0);
    for (let i = 1; i < errors.length; i++) expect(errors[i]!, `errors ${errors.join(', ')}`).toBeGreaterThanOrEqual(errors[i - 1]! - 0.005);
    expect(errors[3]!).toBeGreaterThan(errors[1]! + 0.05);
  });

  it('iterative read converges to the stored pattern from a cue with flipped bits', () => {
    const sdm = new BinarySdm({ n, r, d, valueBits: n, seed: 5 });
    const keys = stored(10, 31);
    for (const k of keys) sdm.write(k, k);
    const rng = new CounterRng(8);
    for (let p = 0; p < keys.length; p++) {
      const cue = flipBits(keys[p]!, 20, rng, 1, p);
      const res = sdm.iterativeRead(cue, { target: keys[p]!, maxSteps: 10 });
      expect(res.converged).toBe(true);
      expect(hammingBits(res.bits, keys[p]!)).toBe(0);
      expect(res.targetDistances![0]).toBe(20);
      expect(res.targetDistances!.at(-1)).toBe(0);
      expect(res.targetDistances!.length).toBe(res.steps + 1);
      expect(res.active.length).toBe(res.steps);
      // the confirming read returns its own address
      expect(res.targetDistances!.at(-2)).toBe(0);
    }
  });

  it('iterative read reports non-convergence at the step limit and needs an autoassociative memory', () => {
    const sdm = new BinarySdm({ n: 64, r: 200, d: 26, valueBits: 64, seed: 5 });
    const rng = new CounterRng(1);
    // a 2-cycle: a -> b, b -> a
    const a = randomBits(rng, 64, 1, 0);
    const b = randomBits(rng, 64, 1, 1);
    for (let t = 0; t < 3; t++) {
      sdm.write(a, b);
      sdm.write(b, a);
    }
    const res = sdm.iterativeRead(a, { maxSteps: 6 });
    expect(res.converged).toBe(false);
    expect(res.steps).toBe(6);
    expect(res.targetDistances).toBeNull();
    const hetero = new BinarySdm({ n: 64, r: 20, d: 26, valueBits: 8, seed: 5 });
    expect(() => hetero.iterativeRead(a)).toThrow(InputError);
  });
});

describe('tie rule', () => {
  const n = 16;
  const rng = new CounterRng(77);
  const a = randomBits(rng, n, 1, 0);
  const v = randomBits(rng, n, 1, 1);
  const notV = v.map((b) => 1 - b);

  it.each(TIES)("reads sums of exactly 0 by the '%s' rule", (tie) => {
    // d = n: every location is active; (a, v) then (a, not v) leaves every counter at 0
    const sdm = new BinarySdm({ n, r: 50, d: n, valueBits: n, seed: 1, tie });
    sdm.write(a, v);
    sdm.write(a, notV);
    const res = sdm.read(a);
    expect(res.active).toBe(50);
    expect(Array.from(res.sums)).toEqual(new Array(n).fill(0));
    const want = tie === 'zero' ? new Array(n).fill(0) : tie === 'one' ? new Array(n).fill(1) : Array.from(a);
    expect(Array.from(res.bits)).toEqual(want);
    // an explicit cue replaces the address for 'keep'
    if (tie === 'keep') expect(Array.from(sdm.read(a, v).bits)).toEqual(Array.from(v));
    // non-zero sums ignore the tie rule
    sdm.write(a, v);
    expect(Array.from(sdm.read(a).bits)).toEqual(Array.from(v));
  });

  it('applies to every bit when no location is active, and zero is the default', () => {
    const sdm = new BinarySdm({ n, r: 5, d: 0, valueBits: n, seed: 1 });
    expect(sdm.tie).toBe('zero');
    let x = randomBits(rng, n, 2, 0);
    for (let t = 1; sdm.activeSet(x).length > 0; t++) x = randomBits(rng, n, 2, t);
    sdm.write(x, v);
    const res = sdm.read(x);
    expect(res.active).toBe(0);
    expect(Array.from(res.bits)).toEqual(new Array(n).fill(0));
    const keep = new BinarySdm({ n, r: 5, d: 0, valueBits: n, seed: 1, tie: 'keep' });
    expect(Array.from(keep.read(x).bits)).toEqual(Array.from(x));
    // an empty 'keep' memory makes every cue a fixed point
    const it = keep.iterativeRead(x);
    expect(it.converged).toBe(true);
    expect(it.steps).toBe(1);
  });

  it("'keep' needs a cue for heteroassociative reads", () => {
    const sdm = new BinarySdm({ n, r: 10, d: n, valueBits: 4, seed: 1, tie: 'keep' });
    expect(() => sdm.read(a)).toThrow(InputError);
    expect(Array.from(sdm.read(a, Uint8Array.from([1, 0, 1, 1])).bits)).toEqual([1, 0, 1, 1]);
  });
});

describe('saturation', () => {
  it('clamps counters at +-saturation', () => {
    const n = 24;
    const rng = new CounterRng(1);
    const a = randomBits(rng, n, 1, 0);
    const v = randomBits(rng, n, 1, 1);
    for (const counterBits of COUNTER_BITS) {
      const sdm = new BinarySdm({ n, r: 30, d: n, valueBits: n, seed: 1, counterBits, saturation: 3 });
      for (let t = 0; t < 10; t++) sdm.write(a, v);
      for (let i = 0; i < 30; i++) for (let j = 0; j < n; j++) expect(sdm.counterAt(i, j)).toBe(v[j] === 1 ? 3 : -3);
      expect(Array.from(sdm.read(a).sums)).toEqual(Array.from(v, (b) => (b === 1 ? 90 : -90)));
      // one opposite write moves a saturated counter by one
      sdm.write(a, v.map((b) => 1 - b));
      expect(sdm.counterAt(0, 0)).toBe(v[0] === 1 ? 2 : -2);
    }
  });

  it('defaults to the largest symmetric value of the type, so Int8 counters clamp at +-127 and never wrap', () => {
    const sdm = new BinarySdm({ n: 8, r: 4, d: 8, valueBits: 2, seed: 1, counterBits: 8 });
    expect(sdm.saturation).toBe(127);
    const a = Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 0]);
    for (let t = 0; t < 300; t++) sdm.write(a, Uint8Array.from([1, 0]));
    expect(sdm.counterAt(3, 0)).toBe(127);
    expect(sdm.counterAt(3, 1)).toBe(-127);
    expect(Array.from(sdm.read(a).sums)).toEqual([508, -508]);
    expect(new BinarySdm({ n: 8, r: 4, d: 8, valueBits: 2, seed: 1 }).saturation).toBe(32767);
    expect(new BinarySdm({ n: 8, r: 4, d: 8, valueBits: 2, seed: 1, counterBits: 32 }).saturation).toBe(2147483647);
  });
});

describe.each(KERNELS)('top-k activation (%s kernel)', (kernel: ScanKernel) => {
  /** The k nearest by (distance, index), sorted by index: a plain sort. */
  const naiveTopK = (addr: number[][], x: ArrayLike<number>, k: number) =>
    addr
      .map((a, i) => [naiveDist(a, x), i] as const)
      .sort((p, q) => p[0] - q[0] || p[1] - q[1])
      .slice(0, k)
      .map((p) => p[1])
      .sort((p, q) => p - q);

  it('returns exactly k locations, the nearest with ties to the lowest index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 120 }), fc.nat({ max: 100000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r, seed, kFrac) => {
        const k = Math.max(1, Math.round(kFrac * r));
        const rng = new CounterRng(seed);
        const addr: number[][] = [];
        for (let i = 0; i < r; i++) addr.push(naiveRandomBits(rng, n, 1, i));
        const sdm = new BinarySdm({ n, r, topK: k, valueBits: 3, seed, kernel, addresses: naivePack(addr, n) });
        const x = naiveRandomBits(rng, n, 2, 0);
        const got = Array.from(sdm.activeSet(Uint8Array.from(x)));
        expect(got.length).toBe(k);
        expect(got).toEqual(naiveTopK(addr, x, k));
        expect(Array.from(sdm.nearest(Uint8Array.from(x), k))).toEqual(got);
      }),
      { numRuns: 100 },
    );
  });

  it('reads and writes through the top-k set', () => {
    const n = 8; // many distance ties among 500 locations
    const sdm = new BinarySdm({ n, r: 500, topK: 37, valueBits: 5, seed: 4, kernel });
    const x = Uint8Array.from([1, 1, 0, 0, 1, 0, 1, 0]);
    const v = Uint8Array.from([1, 0, 0, 1, 1]);
    expect(sdm.write(x, v)).toBe(37);
    const res = sdm.read(x);
    expect(res.active).toBe(37);
    expect(Array.from(res.sums)).toEqual(Array.from(v, (b) => (b ? 37 : -37)));
    expect(String(sdm)).toContain('topK=37');
  });
});

describe('hard-location addresses', () => {
  it('are seeded, exposed read-only, and can be supplied by the caller', () => {
    const a = new BinarySdm({ n: 70, r: 40, d: 30, valueBits: 2, seed: 9 });
    const b = new BinarySdm({ n: 70, r: 40, d: 30, valueBits: 2, seed: 9 });
    const c = new BinarySdm({ n: 70, r: 40, d: 30, valueBits: 2, seed: 10 });
    expect(Array.from(a.addresses)).toEqual(Array.from(b.addresses));
    expect(Array.from(a.addresses)).not.toEqual(Array.from(c.addresses));
    expect(a.addresses.length).toBe(40 * 3);
    const _typeOnly = () => {
      // @ts-expect-error the addresses are read-only for the type checker
      a.addresses[0] = 1;
    };
    // sharing: a memory built from another's addresses has the same locations
    const shared = new BinarySdm({ n: 70, r: 40, d: 30, valueBits: 2, seed: 0, addresses: c.addresses });
    for (let i = 0; i < 40; i++) expect(Array.from(shared.locationAddress(i))).toEqual(Array.from(c.locationAddress(i)));
    const x = randomBits(new CounterRng(1), 70, 1, 1);
    expect(Array.from(shared.activeSet(x))).toEqual(Array.from(c.activeSet(x)));
  });

  it('rejects supplied addresses of the wrong length or with padding bits set', () => {
    expect(() => new BinarySdm({ n: 70, r: 4, d: 3, valueBits: 2, seed: 0, addresses: new Uint32Array(11) })).toThrow(InputError);
    const bad = new Uint32Array(12);
    bad[5] = 1 << 6; // bit 70 of location 1 (word 2, position 6) is padding
    expect(() => new BinarySdm({ n: 70, r: 4, d: 3, valueBits: 2, seed: 0, addresses: bad })).toThrow(/padding/);
  });
});

describe('parameter errors', () => {
  const base = { n: 10, r: 5, valueBits: 3, seed: 1 };
  it.each([
    [{ ...base }, /exactly one of d/],
    [{ ...base, d: 2, topK: 2 }, /exactly one of d/],
    [{ ...base, d: 11 }, /d: an integer in \[0, 10\]/],
    [{ ...base, topK: 6 }, /topK/],
    [{ ...base, d: 2, counterBits: 12 as CounterBits }, /counterBits/],
    [{ ...base, d: 2, counterBits: 8 as CounterBits, saturation: 128 }, /saturation/],
    [{ ...base, d: 2, tie: 'random' as Tie }, /tie/],
    [{ ...base, d: 2, seed: -1 }, /seed/],
    [{ ...base, r: 100_000, valueBits: 100_000, d: 2 }, /2\^32/],
  ])('%o', (params, message) => {
    expect(() => new BinarySdm(params as BinarySdmParams)).toThrow(message);
  });

  it('rejects addresses and values of the wrong size or with entries other than 0 and 1', () => {
    const sdm = new BinarySdm({ ...base, d: 3 });
    expect(() => sdm.read(new Uint8Array(9))).toThrow(InputError);
    expect(() => sdm.write(new Uint8Array(10), new Uint8Array(4))).toThrow(InputError);
    expect(() => sdm.write(new Uint8Array(10), Uint8Array.from([0, 2, 1]))).toThrow(/value\[1\]/);
    expect(() => sdm.activeSet(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 3]))).toThrow(InputError);
    expect(() => sdm.readPatterns(new Uint8Array(10), new Float64Array(11))).toThrow(/keepPatterns/);
    expect(String(sdm)).toMatch(/^<BinarySdm n=10 r=5 d=3 w=3 int16±32767 tie=zero kernel=(js|wasm)>$/);
  });
});
