import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CounterRng } from '../../../../src/core/rng.ts';
import { InputError } from '../../../../src/core/errors.ts';
import {
  flipBits,
  hammingBits,
  hammingPacked,
  lastWordMask,
  packBits,
  popcount32,
  randomBits,
  unpackBits,
  wordsFor,
} from '../../../../src/models/memory/sdm/bits.ts';
import { naiveDist, naivePack } from './helpers.ts';

/** Bit-by-bit count of the 32 bits of x. */
function slowPopcount(x: number): number {
  let c = 0;
  for (let b = 0; b < 32; b++) if (Math.floor(x / 2 ** b) % 2 === 1) c++;
  return c;
}

const bitArray = (max: number) => fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: max });

describe('popcount32', () => {
  it('matches a bit-by-bit count on edge cases', () => {
    for (const x of [0, 1, 2, 3, 0x80000000, 0xffffffff, 0x7fffffff, 0x55555555, 0xaaaaaaaa, 0x01010101, 0xf0f0f0f0]) {
      expect(popcount32(x)).toBe(slowPopcount(x));
    }
    expect(popcount32(-1)).toBe(32); // int32 -1 is 0xffffffff
  });

  it('matches a bit-by-bit count on random 32-bit words', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (x) => popcount32(x) === slowPopcount(x)), { numRuns: 2000 });
  });
});

describe('packing and Hamming distance', () => {
  it('packs bit i into word i >>> 5 at position i & 31, and unpacks back', () => {
    fc.assert(
      fc.property(bitArray(200), (bits) => {
        const v = Uint8Array.from(bits);
        const packed = packBits(v);
        expect(packed.length).toBe(wordsFor(v.length));
        expect(Array.from(packed)).toEqual(Array.from(naivePack([bits], bits.length)));
        expect(Array.from(unpackBits(packed, v.length))).toEqual(bits);
        // padding bits are zero
        expect((packed[packed.length - 1]! & ~lastWordMask(v.length)) >>> 0).toBe(0);
      }),
    );
  });

  it('computes the Hamming distance as XOR + popcount, equal to a bit-by-bit count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((n) =>
          fc.tuple(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }), fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n })),
        ),
        ([a, b]) => {
          const n = a.length;
          const expected = naiveDist(a, b);
          const pa = packBits(Uint8Array.from(a));
          const pb = packBits(Uint8Array.from(b));
          return hammingPacked(pa, 0, pb, 0, wordsFor(n)) === expected && hammingBits(Uint8Array.from(a), Uint8Array.from(b)) === expected;
        },
      ),
    );
  });

  it('refuses entries other than 0 and 1', () => {
    expect(() => packBits(Uint8Array.from([0, 1, 2]))).toThrow(InputError);
  });
});

describe('random bit vectors', () => {
  it('are reproducible from the seed, roughly balanced, and flipBits flips exactly k distinct bits', () => {
    const rng = new CounterRng(5);
    const a = randomBits(rng, 1000, 3, 7);
    expect(Array.from(a)).toEqual(Array.from(randomBits(new CounterRng(5), 1000, 3, 7)));
    expect(Array.from(a)).not.toEqual(Array.from(randomBits(rng, 1000, 3, 8)));
    const ones = a.reduce((s, b) => s + b, 0);
    expect(Math.abs(ones - 500)).toBeLessThan(5 * Math.sqrt(250)); // 5 sigma of Binomial(1000, 1/2)
    for (const k of [0, 1, 17, 1000]) expect(hammingBits(flipBits(a, k, rng, 4, k), a)).toBe(k);
  });
});
