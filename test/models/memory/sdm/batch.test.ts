import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CounterRng } from '../../../../src/core/rng.ts';
import { BinarySdm, type CounterBits } from '../../../../src/models/memory/sdm/binary.ts';
import { randomBits } from '../../../../src/models/memory/sdm/bits.ts';
import { filled } from './filled.ts';
import { createScanner, wasmAvailable } from '../../../../src/models/memory/sdm/scan.ts';
import { BLOCK_MAX } from '../../../../src/models/memory/sdm/scan-block.ts';

interface Variant {
  readonly kernel: 'js' | 'wasm';
  readonly unroll?: number;
  readonly simd?: boolean;
  readonly step?: number;
}
const VARIANTS: Variant[] = [{ kernel: 'js' }];
if (wasmAvailable()) {
  for (const unroll of [1, 2, 4, 8]) for (const simd of [false, true]) VARIANTS.push({ kernel: 'wasm', unroll, simd, step: 0 });
  for (const [unroll, step] of [[1, 2], [1, 4], [2, 3], [4, 1]] as const) VARIANTS.push({ kernel: 'wasm', unroll, simd: false, step });
}
const label = (v: Variant): string => (v.kernel === 'js' ? 'js' : `wasm unroll=${v.unroll} simd=${v.simd} step=${v.step}`);


function expectSameReads(sdm: BinarySdm, qs: Uint8Array[], cues?: (Uint8Array | undefined)[]): void {
  const batch = sdm.readBatch(qs, cues);
  const sets = sdm.activeSetBatch(qs);
  expect(batch.length).toBe(qs.length);
  expect(sets.length).toBe(qs.length);
  qs.forEach((x, q) => {
    const one = sdm.read(x, cues?.[q]);
    expect(sets[q]).toEqual(sdm.activeSet(x));
    expect(batch[q]!.active).toBe(one.active);
    expect(batch[q]!.sums).toEqual(one.sums);
    expect(batch[q]!.bits).toEqual(one.bits);
  });
}

describe.each(VARIANTS)('BinarySdm.readBatch ($kernel $unroll $simd $step)', (v) => {
  const extra = { kernel: v.kernel, ...(v.kernel === 'wasm' ? { blockScan: { unroll: v.unroll!, simd: v.simd!, step: v.step! } } : {}) };

  it(`equals one read per query for random memories and batch sizes (${label(v)})`, () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 300 }),
          r: fc.integer({ min: 1, max: 400 }),
          dOffset: fc.integer({ min: -12, max: 12 }),
          w: fc.integer({ min: 1, max: 24 }),
          counterBits: fc.constantFrom<CounterBits>(8, 16, 32),
          tie: fc.constantFrom('zero' as const, 'one' as const),
          seed: fc.nat({ max: 1_000_000 }),
          writes: fc.integer({ min: 0, max: 20 }),
          queries: fc.constantFrom(1, 2, 5, 31, 32, 33, 70),
        }),
        ({ n, r, dOffset, w, counterBits, tie, seed, writes, queries }) => {
          // radius near the median distance n/2, so active sets are neither empty nor full
          const d = Math.max(0, Math.min(n, Math.floor(n / 2) + dOffset));
          const { sdm, qs } = filled({ n, r, d, valueBits: w, seed, counterBits, tie, ...extra }, writes, queries, seed + 1);
          expectSameReads(sdm, qs);
        },
      ),
      { numRuns: 25 },
    );
  });

  it(`matches at Kanerva's address width with r not a multiple of the block (${label(v)})`, () => {
    const { sdm, qs } = filled({ n: 1000, r: 3001, d: 470, valueBits: 40, seed: 7, counterBits: 8, ...extra }, 30, 45, 8);
    expect(sdm.activeSetBatch(qs).some((s) => s.length > 0)).toBe(true);
    expectSameReads(sdm, qs);
  });

  it(`passes cues to the 'keep' tie rule, autoassociative and heteroassociative (${label(v)})`, () => {
    const auto = filled({ n: 64, r: 200, d: 28, valueBits: 64, seed: 3, tie: 'keep', ...extra }, 6, 40, 4);
    expectSameReads(auto.sdm, auto.qs);
    const hetero = filled({ n: 70, r: 150, d: 31, valueBits: 9, seed: 5, tie: 'keep', ...extra }, 6, 35, 6);
    const rng = new CounterRng(99);
    const cues = hetero.qs.map((_, q) => randomBits(rng, 9, 1, q));
    expectSameReads(hetero.sdm, hetero.qs, cues);
    expect(() => hetero.sdm.readBatch(hetero.qs)).toThrow(/keep/);
    expect(() => hetero.sdm.readBatch(hetero.qs, cues.slice(1))).toThrow(/cues/);
  });

  it(`gives the same reads from a shared memory (${label(v)})`, () => {
    const params = { n: 100, r: 500, d: 44, valueBits: 16, seed: 11, ...extra };
    const a = filled(params, 10, 40, 12);
    const b = filled({ ...params, shared: true }, 10, 40, 12);
    expect(b.sdm.sharedState()).not.toBeNull();
    expect(a.sdm.sharedState()).toBeNull();
    expect(b.sdm.readBatch(b.qs)).toEqual(a.sdm.readBatch(a.qs));
  });
});

