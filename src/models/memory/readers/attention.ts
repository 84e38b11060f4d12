/**
 * Softmax attention as a key/value memory read (Vaswani et al. 2017, "Attention is all you need"; as an approximation
 * of SDM: Bricken & Pehlevan 2021, "Attention approximates sparse distributed memory", NeurIPS):
 *
 *   a_p(q) = softmax_p(beta cos(q, k_p)) = exp(beta cos(q, k_p)) / sum_r exp(beta cos(q, k_r)),
 *   read(q) = sum_p a_p(q) v_p,
 *
 * over m stored keys k_p and values v_p (rows of two matrices; from a pattern set both are the unit-length bipolar
 * forms). The cosine is computed exactly, cos(q, k) = <q, k> / (|q| |k|), so the query need not be normalised; a zero
 * query (or a zero key) has cosine 0. The softmax subtracts the largest score before exponentiating, so any finite
 * beta works (beta -> infinity approaches the value of the nearest key, beta = 0 gives the mean of the values).
 * The read returns the continuous vector, its sign as bits (`signBits` tie rule, default y = [x > 0]) and the
 * weights a_p.
 *
 * Cost: O(m (n + w)) per query; a batch runs the same loops over the rows of a query matrix.
 */
import { InputError } from '../../../core/errors.ts';
import { bipolarUnitRows, DEFAULT_TIE, matrix, signBits, type Matrix, type PatternSet, type TieRule } from './patterns.ts';

/** Stored keys and values of an attention (or modern Hopfield) memory. */
export interface AttentionMemory {
  /** m x n keys, one per row. */
  readonly keys: Matrix;
  /** m x w values, one per row. */
  readonly values: Matrix;
  /** 1 / |k_p| per key (0 for a zero key), so that scores are exact cosines. */
  readonly keyInvNorms: Float64Array;
}

