/**
 * Modern (continuous) Hopfield network (Ramsauer et al. 2021, "Hopfield networks is all you need", ICLR). With the
 * m stored patterns x_p as the columns of X (here: the rows of a Matrix), the state xi in R^d is updated by
 *
 *   xi <- X softmax(beta X^T xi),                                                      (Ramsauer eq. 3)
 *
 * the concave-convex step on the energy
 *
 *   E(xi) = -lse(beta, X^T xi) + 1/2 xi^T xi + (1/beta) ln m + 1/2 M^2,   lse(beta, z) = (1/beta) ln sum_p exp(beta z_p),
 *
 * M = max_p |x_p|, so E never increases and the iteration converges to a stationary point (Ramsauer Theorems 1-2).
 * Scores are raw dot products beta <x_p, xi>, as in the paper. With unit-length patterns and a unit-length query the
 * first update is exactly the softmax-attention read with values = keys (attention.ts, where scores are cosines):
 * one step equals attention, and with separate values (`modernHopfieldRead`, the "Hopfield layer") one softmax is
 * the attention read of the query.
 *
 * Stopping: after `maxSteps` updates, or as soon as an update moves no component by more than `tol` (default 0:
 * only an exact fixed point stops early).
 *
 * Regime of the iteration (`modernHopfieldCapacity`). From a stored unit pattern x_t the softmax gives x_t the weight
 * a_t = 1 / (1 + sum_{p != t} exp(beta (cos_p - 1))). For m random +-1 patterns of n bits, cos_p = (1/n) sum_i s_i
 * with independent signs s_i, so E exp(beta cos_p) = cosh(beta / n)^n, and the expected sum of the other patterns'
 * terms equals the target's at
 *
 *   m_max(beta, n) = 1 + exp(beta) / cosh(beta / n)^n.
 *
 * Well below m_max the stored pattern takes most of the weight and stays (near) a fixed point: iterating retrieves it.
 * Well above it an update returns a mixture of many patterns of norm about sqrt(sum_p a_p^2) << 1, the next scores
 * are smaller still, and the iteration falls towards the fixed point that averages all patterns (Ramsauer et al.
 * 2021 name three kinds of fixed points: a global one averaging all patterns, metastable ones averaging subsets, and
 * ones near single patterns), whose sign reads nearly every query alike. One softmax read (maxSteps = 1) is the attention read and needs no fixed point. For n = 64:
 * m_max = 108 at beta 4.86, 1.1e6 at beta 15.85 (the Bricken & Pehlevan fits for radii 21 and 11).
 */
import { InputError } from '../../../core/errors.ts';
import type { AttentionMemory } from './attention.ts';
import { DEFAULT_TIE, signBits, type Matrix, type TieRule } from './patterns.ts';

export interface ModernHopfieldOptions {
  /** Largest number of updates (retrieve) or of softmax evaluations (read), >= 1. */
  readonly maxSteps: number;
  /** Stop when max_i |xi_new_i - xi_i| <= tol (default 0). */
  readonly tol?: number;
}

export interface ModernHopfieldResult {
  /** Final state xi (length d). */
  readonly state: Float64Array;
  /** softmax(beta X^T xi) of the state before the last update (length m). */
  readonly weights: Float64Array;
  /** Updates run. */
  readonly steps: number;
  /** The last update moved no component by more than tol. */
  readonly converged: boolean;
  /** max_i |xi_new_i - xi_i| of the last update. */
  readonly change: number;
}

function checkOptions(options: ModernHopfieldOptions, where: string): number {
  const { maxSteps } = options;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new InputError(`${where} maxSteps`, `a positive integer, got ${maxSteps}`);
  const tol = options.tol ?? 0;
  if (!(tol >= 0)) throw new InputError(`${where} tol`, `a non-negative number, got ${tol}`);
  return tol;
}

/** a = softmax(beta X xi) over the rows of X (raw dot products, max subtracted), written into `a`. */
export function modernHopfieldWeights(patterns: Matrix, xi: Float64Array, beta: number, a: Float64Array = new Float64Array(patterns.rows)): Float64Array {
  const { rows: m, cols: d, data: X } = patterns;
  if (!Number.isFinite(beta)) throw new InputError('modernHopfield beta', `a finite inverse temperature, got ${beta}`);
  if (m < 1) throw new InputError('modernHopfield patterns', 'at least one stored pattern');
  if (xi.length !== d) throw new InputError('modernHopfield state', `length d = ${d}, got ${xi.length}`);
  if (a.length !== m) throw new InputError('modernHopfield weights', `length m = ${m}, got ${a.length}`);
  let max = -Infinity;
  for (let p = 0; p < m; p++) {
    const o = p * d;
    let dot = 0;
    for (let i = 0; i < d; i++) dot += X[o + i]! * xi[i]!;
    const s = beta * dot;
    a[p] = s;
    if (s > max) max = s;
  }
  if (!Number.isFinite(max)) throw new InputError('modernHopfield scores', `finite, got a maximum of ${max}`);
  let sum = 0;
  for (let p = 0; p < m; p++) {
    const e = Math.exp(a[p]! - max);
    a[p] = e;
    sum += e;
  }
  const z = 1 / sum;
  for (let p = 0; p < m; p++) a[p]! *= z;
  return a;
}

/** out = X^T a = sum_p a_p x_p. */
function combine(patterns: Matrix, a: Float64Array, out: Float64Array): Float64Array {
  const { rows: m, cols: d, data: X } = patterns;
  out.fill(0);
  for (let p = 0; p < m; p++) {
    const ap = a[p]!;
    if (ap === 0) continue;
    const o = p * d;
    for (let i = 0; i < d; i++) out[i]! += ap * X[o + i]!;
  }
  return out;
}