describe('block scan', () => {
  it('splits over disjoint location ranges into disjoint pair regions, in increasing order', () => {
    for (const kernel of wasmAvailable() ? (['js', 'wasm'] as const) : (['js'] as const)) {
      const n = 77, r = 301;
      const s = createScanner(n, r, kernel);
      const rng = new CounterRng(21);
      for (let i = 0; i < s.addresses.length; i++) s.addresses[i] = rng.words(1, i, 0)[0]!;
      for (let i = 0; i < r; i++) s.addresses[i * s.words + s.words - 1]! &= (1 << (n % 32)) - 1;
      for (let i = 0; i < s.block.length; i++) s.block[i] = i % s.words === s.words - 1 ? rng.words(2, i, 0)[0]! & ((1 << (n % 32)) - 1) : rng.words(2, i, 0)[0]!;
      const whole = s.withinBlock(BLOCK_MAX, 36, 0, r);
      const all = Array.from(s.pairs.subarray(0, 2 * whole));
      const cuts = [0, 1, 150, 151, 300, 301];
      const parts: number[] = [];
      for (let k = 0; k + 1 < cuts.length; k++) {
        const c = s.withinBlock(BLOCK_MAX, 36, cuts[k]!, cuts[k + 1]!);
        parts.push(...s.pairs.subarray(2 * cuts[k]!, 2 * cuts[k]! + 2 * c));
      }
      expect(parts).toEqual(all);
      expect(whole).toBeGreaterThan(0);
      for (let k = 2; k < all.length; k += 2) expect(all[k]!).toBeGreaterThan(all[k - 2]!);
      expect(() => s.withinBlock(0, 36, 0, r)).toThrow(RangeError);
      expect(() => s.withinBlock(33, 36, 0, r)).toThrow(RangeError);
      expect(() => s.withinBlock(1, 36, 5, r + 1)).toThrow(RangeError);
    }
  });

  it('sums Int8 and Int16 counters with the wasm kernel, Int32 in JavaScript, and the js kernel in JavaScript', () => {
    const sum = (kernel: 'js' | 'wasm', counterBits: CounterBits): string => new BinarySdm({ n: 40, r: 30, d: 18, valueBits: 5, seed: 1, counterBits, kernel }).sumKernel;
    if (wasmAvailable()) {
      expect(sum('wasm', 8)).toBe('wasm');
      expect(sum('wasm', 16)).toBe('wasm');
      expect(sum('wasm', 32)).toBe('js');
    }
    expect(sum('js', 8)).toBe('js');
  });

  it('sums in JavaScript, exactly, where an Int32 accumulator could overflow', () => {
    // 16-bit counters saturating at 32767: more than 65538 active locations could pass 2^31 - 1 in an i32 sum
    const kernel = wasmAvailable() ? 'wasm' : 'js';
    const sdm = new BinarySdm({ n: 8, r: 70_000, d: 8, valueBits: 3, seed: 1, counterBits: 16, saturation: 32767, kernel });
    const x = new Uint8Array(8);
    const all = Uint32Array.from({ length: 70_000 }, (_, i) => i);
    for (let t = 0; t < 3; t++) sdm.writeActive(all, Uint8Array.of(1, 0, 1));
    const res = sdm.read(x);
    expect(res.active).toBe(70_000);
    expect(Array.from(res.sums)).toEqual([210_000, -210_000, 210_000]);
    expect(sdm.readBatch([x, x])).toEqual([res, res]);
  });

  it('falls back to one read per query for top-k activation', () => {
    const { sdm, qs } = filled({ n: 50, r: 120, topK: 9, valueBits: 8, seed: 2 }, 5, 12, 3);
    expectSameReads(sdm, qs);
  });
});
