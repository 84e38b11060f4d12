/**
 * Mossy fibre -> granule cell wiring of the cerebellar Sparse Distributed Memory, and the granule cells' input.
 *
 * Addresses are n random bits; the mossy fibres code them as on/off pairs: fibre i (i < n) is active iff bit i = 1 and
 * fibre n + i iff bit i = 0, so every address activates exactly n of the 2n fibres. Each of the r granule cells samples
 * K distinct fibres (fixed in-degree, no multapses; it may sample both fibres of a pair, and then at most K - 1 of its
 * inputs are ever active together) with weights w = exp(sigma z), z standard normal (lognormal, mu 0).
 *
 * Granule input for address x: h_j(x) = sum of w over the active fibres of cell j; c_j(x) = how many are active.
 *
 * Random streams (CounterRng, seed = the wiring's seed): 'granule-code:wiring' (index = cell, tick 0, draw = the d-th
 * draw; duplicates are redrawn, so the first K fibres of a cell are the same for every K: wirings are nested in K) and
 * 'granule-code:weights' (index = cell, draw = synapse). Addresses: a named stream, index = the address's number.
 */
import { CounterRng, streamId } from '../../core/rng.ts';

export interface WiringParams {
  /** Address bits n (mossy fibres 2n); 1 <= n <= 32767. */
  readonly n: number;
  /** Granule cells r >= 1. */
  readonly r: number;
  /** Inputs per granule cell K, 1 <= K <= 2n. */
  readonly inputs: number;
  /** sigma of the lognormal weights (mu 0); 0 gives uniform weights (with the tie rule of `granuleInput`). */
  readonly weightSigma: number;
  readonly seed: number;
}

export interface Wiring {
  readonly n: number;
  readonly r: number;
  readonly inputs: number;
  readonly weightSigma: number;
  readonly seed: number;
  /** Fibre (0..2n-1) of synapse k of cell j at [j K + k]. */
  readonly fibres: Uint16Array;
  /** z of synapse k of cell j at [j K + k]; w = exp(sigma z). */
  readonly z: Float64Array;
  /** Weights exp(sigma z), at [j K + k]. */
  readonly weights: Float64Array;
  /**
   * With sigma = 0: B = 2 (1 + max_j sum_k |z_jk|), so that c + g / B (g = sum of z over the active synapses) orders
   * cells by c first and g second (|g / B| < 1/2). Unused when sigma > 0.
   */
  readonly tieScale: number;
}

/** Draws the wiring: K distinct fibres per granule cell and their lognormal weights. Deterministic in the seed. */
export function buildWiring(p: WiringParams): Wiring {
  const { n, r, inputs: K, weightSigma: sigma, seed } = p;
  if (!Number.isInteger(n) || n < 1 || n > 32767) throw new RangeError(`address bits n must be an integer in [1, 32767], got ${n}`);
  if (!Number.isInteger(r) || r < 1) throw new RangeError(`granule cells r must be a positive integer, got ${r}`);
  if (!Number.isInteger(K) || K < 1 || K > 2 * n) throw new RangeError(`inputs K must be an integer in [1, 2n = ${2 * n}], got ${K}`);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`weight sigma must be >= 0, got ${sigma}`);
  const rng = new CounterRng(seed);
  const sWiring = streamId('granule-code:wiring');
  const sWeights = streamId('granule-code:weights');
  const fibres = new Uint16Array(r * K);
  const z = new Float64Array(r * K);
  const weights = new Float64Array(r * K);
  let maxAbs = 0;
  for (let j = 0; j < r; j++) {
    const base = j * K;
    let draw = 0;
    for (let k = 0; k < K; ) {
      const f = rng.int(2 * n, sWiring, j, 0, draw++);
      let dup = false;
      for (let q = base; q < base + k; q++) if (fibres[q] === f) dup = true;
      if (dup) continue;
      fibres[base + k] = f;
      k++;
    }
    let abs = 0;
    for (let k = 0; k < K; k++) {
      const zz = rng.normal(sWeights, j, 0, k);
      z[base + k] = zz;
      weights[base + k] = Math.exp(sigma * zz);
      abs += Math.abs(zz);
    }
    if (abs > maxAbs) maxAbs = abs;
  }
  return { n, r, inputs: K, weightSigma: sigma, seed, fibres, z, weights, tieScale: 2 * (1 + maxAbs) };
}

/** n random address bits (0/1): stream `stream`, index `index`, 128 bits per Philox call. */
export function randomAddress(n: number, seed: number, stream: string, index: number): Uint8Array {
  const rng = new CounterRng(seed);
  const s = streamId(stream);
  const x = new Uint8Array(n);
  for (let block = 0; block * 128 < n; block++) {
    const w = rng.words(s, index, block);
    for (let b = 0; b < 128 && block * 128 + b < n; b++) x[block * 128 + b] = (w[b >>> 5]! >>> (b & 31)) & 1;
  }
  return x;
}

/** `count` random addresses, indices first .. first + count - 1 of the stream. */
export function randomAddresses(n: number, seed: number, stream: string, count: number, first = 0): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => randomAddress(n, seed, stream, first + i));
}

/**
 * Granule input for an address: count[j] = c_j(x), the number of active inputs, and key[j], the value inhibition acts
 * on: h_j(x) = sum of the weights of the active inputs when sigma > 0; when sigma = 0 (all weights 1, h = c) the limit
 * of vanishing weight heterogeneity, c + g / B with g = sum of z over the active synapses (w = exp(sigma z) ~ 1 + sigma
 * z as sigma -> 0), so that cells with equal counts are ordered as infinitesimally heterogeneous synapses would order
 * them, not by their index. Ties left after that (measure zero but for silent cells) go to the lowest index.
 */
export function granuleInput(w: Wiring, address: Uint8Array, key: Float64Array, count: Uint16Array, scratch?: Float64Array): void {
  if (address.length !== w.n) throw new RangeError(`address of ${address.length} bits for a wiring of n = ${w.n}`);
  const n = w.n;
  const active = scratch && scratch.length === 2 * n ? scratch : new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const b = address[i]! & 1;
    active[i] = b;
    active[n + i] = 1 - b;
  }
  const K = w.inputs;
  const fibres = w.fibres;
  // Branch-free: a = 0 or 1 multiplies (an unpredictable branch on the fibre's activity is three times slower).
  const uniform = w.weightSigma === 0;
  const coef = uniform ? w.z : w.weights;
  const invB = 1 / w.tieScale;
  for (let j = 0, q = 0; j < w.r; j++) {
    let c = 0;
    let h = 0;
    for (let k = 0; k < K; k++, q++) {
      const a = active[fibres[q]!]!;
      c += a;
      h += a * coef[q]!;
    }
    count[j] = c;
    key[j] = uniform ? c + h * invB : h;
  }
}