/**
 * Autoassociative retrieval: iterates xi <- X softmax(beta X^T xi) from `query` (not modified) for up to `maxSteps`
 * updates (file comment).
 */
export function modernHopfieldRetrieve(patterns: Matrix, query: Float64Array, beta: number, options: ModernHopfieldOptions): ModernHopfieldResult {
  const tol = checkOptions(options, 'modernHopfieldRetrieve');
  let xi = query.slice();
  let next = new Float64Array(patterns.cols);
  const weights = new Float64Array(patterns.rows);
  let change = 0;
  for (let t = 1; t <= options.maxSteps; t++) {
    modernHopfieldWeights(patterns, xi, beta, weights);
    combine(patterns, weights, next);
    change = 0;
    for (let i = 0; i < next.length; i++) change = Math.max(change, Math.abs(next[i]! - xi[i]!));
    [xi, next] = [next, xi];
    if (change <= tol) return { state: xi, weights, steps: t, converged: true, change };
  }
  return { state: xi, weights, steps: options.maxSteps, converged: false, change };
}

/** A heteroassociative modern Hopfield read. */
export interface ModernHopfieldRead {
  /** V^T softmax(beta K xi) for the final state xi (length w). */
  readonly vector: Float64Array;
  /** sign of `vector` as bits (tie rule as given). */
  readonly bits: Uint8Array;
  /** softmax(beta K xi) of the final state (length m). */
  readonly weights: Float64Array;
  /** State updates on the keys before the value read (0 when maxSteps = 1). */
  readonly updates: number;
  /** The key iteration reached its stopping tolerance (true when maxSteps = 1: no iteration was asked for). */
  readonly converged: boolean;
}

/**
 * Heteroassociative read (Ramsauer et al.'s Hopfield layer with values): the state starts at the query and is updated
 * on the keys, xi <- K^T softmax(beta K xi), for at most maxSteps - 1 updates (stopping early within `tol`); then the
 * values are read with the final weights, out = V^T softmax(beta K xi). maxSteps counts softmax evaluations, so
 * maxSteps = 1 is the attention read of the query (for unit-length keys and query).
 */
export function modernHopfieldRead(
  mem: AttentionMemory,
  query: Float64Array,
  beta: number,
  options: ModernHopfieldOptions,
  tie: TieRule = DEFAULT_TIE,
  cue?: Uint8Array,
): ModernHopfieldRead {
  const tol = checkOptions(options, 'modernHopfieldRead');
  let xi = query;
  let updates = 0;
  let converged = true;
  if (options.maxSteps > 1) {
    const r = modernHopfieldRetrieve(mem.keys, query, beta, { maxSteps: options.maxSteps - 1, tol });
    xi = r.state;
    updates = r.steps;
    converged = r.converged;
  }
  const weights = modernHopfieldWeights(mem.keys, xi, beta);
  const vector = combine(mem.values, weights, new Float64Array(mem.values.cols));
  return { vector, bits: signBits(vector, tie, cue), weights, updates, converged };
}

/**
 * Energy E(xi) = -lse(beta, X^T xi) + 1/2 xi^T xi + (1/beta) ln m + 1/2 M^2 (file comment; beta > 0), computed with
 * the largest score subtracted inside the logarithm.
 */
export function modernHopfieldEnergy(patterns: Matrix, xi: Float64Array, beta: number): number {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new InputError('modernHopfieldEnergy beta', `a finite positive number, got ${beta}`);
  const { rows: m, cols: d, data: X } = patterns;
  if (xi.length !== d) throw new InputError('modernHopfieldEnergy state', `length d = ${d}, got ${xi.length}`);
  const z = new Float64Array(m);
  let max = -Infinity;
  let M2 = 0;
  for (let p = 0; p < m; p++) {
    let dot = 0;
    let nn = 0;
    for (let i = 0; i < d; i++) {
      const x = X[p * d + i]!;
      dot += x * xi[i]!;
      nn += x * x;
    }
    z[p] = beta * dot;
    if (z[p]! > max) max = z[p]!;
    if (nn > M2) M2 = nn;
  }
  let sum = 0;
  for (let p = 0; p < m; p++) sum += Math.exp(z[p]! - max);
  const lse = (max + Math.log(sum)) / beta;
  let xx = 0;
  for (let i = 0; i < d; i++) xx += xi[i]! * xi[i]!;
  return -lse + 0.5 * xx + Math.log(m) / beta + 0.5 * M2;
}

/**
 * m_max(beta, n) = 1 + exp(beta) / cosh(beta / n)^n: the number of random +-1 patterns of n bits (unit length) up to
 * which a stored pattern keeps, in expectation, at least half of the softmax weight at an exact cue, the regime in
 * which iterated updates retrieve it (file comment). Computed in logs; 2 at beta = 0, rising to 2^n + 1 (every
 * distinct pattern) as beta -> infinity.
 */
export function modernHopfieldCapacity(beta: number, n: number): number {
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new InputError('modernHopfieldCapacity beta', `a finite number >= 0, got ${beta}`);
  if (!Number.isInteger(n) || n < 1) throw new InputError('modernHopfieldCapacity n', `a positive integer, got ${n}`);
  const x = beta / n;
  // ln cosh x = x + ln(1 + e^{-2x}) - ln 2, stable for every x >= 0
  const lnCosh = x + Math.log1p(Math.exp(-2 * x)) - Math.LN2;
  return 1 + Math.exp(beta - n * lnCosh);
}
