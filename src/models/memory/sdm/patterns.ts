/**
 * Pattern-based read of a binary SDM: every stored (key, value) pair votes directly, weighted by a function of the
 * Hamming distance between its key and the read address (Bricken & Pehlevan 2021, "Attention approximates sparse
 * distributed memory", NeurIPS: the "pattern-based" view next to the "neuron-based" read through hard locations):
 *
 *   s_j = sum_p  w[dist(key_p, x)] * (2 value_{p,j} - 1),          y_j = [s_j > 0]  (ties: see threshold.ts)
 *
 * `w` is a Float64Array of length n + 1 supplied by the caller (w[dv] for dv = 0..n). With
 * w[dv] = r |B_d(a) ∩ B_d(b)| / 2^n for |a - b| = dv (the expected number of hard locations in the intersection of the
 * two radius-d balls, the "circle intersection"), s_j equals the expectation of the neuron-based counter sum over
 * random hard locations; with w = 1 everywhere the read is the plain majority vote of the stored values.
 * Sums are accumulated in float64 in storage order, so a read is deterministic.
 */
import { InputError } from '../../../core/errors.ts';
import { hammingPacked, packBits, unpackBits, wordsFor } from './bits.ts';
import { thresholdSums, type TieRule } from './threshold.ts';

export interface PatternReadResult {
  /** Thresholded output, one 0/1 per value bit. */
  readonly bits: Uint8Array;
  /** s_j, the weighted bipolar vote per value bit. */
  readonly sums: Float64Array;
  /** dist(key_p, x) for every stored pattern p, in storage order. */
  readonly distances: Uint32Array;
}

/** The (key, value) pairs written to a memory, in write order: keys packed, values bipolar (+1 / -1). */
export class PatternStore {
  readonly words: number;
  private keys: Uint32Array;
  private values: Int8Array;
  private size = 0;

  constructor(
    /** Key (address) width in bits. */
    readonly n: number,
    /** Value width in bits. */
    readonly valueBits: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new InputError('PatternStore n', `a positive integer, got ${n}`);
    if (!Number.isInteger(valueBits) || valueBits < 1) throw new InputError('PatternStore valueBits', `a positive integer, got ${valueBits}`);
    this.words = wordsFor(n);
    this.keys = new Uint32Array(16 * this.words);
    this.values = new Int8Array(16 * valueBits);
  }

  /** Number of stored patterns. */
  get count(): number {
    return this.size;
  }

  /** Appends one (key, value) pair (0/1 vectors of n and valueBits bits). */
  add(key: Uint8Array, value: Uint8Array): void {
    if (key.length !== this.n) throw new InputError('pattern key', `${this.n} bits, got ${key.length}`);
    if (value.length !== this.valueBits) throw new InputError('pattern value', `${this.valueBits} bits, got ${value.length}`);
    if (this.size * this.words >= this.keys.length) {
      const keys = new Uint32Array(2 * this.keys.length);
      keys.set(this.keys);
      this.keys = keys;
      const values = new Int8Array(2 * this.values.length);
      values.set(this.values);
      this.values = values;
    }
    const w = this.valueBits;
    const vOff = this.size * w;
    for (let j = 0; j < w; j++) {
      const b = value[j]!;
      if (b !== 0 && b !== 1) throw new InputError(`pattern value[${j}]`, `0 or 1, got ${b}`);
      this.values[vOff + j] = 2 * b - 1;
    }
    packBits(key, this.keys, this.size * this.words, 'pattern key');
    this.size++;
  }

  /** Key of pattern p as a 0/1 vector. */
  key(p: number): Uint8Array {
    this.check(p);
    return unpackBits(this.keys, this.n, undefined, p * this.words);
  }

  /** Value of pattern p as a 0/1 vector. */
  value(p: number): Uint8Array {
    this.check(p);
    const out = new Uint8Array(this.valueBits);
    const off = p * this.valueBits;
    for (let j = 0; j < this.valueBits; j++) out[j] = this.values[off + j]! > 0 ? 1 : 0;
    return out;
  }

  /** Forgets every pattern. */
  clear(): void {
    this.size = 0;
  }

  /**
   * The pattern-based read (file comment): s_j = sum_p w[dist(key_p, x)] (2 v_pj - 1), thresholded with `tie`.
   * `cue` feeds the 'keep' tie rule (default: the address itself when valueBits = n).
   */
  read(address: Uint8Array, weights: Float64Array, tie: TieRule = 'zero', cue?: Uint8Array): PatternReadResult {
    const { n, words, valueBits: w } = this;
    if (address.length !== n) throw new InputError('pattern read address', `${n} bits, got ${address.length}`);
    if (weights.length !== n + 1) throw new InputError('pattern read weights', `a Float64Array of length n + 1 = ${n + 1}, got ${weights.length}`);
    const q = packBits(address, undefined, 0, 'pattern read address');
    const sums = new Float64Array(w);
    const distances = new Uint32Array(this.size);
    const keys = this.keys;
    const values = this.values;
    for (let p = 0; p < this.size; p++) {
      const dv = hammingPacked(keys, p * words, q, 0, words);
      distances[p] = dv;
      const wt = weights[dv]!;
      if (wt === 0) continue;
      const off = p * w;
      for (let j = 0; j < w; j++) sums[j]! += wt * values[off + j]!;
    }
    const c = cue ?? (w === n ? address : null);
    return { bits: thresholdSums(sums, tie, c, new Uint8Array(w)), sums, distances };
  }

  private check(p: number): void {
    if (!Number.isInteger(p) || p < 0 || p >= this.size) throw new RangeError(`pattern index ${p} outside [0, ${this.size})`);
  }
}
