/**
 * Hamming balls and circle intersections in {0,1}^n (Kanerva 1988, Sparse Distributed Memory, app. B;
 * Bricken & Pehlevan 2021, Attention Approximates Sparse Distributed Memory, app. B).
 *
 * Conventions: radii are inclusive (a point at distance exactly d is inside), distances are in bits, counts are
 * exact BigInt, logs are natural.
 *
 * The intersection I(n, d, dv) counts the points y of {0,1}^n with h(y, c1) <= d and h(y, c2) <= d for two centres
 * c1, c2 with h(c1, c2) = dv. Split the n bits into the dv where the centres differ and the n - dv where they agree.
 * If y flips a of the differing bits (agreeing there with c2) and b of the agreeing bits, then h(y, c1) = a + b and
 * h(y, c2) = dv - a + b, so
 *
 *   I(n, d, dv) = Σ_{a=0}^{dv} C(dv, a) S_{n-dv}(d - max(a, dv - a)),    S_k(j) = Σ_{b=0}^{j} C(k, b)  (0 if j < 0)
 *
 * The terms for a and dv - a are equal, so each pair is counted once and doubled.
 */
import { binomialRow, bigintLn, bigRatio, prefixSums } from './bigint.ts';
import { requireDimension, requireDistance, requireRadius } from './input.ts';
import { lnGamma, logAddExp } from './special.ts';
import { InputError } from '../../core/errors.ts';

const LN2 = Math.LN2;

/**
 * Visits the distinct terms of the sum over a (bits of the dv differing ones that y flips), largest first: calls
 * visit(a, j, multiplicity) with j = d - max(a, dv - a) >= 0, multiplicity 1 for the middle term a = dv / 2 and 2
 * for a < dv - a (the mirror term a' = dv - a is equal). For a <= dv/2 both C(dv, a) and S(j) grow with a, so the
 * terms come in non-increasing order; visit returns false to stop early.
 */
function forEachSplit(dv: number, d: number, visit: (a: number, j: number, multiplicity: 1 | 2) => boolean): void {
  const half = dv >> 1;
  if ((dv & 1) === 0 && half <= d && !visit(half, d - half, 1)) return;
  for (let a = dv - half - 1; a >= Math.max(0, dv - d); a--) if (!visit(a, d - dv + a, 2)) return;
}

/** The intersection sum for one dv from row dv of Pascal's triangle and the prefix sums S_{n-dv}(0..d). */
function exactIntersection(rowDv: readonly bigint[], prefixRest: readonly bigint[], dv: number, d: number): bigint {
  let doubled = 0n;
  let single = 0n;
  forEachSplit(dv, d, (a, j, multiplicity) => {
    const term = rowDv[a]! * prefixRest[j]!;
    if (multiplicity === 2) doubled += term;
    else single += term;
    return true;
  });
  return 2n * doubled + single;
}

/**
 * Exact circle intersection I(n, d, dv): the number of points of {0,1}^n within Hamming distance <= d of both of
 * two centres dv bits apart (formula in the module header). Zero when dv > 2d; I(n, d, 0) = V(n, d).
 * Cost O(n) BigInt operations.
 *
 * @param n address length (bits), integer >= 1
 * @param d Hamming radius (bits, inclusive), integer in [0, n]
 * @param dv distance between the centres (bits), integer in [0, n]
 */
export function circleIntersection(n: number, d: number, dv: number): bigint {
  requireDimension(n);
  requireRadius(n, d);
  requireDistance(n, dv);
  if (dv > 2 * d) return 0n;
  return exactIntersection(binomialRow(dv), prefixSums(binomialRow(n - dv, d)), dv, d);
}

/**
 * Exact I(n, d, dv) for every dv = 0..n (index = dv). Walks dv upwards keeping row dv of Pascal's triangle
 * (C(dv, a) = C(dv-1, a) + C(dv-1, a-1)) and the prefix sums of row n - dv, which obey the same recurrence
 * downwards (S_k(j) = S_{k+1}(j) - S_k(j-1)), so each dv costs O(n) BigInt additions plus O(d) products.
 * I(1000, 451, ·) takes tens of milliseconds (bench/sdm-theory.ts).
 */
