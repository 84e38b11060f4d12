/**
 * Softmax attention and modern Hopfield networks as memories (Vaswani et al. 2017; Ramsauer et al. 2021, "Hopfield
 * Networks is All You Need"), over keys and values stored as rows of Float64Arrays. Used beside the SDM readers in
 * the SDM-versus-attention comparison (Bricken & Pehlevan 2021).
 *
 *   attention(q) = sum_p softmax_p(beta <q, k_p>) v_p,   keys and queries L2-normalised, so <q, k_p> = cos(q, k_p)
 *   modern Hopfield: xi <- K^T softmax(beta K xi), iterated (one step from q with V = K is attention)
 */

/** Bipolar (+1/-1) vector of 0/1 bits divided by sqrt(n): unit length. */
export function bipolarUnit(bits: Uint8Array): Float64Array {
  const s = 1 / Math.sqrt(bits.length);
  return Float64Array.from(bits, (b) => (b === 1 ? s : -s));
}

/** A matrix of m rows of width w, row-major. */
export interface Rows {
  readonly m: number;
  readonly w: number;
  readonly data: Float64Array;
}

export function rows(vectors: readonly Float64Array[]): Rows {
  const m = vectors.length;
  const w = vectors[0]?.length ?? 0;
  const data = new Float64Array(m * w);
  vectors.forEach((v, p) => data.set(v, p * w));
  return { m, w, data };
}

/** softmax(beta K q) over the m rows of K, computed stably (max subtracted). */
export function softmaxWeights(keys: Rows, q: Float64Array, beta: number, out = new Float64Array(keys.m)): Float64Array {
  const { m, w, data } = keys;
  let max = -Infinity;
  for (let p = 0; p < m; p++) {
    let dot = 0;
    const o = p * w;
    for (let i = 0; i < w; i++) dot += data[o + i]! * q[i]!;
    const s = beta * dot;
    out[p] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let p = 0; p < m; p++) {
    const e = Math.exp(out[p]! - max);
    out[p] = e;
    sum += e;
  }
  for (let p = 0; p < m; p++) out[p]! /= sum;
  return out;
}

/** Weighted sum of the rows of V. */
export function mix(values: Rows, weights: Float64Array): Float64Array {
  const out = new Float64Array(values.w);
  for (let p = 0; p < values.m; p++) {
    const a = weights[p]!;
    if (a === 0) continue;
    const o = p * values.w;
    for (let i = 0; i < values.w; i++) out[i]! += a * values.data[o + i]!;
  }
  return out;
}

/** Softmax attention read of `values` with `keys` for query q (all L2-normalised). */
export function attentionRead(keys: Rows, values: Rows, q: Float64Array, beta: number): { vector: Float64Array; weights: Float64Array } {
  const weights = softmaxWeights(keys, q, beta);
  return { vector: mix(values, weights), weights };
}

/**
 * Modern Hopfield retrieval: `steps` updates xi <- K^T softmax(beta K xi) from the query (autoassociative), then the
 * value read with the final weights (heteroassociative when V differs from K). Stops early at a fixed point.
 */
export function modernHopfieldRead(keys: Rows, values: Rows, q: Float64Array, beta: number, steps: number): { vector: Float64Array; steps: number } {
  let xi = q;
  let weights = softmaxWeights(keys, xi, beta);
  let s = 0;
  for (; s < steps - 1; s++) {
    const next = mix(keys, weights);
    let change = 0;
    for (let i = 0; i < next.length; i++) change = Math.max(change, Math.abs(next[i]! - xi[i]!));
    xi = next;
    weights = softmaxWeights(keys, xi, beta);
    if (change < 1e-12) break;
  }
  return { vector: mix(values, weights), steps: s + 1 };
}

/** Bits of a real vector by sign: > 0 is 1, otherwise 0 (the SDM tie rule 'zero'). */
export function signBits(v: Float64Array): Uint8Array {
  return Uint8Array.from(v, (x) => (x > 0 ? 1 : 0));
}

export function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}
