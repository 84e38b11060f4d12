/**
 * Bit vectors for Sparse Distributed Memory: packing, popcount, Hamming distance, seeded random vectors.
 *
 * Packing convention (shared by every SDM in this folder and by the spiking circuit that reuses its hard-location
 * addresses): bit i of an n-bit vector lives in word `i >>> 5` at bit position `i & 31` (least significant bit first).
 * A vector occupies `W = ceil(n / 32)` words; the `32 W - n` padding bits of the last word are always 0, so the
 * Hamming distance of two packed vectors is exactly
 *
 *   dist(a, b) = sum_{k < W} popcount(a_k XOR b_k).
 *
 * Unpacked vectors are `Uint8Array`s holding 0 or 1 per bit.
 */
import { InputError } from '../../../core/errors.ts';
import type { CounterRng } from '../../../core/rng.ts';

/** Words of 32 bits needed for an n-bit vector: ceil(n / 32). */
export function wordsFor(n: number): number {
  return (n + 31) >>> 5;
}

/**
 * Number of set bits of a 32-bit integer (SWAR reduction, Hacker's Delight 2nd ed., fig. 5-2):
 * 2-bit sums, 4-bit sums, byte sums, then one multiply adds the four bytes into the top byte.
 * Any number is taken modulo 2^32 first (`x >>> 0` semantics), so negative int32 values count their two's complement.
 */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance of two packed vectors of `words` words starting at aOff in a and bOff in b. */
export function hammingPacked(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, words: number): number {
  let dist = 0;
  for (let k = 0; k < words; k++) dist += popcount32((a[aOff + k]! ^ b[bOff + k]!) >>> 0);
  return dist;
}

/** Hamming distance of two unpacked 0/1 vectors of equal length. */
export function hammingBits(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`hammingBits: lengths differ (${a.length} vs ${b.length})`);
  let dist = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) dist++;
  return dist;
}

/**
 * Packs a 0/1 vector into `out` (from word `offset`, `wordsFor(bits.length)` words; padding bits cleared).
 * Throws InputError naming `what` when an entry is not 0 or 1.
 */
export function packBits(bits: Uint8Array, out?: Uint32Array, offset = 0, what = 'bits'): Uint32Array {
  const n = bits.length;
  const words = wordsFor(n);
  const dst = out ?? new Uint32Array(words);
  if (offset + words > dst.length) throw new RangeError(`packBits: output too short (${dst.length} < ${offset + words})`);
  for (let k = 0; k < words; k++) dst[offset + k] = 0;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    if (b === 1) dst[offset + (i >>> 5)]! |= 1 << (i & 31);
    else if (b !== 0) throw new InputError(`${what}[${i}]`, `0 or 1, got ${b}`);
  }
  return dst;
}

/** Unpacks n bits starting at word `offset` of a packed vector into a 0/1 Uint8Array. */
export function unpackBits(words: ArrayLike<number>, n: number, out?: Uint8Array, offset = 0): Uint8Array {
  const dst = out ?? new Uint8Array(n);
  for (let i = 0; i < n; i++) dst[i] = (words[offset + (i >>> 5)]! >>> (i & 31)) & 1;
  return dst;
}

/** Mask of the valid bits of the last word of an n-bit vector (all ones when n is a multiple of 32). */
export function lastWordMask(n: number): number {
  const rem = n & 31;
  return rem === 0 ? 0xffffffff : ((1 << rem) - 1) >>> 0;
}

/**
 * Fills words [offset, offset + wordsFor(n)) of `out` with a uniform random n-bit vector (padding bits cleared).
 * Draws come from Philox counter (stream, index, tick, draw = block of four words), so the vector is a pure function
 * of (seed, stream, index, tick).
 */
export function randomPackedInto(rng: CounterRng, n: number, stream: number, index: number, out: Uint32Array, offset = 0, tick = 0): void {
  const words = wordsFor(n);
  for (let k = 0, draw = 0; k < words; k += 4, draw++) {
    const w = rng.words(stream, index, tick, draw);
    const m = Math.min(4, words - k);
    for (let j = 0; j < m; j++) out[offset + k + j] = w[j]!;
  }
  out[offset + words - 1]! &= lastWordMask(n);
}

/** A uniform random 0/1 vector of n bits (see randomPackedInto for the counter layout). */
export function randomBits(rng: CounterRng, n: number, stream: number, index: number, tick = 0): Uint8Array {
  const packed = new Uint32Array(wordsFor(n));
  randomPackedInto(rng, n, stream, index, packed, 0, tick);
  return unpackBits(packed, n);
}

/**
 * A copy of `bits` with exactly k distinct positions flipped, chosen uniformly (partial Fisher-Yates shuffle driven
 * by `rng.int(.., stream, index, tick, draw = step)`).
 */
export function flipBits(bits: Uint8Array, k: number, rng: CounterRng, stream: number, index: number, tick = 0): Uint8Array {
  const n = bits.length;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`flipBits: k must be an integer in [0, ${n}], got ${k}`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const out = bits.slice();
  for (let s = 0; s < k; s++) {
    const j = s + rng.int(n - s, stream, index, tick, s);
    const t = order[j]!;
    order[j] = order[s]!;
    order[s] = t;
    out[t] = 1 - out[t]!;
  }
  return out;
}

/**
 * The bits a read got wrong: out[k] = 1 where recalled[k] != target[k], else 0 (the error-driven write's gate: only
 * those bits are written, docs/DECISIONS.md 47). Returns the mask; its sum is hammingBits(recalled, target).
 */
export function wrongBits(recalled: Uint8Array, target: Uint8Array, out = new Uint8Array(target.length)): Uint8Array {
  if (recalled.length !== target.length || out.length !== target.length) throw new InputError('wrongBits', `vectors of equal length, got ${recalled.length}, ${target.length} and ${out.length}`);
  for (let k = 0; k < target.length; k++) out[k] = recalled[k] === target[k] ? 0 : 1;
  return out;
}
