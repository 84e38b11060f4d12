/**
 * The granule code: which granule cells fire for an address, under three kinds of Golgi inhibition.
 *
 *   global (feedforward): one threshold theta for every address, set from sample addresses so that the mean active
 *          fraction is f: theta = the round(f r C)-th largest input over C calibration addresses; cell j fires iff
 *          key_j(x) >= theta. Feedforward inhibition cannot tell cells with equal input apart: ties at theta all fire.
 *   topk   (feedback): the k = round(f r) cells with the largest input fire for every address; ties to the lowest
 *          index.
 *   all    (conjunction): cell j fires iff all K of its inputs are active, whatever the weights. Its coding level is
 *          2^-K times the probability that a cell samples no on/off pair twice (then it never fires):
 *          E[f] = C(n, K) / C(2n, K) (`conjunctionFraction`).
 *
 * key_j is the granule input of wiring.ts (the summed weights; with sigma = 0 the count, ordered within equal counts
 * by the limit of vanishing weight heterogeneity). Active sets are sorted Uint32Arrays of cell indices.
 */
import { granuleInput, type Wiring } from './wiring.ts';

export type Inhibition = 'global' | 'topk' | 'all';

/** How one code is read out of the granule input. */
export type CodeSpec =
  | { readonly inhibition: 'all' }
  | { readonly inhibition: 'topk'; readonly codingLevel: number }
  | { readonly inhibition: 'global'; readonly threshold: number };

/** log C(a, b) */
function logChoose(a: number, b: number): number {
  let s = 0;
  for (let i = 0; i < b; i++) s += Math.log(a - i) - Math.log(b - i);
  return s;
}

/**
 * Expected coding level of the conjunction code, exactly: a cell's K distinct fibres, drawn from 2n, come from K
 * different bits with probability C(n, K) 2^K / C(2n, K) (`conjunctionReachable`), and then all K are active with
 * probability 2^-K; otherwise two of them are an on/off pair and never active together.
 */
export function conjunctionFraction(n: number, K: number): number {
  return K > n ? 0 : Math.exp(logChoose(n, K) - logChoose(2 * n, K));
}

/** Probability that a cell with K distinct fibres out of 2n samples no on/off pair twice: C(n, K) 2^K / C(2n, K). */
export function conjunctionReachable(n: number, K: number): number {
  return K > n ? 0 : Math.exp(logChoose(n, K) + K * Math.LN2 - logChoose(2 * n, K));
}

/**
 * Quickselect (three-way partition, median-of-three pivot) of a[lo..hi] in place: returns the value of ascending rank
 * `target` (lo <= target <= hi) and leaves a[target..hi] >= it >= a[lo..target].
 */
function selectInPlace(a: Float64Array, lo: number, hi: number, target: number): number {
  for (;;) {
    if (lo >= hi) return a[target]!;
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const p = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = a[i]!;
      if (v < p) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v > p) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return p;
  }
}

/**
 * The k-th largest of `values` (1 <= k <= length), by quickselect on a copy (in `scratch` when given, at least
 * values.length long). `values` is not modified.
 */
export function kthLargest(values: ArrayLike<number>, k: number, scratch?: Float64Array): number {
  const len = values.length;
  if (!Number.isInteger(k) || k < 1 || k > len) throw new RangeError(`k must be in [1, ${len}], got ${k}`);
  const a = scratch && scratch.length >= len ? scratch : new Float64Array(len);
  for (let i = 0; i < len; i++) a[i] = values[i]!;
  return selectInPlace(a, 0, len - 1, len - k);
}

/** The k-th largest keys for several k (each 1 <= k <= length), nested: each selection after the first scans only the top. */
export function kthLargestMany(values: Float64Array, ks: readonly number[], scratch?: Float64Array): number[] {
  const len = values.length;
  const a = scratch && scratch.length >= len ? scratch : new Float64Array(len);
  a.set(values);
  const order = ks.map((k, i) => [k, i] as const).sort((u, v) => v[0] - u[0]);
  const out = new Array<number>(ks.length);
  let lo = 0;
  for (const [k, i] of order) {
    if (!Number.isInteger(k) || k < 1 || k > len) throw new RangeError(`k must be in [1, ${len}], got ${k}`);
    out[i] = selectInPlace(a, lo, len - 1, len - k);
    lo = len - k;
  }
  return out;
}

