/**
 * Continuous Sparse Distributed Memory: real vectors on the unit sphere, cosine-similarity activation
 * (the continuous SDM of Bricken & Pehlevan 2021, "Attention approximates sparse distributed memory", NeurIPS).
 *
 * r hard locations with unit addresses l_i in R^n (uniform on the sphere from a seed: normalised Gaussian vectors,
 * or supplied by the caller and normalised here) and one real accumulator vector S_i in R^m per location.
 *
 *   x_hat = x / |x|,   A(x) = { i : cos(x, l_i) = x_hat . l_i >= theta }   (theta <= -1: every location is active,
 *                                                                            independent of rounding)
 *   write (x, v):  S_i <- S_i + v               for i in A(x)   (v stored as given; normalise it first if wanted)
 *   read (x):      s = sum_{i in A(x)} S_i,     y = s / |s|     (y = 0 when s = 0)
 *
 * Addresses must be non-zero. Everything is float64 and summed in location order, so reads are deterministic.
 */
import { InputError } from '../../../core/errors.ts';
import { CounterRng, streamId } from '../../../core/rng.ts';

export interface ContinuousSdmParams {
  /** Address dimension (n >= 1). */
  readonly n: number;
  /** Number of hard locations (r >= 1). */
  readonly r: number;
  /** Value dimension m (m >= 1). */
  readonly valueDim: number;
  /** Cosine threshold theta in [-1, 1]: a location is active when cos >= theta. */
  readonly threshold: number;
  /** Seed of the location addresses (stream 'sdm:continuous-locations'). */
  readonly seed: number;
  /** Caller-supplied addresses, r * n (row i = location i); copied and normalised. */
  readonly locations?: Float64Array;
}

export interface ContinuousReadResult {
  /** s / |s| (zeros when s = 0). */
  readonly vector: Float64Array;
  /** s, the sum of the accumulators of the active locations. */
  readonly sums: Float64Array;
  /** |A(x)|. */
  readonly active: number;
}

/** A Float64Array the type checker refuses to write through. */
export type ReadonlyFloat64Array = Omit<Float64Array, 'set' | 'fill' | 'copyWithin' | 'reverse' | 'sort' | number> & {
  readonly [index: number]: number;
};

function positiveInt(v: number, where: string): number {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`ContinuousSdm ${where}`, `a positive integer, got ${v}`);
  return v;
}

/** Euclidean norm of n entries of a from offset off. */
function norm(a: ArrayLike<number>, off: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[off + k]! * a[off + k]!;
  return Math.sqrt(s);
}

export class ContinuousSdm {
  readonly n: number;
  readonly r: number;
  readonly valueDim: number;
  readonly threshold: number;
  readonly seed: number;
  private readonly loc: Float64Array;
  private readonly store: Float64Array;
  private readonly q: Float64Array;

  constructor(params: ContinuousSdmParams) {
    const n = positiveInt(params.n, 'n');
    const r = positiveInt(params.r, 'r');
    const m = positiveInt(params.valueDim, 'valueDim');
    const th = params.threshold;
    if (typeof th !== 'number' || !(th >= -1 && th <= 1)) throw new InputError('ContinuousSdm threshold', `a cosine in [-1, 1], got ${th}`);
    if (!Number.isSafeInteger(params.seed) || params.seed < 0) throw new InputError('ContinuousSdm seed', `a non-negative integer, got ${params.seed}`);
    this.n = n;
    this.r = r;
    this.valueDim = m;
    this.threshold = th;
    this.seed = params.seed;
    this.loc = new Float64Array(r * n);
    if (params.locations !== undefined) {
      if (params.locations.length !== r * n) throw new InputError('ContinuousSdm locations', `r * n = ${r * n} numbers, got ${params.locations.length}`);
      this.loc.set(params.locations);
    } else {
      const rng = new CounterRng(params.seed);
      const stream = streamId('sdm:continuous-locations');
      for (let i = 0; i < r; i++) for (let k = 0; k < n; k++) this.loc[i * n + k] = rng.normal(stream, i, 0, k);
    }
    for (let i = 0; i < r; i++) {
      const len = norm(this.loc, i * n, n);
      if (!(len > 0 && Number.isFinite(len))) throw new InputError(`ContinuousSdm locations (location ${i})`, 'a non-zero finite vector');
      for (let k = 0; k < n; k++) this.loc[i * n + k]! /= len;
    }
    this.store = new Float64Array(r * m);
    this.q = new Float64Array(n);
  }

  /** Unit location addresses, r * n, read-only. */
  get locations(): ReadonlyFloat64Array {
    return this.loc;
  }

  /** cos(x, l_i) for every location. */
  cosines(address: Float64Array): Float64Array {
    this.loadQuery(address);
    const { n, r, loc, q } = this;
    const out = new Float64Array(r);
    for (let i = 0, off = 0; i < r; i++, off += n) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[k]! * loc[off + k]!;
      out[i] = s;
    }
    return out;
  }

  /** A(x), sorted location indices with cos(x, l_i) >= threshold (all when threshold <= -1). */
  activeSet(address: Float64Array): Uint32Array {
    const cos = this.cosines(address);
    if (this.threshold <= -1) {
      const all = new Uint32Array(this.r);
      for (let i = 0; i < this.r; i++) all[i] = i;
      return all;
    }
    let count = 0;
    for (let i = 0; i < this.r; i++) if (cos[i]! >= this.threshold) count++;
    const out = new Uint32Array(count);
    for (let i = 0, m = 0; i < this.r; i++) if (cos[i]! >= this.threshold) out[m++] = i;
    return out;
  }

  /** Adds v to the accumulator of every active location; returns |A(x)|. */
  write(address: Float64Array, value: Float64Array): number {
    const m = this.valueDim;
    if (value.length !== m) throw new InputError('ContinuousSdm value', `${m} numbers, got ${value.length}`);
    for (let j = 0; j < m; j++) if (!Number.isFinite(value[j]!)) throw new InputError(`ContinuousSdm value[${j}]`, `a finite number, got ${value[j]}`);
    const active = this.activeSet(address);
    const st = this.store;
    for (let a = 0; a < active.length; a++) {
      const base = active[a]! * m;
      for (let j = 0; j < m; j++) st[base + j]! += value[j]!;
    }
    return active.length;
  }

  /** s = sum of the active accumulators, y = s / |s|. */
  read(address: Float64Array): ContinuousReadResult {
    const m = this.valueDim;
    const active = this.activeSet(address);
    const sums = new Float64Array(m);
    const st = this.store;
    for (let a = 0; a < active.length; a++) {
      const base = active[a]! * m;
      for (let j = 0; j < m; j++) sums[j]! += st[base + j]!;
    }
    const len = norm(sums, 0, m);
    const vector = new Float64Array(m);
    if (len > 0) for (let j = 0; j < m; j++) vector[j] = sums[j]! / len;
    return { vector, sums, active: active.length };
  }

  /** Zeroes every accumulator. */
  clear(): void {
    this.store.fill(0);
  }

  toString(): string {
    return `<ContinuousSdm n=${this.n} r=${this.r} m=${this.valueDim} theta=${this.threshold}>`;
  }

  private loadQuery(address: Float64Array): void {
    const n = this.n;
    if (address.length !== n) throw new InputError('ContinuousSdm address', `${n} numbers, got ${address.length}`);
    const len = norm(address, 0, n);
    if (!(len > 0 && Number.isFinite(len))) throw new InputError('ContinuousSdm address', 'a non-zero finite vector');
    for (let k = 0; k < n; k++) this.q[k] = address[k]! / len;
  }
}