export function intersectionTable(n: number, d: number): bigint[] {
  requireDimension(n);
  requireRadius(n, d);
  const table: bigint[] = new Array<bigint>(n + 1).fill(0n);
  const rowDv: bigint[] = [1n];
  const prefixRest = prefixSums(binomialRow(n, d));
  const last = Math.min(n, 2 * d);
  for (let dv = 0; dv <= last; dv++) {
    if (dv > 0) {
      rowDv.push(1n);
      for (let a = dv - 1; a >= 1; a--) rowDv[a] = rowDv[a]! + rowDv[a - 1]!;
      for (let j = 1; j <= d; j++) prefixRest[j] = prefixRest[j]! - prefixRest[j - 1]!;
    }
    table[dv] = exactIntersection(rowDv, prefixRest, dv, d);
  }
  return table;
}

/** Hamming ball volume V(n, d) = Σ_{k=0}^{d} C(n, k): points within distance <= d of a centre (exact). */
export function ballVolume(n: number, d: number): bigint {
  requireDimension(n);
  requireRadius(n, d);
  return prefixSums(binomialRow(n, d))[d]!;
}

/**
 * Fraction of {0,1}^n within radius d of a point, p = V(n, d) / 2^n, as the nearest double (exact BigInt ratio,
 * no overflow at n = 1000 or beyond). Kanerva's example: p(1000, 451) = 0.00107185.
 */
export function ballFraction(n: number, d: number): number {
  return bigRatio(ballVolume(n, d), 1n << BigInt(n));
}

/** ln C(k, j) as a function, either from a log-factorial table or from lnGamma directly. */
type LnChoose = (k: number, j: number) => number;

function lnChooseFromTable(lnFactorial: Float64Array): LnChoose {
  return (k, j) => (j < 0 || j > k ? -Infinity : lnFactorial[k]! - lnFactorial[j]! - lnFactorial[k - j]!);
}

const lnChooseDirect: LnChoose = (k, j) =>
  j < 0 || j > k ? -Infinity : lnGamma(k + 1) - lnGamma(j + 1) - lnGamma(k - j + 1);

/** ln k! for k = 0..n via lnGamma (a table to pass to {@link logIntersectionsAt}). */
export function lnFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = lnGamma(k + 1);
  return out;
}

/** ln S_k(j) = ln Σ_{b<=j} C(k, b) for j = 0..jMax, by cumulative log-add-exp. */
function logPrefixSums(lnChoose: LnChoose, k: number, jMax: number): Float64Array {
  const out = new Float64Array(jMax + 1);
  let acc = -Infinity;
  for (let j = 0; j <= jMax; j++) {
    acc = logAddExp(acc, lnChoose(k, j));
    out[j] = acc;
  }
  return out;
}

/** Terms this far (in nats) below the running sum are dropped: the rest add less than 1e-19 relative. */
const LOG_NEGLIGIBLE = 50;

/**
 * ln I for one dv from ln C and the log prefix sums of row n - dv (the log-space twin of exactIntersection).
 * Terms arrive largest first, so the sum stops once they fall LOG_NEGLIGIBLE below it: O(√dv) terms, not O(dv).
 */
function logIntersection(lnChoose: LnChoose, logPrefixRest: Float64Array, dv: number, d: number): number {
  let acc = -Infinity;
  forEachSplit(dv, d, (a, j, multiplicity) => {
    const term = lnChoose(dv, a) + logPrefixRest[j]! + (multiplicity === 2 ? LN2 : 0);
    if (term < acc - LOG_NEGLIGIBLE) return false;
    acc = logAddExp(acc, term);
    return true;
  });
  return acc;
}

/**
 * ln I(n, d, dv) in doubles (-Infinity when the intersection is empty), the same sum as
 * {@link circleIntersection} with every binomial taken as exp(lnΓ(k+1) - lnΓ(j+1) - lnΓ(k-j+1)) and summed by
 * log-sum-exp. Relative error of I about 1e-12 at n = 4096; no size limit on n. Cost O(n) lnGamma calls.
 */
export function logCircleIntersection(n: number, d: number, dv: number): number {
  requireDimension(n);
  requireRadius(n, d);
  requireDistance(n, dv);
  if (dv > 2 * d) return -Infinity;
  return logIntersection(lnChooseDirect, logPrefixSums(lnChooseDirect, n - dv, d), dv, d);
}