/** Cells with key >= theta. */
export function thresholdActive(key: Float64Array, theta: number): Uint32Array {
  let m = 0;
  for (let j = 0; j < key.length; j++) if (key[j]! >= theta) m++;
  const out = new Uint32Array(m);
  for (let j = 0, q = 0; j < key.length; j++) if (key[j]! >= theta) out[q++] = j;
  return out;
}

/** The k cells with the largest keys (ties to the lowest index), sorted by index; `t` = the k-th largest when known. */
export function topKActive(key: Float64Array, k: number, scratch?: Float64Array, t = k > 0 && k < key.length ? kthLargest(key, k, scratch) : 0): Uint32Array {
  const r = key.length;
  if (k <= 0) return new Uint32Array(0);
  if (k >= r) return Uint32Array.from({ length: r }, (_, j) => j);
  let above = 0;
  for (let j = 0; j < r; j++) if (key[j]! > t) above++;
  let ties = k - above;
  const out = new Uint32Array(k);
  let q = 0;
  for (let j = 0; j < r; j++) {
    const v = key[j]!;
    if (v > t || (v === t && ties-- > 0)) out[q++] = j;
  }
  return out;
}

/** Cells with all K inputs active. */
export function conjunctionActive(count: Uint16Array, K: number): Uint32Array {
  let m = 0;
  for (let j = 0; j < count.length; j++) if (count[j] === K) m++;
  const out = new Uint32Array(m);
  for (let j = 0, q = 0; j < count.length; j++) if (count[j] === K) out[q++] = j;
  return out;
}

/** k = round(f r), at least 1. */
export function activeCount(codingLevel: number, r: number): number {
  return Math.max(1, Math.round(codingLevel * r));
}

/**
 * Computes granule codes of one wiring, reusing its buffers: `codes(x, specs)` gives one active set per spec from one
 * evaluation of the granule input.
 */
export class GranuleCoder {
  readonly wiring: Wiring;
  private readonly key: Float64Array;
  private readonly count: Uint16Array;
  private readonly fibres: Float64Array;
  private readonly scratch: Float64Array;

  constructor(wiring: Wiring) {
    this.wiring = wiring;
    this.key = new Float64Array(wiring.r);
    this.count = new Uint16Array(wiring.r);
    this.fibres = new Float64Array(2 * wiring.n);
    this.scratch = new Float64Array(wiring.r);
  }

  /** The granule input of an address (views into the coder's buffers, overwritten by the next call). */
  input(address: Uint8Array): { readonly key: Float64Array; readonly count: Uint16Array } {
    granuleInput(this.wiring, address, this.key, this.count, this.fibres);
    return { key: this.key, count: this.count };
  }

  codes(address: Uint8Array, specs: readonly CodeSpec[]): Uint32Array[] {
    this.input(address);
    const r = this.wiring.r;
    const ks = specs.map((s) => (s.inhibition === 'topk' ? activeCount(s.codingLevel, r) : 0));
    const selected = ks.filter((k) => k > 0 && k < r);
    const ts = selected.length ? kthLargestMany(this.key, selected, this.scratch) : [];
    let next = 0;
    return specs.map((s, i) => {
      if (s.inhibition === 'all') return conjunctionActive(this.count, this.wiring.inputs);
      if (s.inhibition === 'global') return thresholdActive(this.key, s.threshold);
      const k = ks[i]!;
      return topKActive(this.key, k, this.scratch, k > 0 && k < r ? ts[next++]! : 0);
    });
  }

  /**
   * The feedforward threshold for coding level f: the round(f r C)-th largest granule input over the C addresses
   * (at least 1), so that on average a fraction f fires (more where inputs tie at the threshold).
   */
  globalThreshold(codingLevel: number, addresses: readonly Uint8Array[]): number {
    return this.globalThresholds([codingLevel], addresses)[0]!;
  }

  /** `globalThreshold` for several coding levels from one pass over the addresses. */
  globalThresholds(codingLevels: readonly number[], addresses: readonly Uint8Array[]): number[] {
    const r = this.wiring.r;
    const pooled = new Float64Array(r * addresses.length);
    addresses.forEach((x, i) => {
      this.input(x);
      pooled.set(this.key, i * r);
    });
    const scratch = new Float64Array(pooled.length);
    return codingLevels.map((f) => kthLargest(pooled, Math.min(pooled.length, activeCount(f, pooled.length)), scratch));
  }
}

/** The active set of one address (a convenience over `GranuleCoder`; 'global' needs the threshold in the spec). */
export function activeSet(wiring: Wiring, address: Uint8Array, spec: CodeSpec): Uint32Array {
  return new GranuleCoder(wiring).codes(address, [spec])[0]!;
}