/** An attention memory over the given key and value rows (equal row counts, m >= 1). The matrices are not copied. */
export function attentionMemory(keys: Matrix, values: Matrix): AttentionMemory {
  if (keys.rows !== values.rows) throw new InputError('attentionMemory', `as many values as keys, got ${keys.rows} keys and ${values.rows} values`);
  if (keys.rows < 1) throw new InputError('attentionMemory keys', 'at least one stored pattern');
  const keyInvNorms = new Float64Array(keys.rows);
  const { cols: n, data } = keys;
  for (let p = 0; p < keys.rows; p++) {
    let s = 0;
    const o = p * n;
    for (let i = 0; i < n; i++) s += data[o + i]! * data[o + i]!;
    keyInvNorms[p] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return { keys, values, keyInvNorms };
}

/** The attention memory of a pattern set: keys and values in unit-length bipolar form (u = (2 b - 1) / sqrt(n)). */
export function attentionMemoryOf(set: PatternSet): AttentionMemory {
  return attentionMemory(bipolarUnitRows(set.keys, set.m, set.n), bipolarUnitRows(set.values, set.m, set.valueBits));
}

/**
 * Numerically stable softmax: out_p = exp(s_p - max s) / sum_r exp(s_r - max s). `out` may be `scores` itself.
 * Throws on an empty or non-finite input.
 */
export function softmax(scores: ArrayLike<number>, out: Float64Array = new Float64Array(scores.length)): Float64Array {
  const m = scores.length;
  if (m === 0) throw new InputError('softmax scores', 'at least one score');
  if (out.length !== m) throw new InputError('softmax out', `length ${m}, got ${out.length}`);
  let max = -Infinity;
  for (let p = 0; p < m; p++) {
    const s = scores[p]!;
    if (!Number.isFinite(s)) throw new InputError(`softmax scores[${p}]`, `a finite number, got ${s}`);
    if (s > max) max = s;
  }
  let sum = 0;
  for (let p = 0; p < m; p++) {
    const e = Math.exp(scores[p]! - max);
    out[p] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let p = 0; p < m; p++) out[p]! *= inv;
  return out;
}

function checkBeta(beta: number, where: string): void {
  if (!Number.isFinite(beta)) throw new InputError(where, `a finite inverse temperature, got ${beta}`);
}

/** Attention weights a_p(q) for one query (offset `qo` in `q`), written into `out`. Assumes checked sizes. */
function weightsInto(mem: AttentionMemory, q: Float64Array, qo: number, beta: number, out: Float64Array, oo: number): void {
  const { rows: m, cols: n, data: K } = mem.keys;
  const inv = mem.keyInvNorms;
  let qq = 0;
  for (let i = 0; i < n; i++) qq += q[qo + i]! * q[qo + i]!;
  const qInv = qq > 0 ? 1 / Math.sqrt(qq) : 0;
  let max = -Infinity;
  for (let p = 0; p < m; p++) {
    const ko = p * n;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += K[ko + i]! * q[qo + i]!;
    const s = beta * (dot * qInv * inv[p]!);
    out[oo + p] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let p = 0; p < m; p++) {
    const e = Math.exp(out[oo + p]! - max);
    out[oo + p] = e;
    sum += e;
  }
  const z = 1 / sum;
  for (let p = 0; p < m; p++) out[oo + p]! *= z;
}

/** out[oo..oo+w) = sum_p a_p v_p (skipping zero weights). */
function mixInto(values: Matrix, a: Float64Array, ao: number, out: Float64Array, oo: number): void {
  const { rows: m, cols: w, data: V } = values;
  out.fill(0, oo, oo + w);
  for (let p = 0; p < m; p++) {
    const ap = a[ao + p]!;
    if (ap === 0) continue;
    const vo = p * w;
    for (let j = 0; j < w; j++) out[oo + j]! += ap * V[vo + j]!;
  }
}

/** One attention read. */
export interface AttentionRead {
  /** read(q) = sum_p a_p v_p, length w. */
  readonly vector: Float64Array;
  /** sign of `vector` as bits (tie rule as given). */
  readonly bits: Uint8Array;
  /** a_p(q), length m, summing to 1. */
  readonly weights: Float64Array;
}

/**
 * Attention weights a_p(q) = softmax_p(beta cos(q, k_p)) for one query of length n (file comment).
 */
export function attentionWeights(mem: AttentionMemory, query: Float64Array, beta: number, out: Float64Array = new Float64Array(mem.keys.rows)): Float64Array {
  checkBeta(beta, 'attentionWeights beta');
  if (query.length !== mem.keys.cols) throw new InputError('attentionWeights query', `length n = ${mem.keys.cols}, got ${query.length}`);
  if (out.length !== mem.keys.rows) throw new InputError('attentionWeights out', `length m = ${mem.keys.rows}, got ${out.length}`);
  weightsInto(mem, query, 0, beta, out, 0);
  return out;
}

/**
 * read(q) = sum_p softmax_p(beta cos(q, k_p)) v_p for one query of length n (file comment). `tie` is the rule for a
 * component of exactly 0 in the sign ('keep' needs `cue`, the query's expected value bits, e.g. the query itself
 * in an autoassociative memory).
 */
export function attentionRead(mem: AttentionMemory, query: Float64Array, beta: number, tie: TieRule = DEFAULT_TIE, cue?: Uint8Array): AttentionRead {
  const weights = attentionWeights(mem, query, beta);
  const vector = new Float64Array(mem.values.cols);
  mixInto(mem.values, weights, 0, vector, 0);
  return { vector, bits: signBits(vector, tie, cue), weights };
}

/** Reads of a batch of queries. */
export interface AttentionBatchRead {
  /** Q x w, row q = read(query q). */
  readonly vectors: Matrix;
  /** Q x w bits, the sign of `vectors` (tie rule as given). */
  readonly bits: Uint8Array;
  /** Q x m attention weights when asked for (`keepWeights`), else null. */
  readonly weights: Matrix | null;
}

export interface AttentionBatchOptions {
  /** Tie rule of the sign (default 'zero'). */
  readonly tie?: TieRule;
  /** Q x w cue bits for the 'keep' tie rule. */
  readonly cues?: Uint8Array;
  /** Return the Q x m weight matrix (default false; it costs 8 Q m bytes). */
  readonly keepWeights?: boolean;
}

/**
 * `attentionRead` for every row of a Q x n query matrix, with one weight buffer reused across queries (or a full
 * Q x m weight matrix when `keepWeights`). Row q of the result equals `attentionRead(mem, row q, beta)` exactly.
 */
export function attentionReadBatch(mem: AttentionMemory, queries: Matrix, beta: number, options: AttentionBatchOptions = {}): AttentionBatchRead {
  checkBeta(beta, 'attentionReadBatch beta');
  const { rows: m, cols: n } = mem.keys;
  const w = mem.values.cols;
  if (queries.cols !== n) throw new InputError('attentionReadBatch queries', `n = ${n} columns, got ${queries.cols}`);
  const Q = queries.rows;
  const tie = options.tie ?? DEFAULT_TIE;
  const cues = options.cues;
  if (tie === 'keep' && (cues === undefined || cues.length !== Q * w)) {
    throw new InputError('attentionReadBatch cues', `tie rule 'keep' needs Q x w = ${Q * w} cue bits${cues === undefined ? '' : `, got ${cues.length}`}`);
  }
  const keep = options.keepWeights === true;
  const weights = keep ? new Float64Array(Q * m) : new Float64Array(m);
  const vectors = new Float64Array(Q * w);
  const bits = new Uint8Array(Q * w);
  for (let q = 0; q < Q; q++) {
    const ao = keep ? q * m : 0;
    weightsInto(mem, queries.data, q * n, beta, weights, ao);
    mixInto(mem.values, weights, ao, vectors, q * w);
    signBits(
      vectors.subarray(q * w, (q + 1) * w),
      tie,
      cues === undefined ? undefined : cues.subarray(q * w, (q + 1) * w),
      bits.subarray(q * w, (q + 1) * w),
    );
  }
  return { vectors: matrix(Q, w, vectors), bits, weights: keep ? matrix(Q, m, weights) : null };
}