/**
 * ln I(n, d, dv) for every dv = 0..n (index = dv; -Infinity where empty). O(n d) log-add-exps; meant for n too
 * large for BigInt tables (I(n, d, ·) for n = 10^4 in about a second).
 */
export function logIntersectionTable(n: number, d: number): Float64Array {
  requireDimension(n);
  requireRadius(n, d);
  const lnChoose = lnChooseFromTable(lnFactorials(n));
  const table = new Float64Array(n + 1).fill(-Infinity);
  const last = Math.min(n, 2 * d);
  for (let dv = 0; dv <= last; dv++) table[dv] = logIntersection(lnChoose, logPrefixSums(lnChoose, n - dv, d), dv, d);
  return table;
}

/**
 * ln I(n, d, dv) at one distance dv for several radii d (result index = position in `radii`), sharing the prefix
 * sums of row n - dv between them. `lnFactorial` is {@link lnFactorials}(n) or longer. Arguments are not
 * re-validated: this is the inner loop of the critical-distance search.
 */
export function logIntersectionsAt(
  n: number,
  dv: number,
  radii: ArrayLike<number>,
  lnFactorial: Float64Array,
): Float64Array {
  const lnChoose = lnChooseFromTable(lnFactorial);
  let dMax = 0;
  for (let i = 0; i < radii.length; i++) dMax = Math.max(dMax, radii[i]!);
  const logPrefixRest = logPrefixSums(lnChoose, n - dv, dMax);
  const out = new Float64Array(radii.length);
  for (let i = 0; i < radii.length; i++) {
    const d = radii[i]!;
    out[i] = dv > 2 * d ? -Infinity : logIntersection(lnChoose, logPrefixRest, dv, d);
  }
  return out;
}

/**
 * ln(V(n, d) / 2^n) for every radius d = 0..n (index = d): the log of the probability that a random address lies
 * within d of a given one, i.e. the activation probability p of a neuron with radius d.
 */
export function logBallFractions(n: number): Float64Array {
  requireDimension(n);
  const out = logPrefixSums(lnChooseFromTable(lnFactorials(n)), n, n);
  const lnSpace = n * LN2;
  for (let d = 0; d <= n; d++) out[d] = out[d]! - lnSpace;
  return out;
}

/**
 * Neurons (hard locations) r: a positive integer as a number or BigInt, or 'all' for r = 2^n (one neuron at
 * every address, the setting Bricken & Pehlevan use to compare with attention).
 */
export type NeuronCountInput = number | bigint | 'all';

/** A validated neuron count: exact value, its natural log, and a printable label ('all' or decimal). */
export interface NeuronCount {
  readonly count: bigint;
  readonly ln: number;
  readonly label: string;
}

/** Validates r against n (throws InputError('--r', ...)) and returns the exact count with its log. */
export function neuronCount(n: number, r: NeuronCountInput): NeuronCount {
  requireDimension(n);
  if (r === 'all') return { count: 1n << BigInt(n), ln: n * LN2, label: 'all' };
  const valid = typeof r === 'bigint' ? r >= 1n : typeof r === 'number' && Number.isInteger(r) && r >= 1;
  if (!valid) throw new InputError('--r', `must be a positive integer (number or BigInt) or 'all', got ${String(r)}`);
  const count = BigInt(r);
  return { count, ln: bigintLn(count), label: count.toString() };
}

/**
 * Expected number of neurons in the intersection, r I(n, d, dv) / 2^n, as a double: r neurons at random addresses
 * each fall in the intersection with probability I / 2^n. Exact BigInt product, then one rounded division.
 * For r = 'all' this is I itself (Infinity once I exceeds 1.8e308, i.e. n above about 1024).
 */
export function expectedNeurons(n: number, d: number, dv: number, r: NeuronCountInput): number {
  const { count } = neuronCount(n, r);
  return bigRatio(count * circleIntersection(n, d, dv), 1n << BigInt(n));
}

/** {@link expectedNeurons} for every dv = 0..n (index = dv), from one exact {@link intersectionTable}. */
export function expectedNeuronsTable(n: number, d: number, r: NeuronCountInput): number[] {
  const { count } = neuronCount(n, r);
  const space = 1n << BigInt(n);
  return intersectionTable(n, d).map((i) => bigRatio(count * i, space));
}
