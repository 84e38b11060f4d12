/**
 * Optimal Hamming radii of SDM (Kanerva 1988; Kanerva 1993, "Sparse distributed memory and related models";
 * Bricken & Pehlevan 2021, §1 and app. B.5), for n address bits, r neurons and m stored random patterns.
 *
 * All three criteria use Kanerva's signal-to-noise model of one read bit. A neuron with radius d is active for an
 * address with probability p = V(n, d) / 2^n; for a query at distance x from a stored pattern, the neurons active
 * for both lie in the intersection, with probability p1(x) = I(n, d, x) / 2^n. Summing the counters of the active
 * neurons gives, for each bit, the target pattern's contribution with mean r p1(x) and (Poisson) variance r p1(x),
 * plus crosstalk from the other (about m) random patterns, each adding ±C where C counts the neurons active for
 * both addresses: E[C²] = r p² (1 + r p²) for neurons at random addresses. So
 *
 *   ρ(x) = r p1(x) / sqrt( r p1(x) + m r p² (1 + r p²) ),      ρ(0)² = r p / (1 + m p (1 + p² r)),
 *
 * and a bit is read wrong with probability Q(ρ) = P(Z > ρ). The same model (with r = 2^n plugged in) is what the
 * published optima use; for r = 2^n it is an approximation, since neurons then sit at every address, not at
 * random ones.
 *
 * Everything is computed in logs (ln r up to n ln 2), so r = 2^4096 is fine.
 */
import { fitBeta } from './beta-fit.ts';
import { InputError } from '../../core/errors.ts';
import { requireDimension, requirePatternCount, requireRadius } from './input.ts';
import {
  lnFactorials,
  logBallFractions,
  logIntersectionsAt,
  neuronCount,
  type NeuronCountInput,
} from './intersection.ts';
import { logAddExp, normalQuantile, normalSf } from './special.ts';

const LN2 = Math.LN2;

/**
 * Whole-pattern retrieval probability the memory-capacity optimum is computed for. The published notebook
 * (Optimal_d.ipynb) sets 0.5 (its comment says 99%); 0.99 gives the same radius, d = 5, in the attention setting.
 */
export const DEFAULT_RETRIEVAL_PROBABILITY = 0.5;

/** ln ρ(0)² = ln[ r p / (1 + m p (1 + p² r)) ]: the SNR of a noise-free read (Kanerva 1993). */
export function logSignalToNoiseSquared(lnP: number, lnR: number, m: number): number {
  return lnR + lnP - logAddExp(0, Math.log(m) + lnP + logAddExp(0, lnR + 2 * lnP));
}

/**
 * SNR-optimal activation probability. d ρ(0)²/dp = 0 gives 1 - 2 m r p³ = 0, so
 *
 *   p* = (2 m r)^(-1/3)        (Kanerva 1993; Bricken & Pehlevan 2021, app. B.5)
 *
 * Returns ln p* = -ln(2 m r) / 3.
 */
export function logSnrOptimalProbability(lnR: number, m: number): number {
  return -(LN2 + Math.log(m) + lnR) / 3;
}

/**
 * The z-score each bit needs so that all n bits of a pattern are read correctly with probability P, treating
 * bits as independent: Φ(z)^n = P, z = Φ^-1(P^(1/n)). Must be positive (P^(1/n) > ½).
 */
export function retrievalZScore(n: number, retrievalProbability: number): number {
  requireDimension(n);
  const perBit = retrievalProbability ** (1 / n);
  if (!(retrievalProbability > 0 && retrievalProbability < 1) || !(perBit > 0.5 && perBit < 1)) {
    const expected = `must be in (2^-n, 1) = (${2 ** -n}, 1), got ${retrievalProbability}`;
    throw new InputError('--retrieval-probability', expected);
  }
  return normalQuantile(perBit);
}

/**
 * ln of the memory capacity at activation probability p: the most patterns whose noise-free read still has
 * ρ(0) >= z. Solving ρ(0)² = z² for m,
 *
 *   m_max(p) = (r p / z² - 1) / (p (1 + p² r))
 *
 * (-Infinity when r p <= z², i.e. not even one pattern can be read).
 */
export function logMemoryCapacity(lnP: number, lnR: number, z: number): number {
  const u = lnR + lnP - 2 * Math.log(z);
  if (u <= 0) return -Infinity;
  return u + Math.log1p(-Math.exp(-u)) - lnP - logAddExp(0, lnR + 2 * lnP);
}

/**
 * Memory-capacity-optimal activation probability: d m_max / dp = 0 gives
 *
 *   2 r² p³ - 3 r z² p² - z² = 0,   or with q = r p (active neurons):  q² (2q - 3z²) = z² r,
 *
 * which has one positive root (one sign change), above q = 1.5 z². Solved for ln q by bisection, without forming
 * r. Returns ln p = ln q - ln r. For n = 64, r = 2^64, P = 0.5 (z = 2.2983) this is p = 1.98e-13.
 */
export function logMemoryOptimalProbability(lnR: number, z: number): number {
  const lnZ2 = 2 * Math.log(z);
  const excess = (u: number): number => 3 * u + LN2 + Math.log1p(-1.5 * Math.exp(lnZ2 - u)) - lnZ2 - lnR;
  let lo = Math.log(1.5) + lnZ2;
  let hi = logAddExp(Math.log(3) + lnZ2, (lnZ2 + lnR) / 3);
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(hi)); i++) {
    const mid = 0.5 * (lo + hi);
    if (excess(mid) < 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi) - lnR;
}

/**
 * The radius whose ball fraction V(n, d) / 2^n is nearest to a target probability p on a log scale: the d
 * minimising |ln(V(n, d) / 2^n) - ln p|, i.e. the fraction within the smallest factor of p (ties to the smaller d).
 * Ball fractions grow by orders of magnitude per bit, so a linear distance would always favour the smaller
 * radius. For the attention setting this picks d = 11 for p* = 2^-25 = 2.98e-8 (fractions 9.98e-9 at d = 10,
 * 5.03e-8 at d = 11), which is also the smallest d whose fraction reaches p* (scipy's binom.ppf, used by the
 * published code).
 *
 * @param logFractions ln(V(n, d) / 2^n) for d = 0..n ({@link logBallFractions})
 */
export function nearestRadius(logFractions: ArrayLike<number>, lnP: number): number {
  let best = 0;
  for (let d = 1; d < logFractions.length; d++) {
    if (Math.abs(logFractions[d]! - lnP) < Math.abs(logFractions[best]! - lnP)) best = d;
  }
  return best;
}

/**
 * Kanerva's prediction of the bit accuracy of one read (Kanerva 1988 ch. 7; the model in the module header): with m
 * random patterns stored in r neurons of radius d over n bits, a cue x bits from its pattern reads each bit right
 * with probability Φ(ρ(x)), ρ(x) = r p1(x) / sqrt(r p1(x) + (m - 1) r p² (1 + r p²)), p1(x) = I(n, d, x) / 2^n,
 * p = V(n, d) / 2^n (the m - 1 other patterns make the crosstalk). It treats the counters' sum as Gaussian and
 * ignores ties, so it is an approximation to compare simulations with, not an exact value.
 */
export function predictedBitAccuracy(n: number, d: number, r: NeuronCountInput, m: number, x: number): number {
  requireRadius(requireDimension(n), d);
  requirePatternCount(m);
  const lnR = neuronCount(n, r).ln;
  const lnP = logBallFractions(n)[d]!;
  const lnI = logIntersectionsAt(n, x, [d], lnFactorials(n))[0]!;
  if (lnI === -Infinity) return 0.5;
  const lnSignal = lnR + lnI - n * LN2;
  if (m <= 1) return normalSf(-Math.exp(0.5 * lnSignal));
  const lnCrosstalk = Math.log(m - 1) + lnR + 2 * lnP + logAddExp(0, lnR + 2 * lnP);
  return normalSf(-Math.exp(lnSignal - 0.5 * logAddExp(lnSignal, lnCrosstalk)));
}

/** The basin of one radius under iterated reading. */
export interface CriticalDistance {
  /** Radius d (bits). */
  readonly d: number;
  /** Largest query distance x (bits, <= n/2) such that every start y = 1..x reads to a closer word: x'(y) < y. */
  readonly bits: number;
  /** x'(bits) = n Q(ρ(bits)): the expected distance after one read from the edge of the basin. */
  readonly nextDistance: number;
  /** bits - nextDistance: how strongly the edge of the basin still pulls towards the pattern. */
  readonly margin: number;
}

interface SnrModel {
  readonly n: number;
  readonly rLabel: string;
  readonly lnR: number;
  readonly m: number;
  readonly logFractions: Float64Array;
  readonly lnFactorial: Float64Array;
}

function snrModel(n: number, r: NeuronCountInput, m: number): SnrModel {
  requireDimension(n);
  requirePatternCount(m);
  const neurons = neuronCount(n, r);
  return {
    n,
    rLabel: neurons.label,
    lnR: neurons.ln,
    m,
    logFractions: logBallFractions(n),
    lnFactorial: lnFactorials(n),
  };
}

/** Expected distance after one read, x' = n Q(ρ(x)), from ln I(n, d, x) (model in the module header). */
function nextDistance(model: SnrModel, lnP: number, lnI: number): number {
  if (lnI === -Infinity) return model.n / 2;
  const lnSignal = model.lnR + lnI - model.n * LN2;
  const lnCrosstalk = Math.log(model.m) + model.lnR + 2 * lnP + logAddExp(0, model.lnR + 2 * lnP);
  const rho = Math.exp(lnSignal - 0.5 * logAddExp(lnSignal, lnCrosstalk));
  return model.n * normalSf(rho);
}

/**
 * Critical distances of several radii at once: scans x = 1, 2, ... n/2 keeping only the radii whose basin still
 * holds, so each x costs one row of log prefix sums plus O(√x) per live radius ({@link logIntersectionsAt}).
 */
function criticalDistances(model: SnrModel, radii: readonly number[]): CriticalDistance[] {
  const { n } = model;
  const result = radii.map((d) => {
    const next = nextDistance(model, model.logFractions[d]!, model.logFractions[d]! + n * LN2);
    return { d, bits: 0, nextDistance: next, margin: -next };
  });
  let alive = result.map((_, i) => i);
  for (let x = 1; x <= Math.floor(n / 2) && alive.length > 0; x++) {
    const radiiAlive = alive.map((i) => result[i]!.d);
    const lnI = logIntersectionsAt(n, x, radiiAlive, model.lnFactorial);
    alive = alive.filter((i, k) => {
      const entry = result[i]!;
      const next = nextDistance(model, model.logFractions[entry.d]!, lnI[k]!);
      if (!(next < x)) return false;
      result[i] = { d: entry.d, bits: x, nextDistance: next, margin: x - next };
      return true;
    });
  }
  return result;
}

/**
 * Critical distance of radius d (Kanerva 1988): the largest query noise x (bits) from which iterated
 * reading still moves towards the stored pattern, every start y <= x giving an expected next distance
 * x'(y) = n Q(ρ(y)) < y, with ρ from the model in the module header.
 */
export function criticalDistance(n: number, d: number, r: NeuronCountInput, m: number): CriticalDistance {
  requireRadius(requireDimension(n), d);
  return criticalDistances(snrModel(n, r, m), [d])[0]!;
}

/** One optimal radius with the activation probability it gives and the β it implies. */
export interface OptimalRadius {
  readonly d: number;
  /** V(n, d) / 2^n. */
  readonly activationProbability: number;
  /** Published-convention β of {@link fitBeta} (null when d < 2: nothing to fit). */
  readonly beta: number | null;
  /** Least-squares β of {@link fitBeta} (null when d < 2). */
  readonly betaLeastSquares: number | null;
}

/** The three optimal radii of {@link optimalRadii}. */
export interface OptimalRadii {
  readonly n: number;
  readonly r: string;
  readonly m: number;
  readonly snr: OptimalRadius & { readonly targetProbability: number };
  readonly memoryCapacity: OptimalRadius & {
    readonly targetProbability: number;
    readonly retrievalProbability: number;
    readonly zScore: number;
  };
  readonly criticalDistance: OptimalRadius & { readonly criticalDistance: CriticalDistance };
}

function radiusWithBeta(model: SnrModel, d: number): OptimalRadius {
  const fit = d >= 2 ? fitBeta(model.n, d) : null;
  return {
    d,
    activationProbability: Math.exp(model.logFractions[d]!),
    beta: fit ? fit.published : null,
    betaLeastSquares: fit ? fit.leastSquares : null,
  };
}

/**
 * The three reference radii of Bricken & Pehlevan (2021, §1, app. B.5):
 *
 * - signal-to-noise optimal: maximises ρ(0) for m stored patterns; p* = (2 m r)^(-1/3), d = {@link nearestRadius};
 * - memory-capacity optimal: maximises the number of patterns m_max(p) readable with whole-pattern probability
 *   P (default {@link DEFAULT_RETRIEVAL_PROBABILITY}); p from {@link logMemoryOptimalProbability}, d nearest;
 * - critical-distance optimal: maximises the critical distance {@link criticalDistance} over d = 0..n; ties (the
 *   critical distance is an integer, and I(n, d, x) is equal for x = 2k-1 and 2k) go to the larger margin
 *   x* - x'(x*), then to the smaller d.
 *
 * For n = 64, r = 2^64, m = 1024 these give d = 11, 5, 15 (β = 15.85, 35.48, 10.11). Each β is the published-
 * convention fit of ln I(n, d, dv) over dv < d.
 */
export function optimalRadii(
  n: number,
  r: NeuronCountInput,
  m: number,
  options: { retrievalProbability?: number } = {},
): OptimalRadii {
  const model = snrModel(n, r, m);
  const retrievalProbability = options.retrievalProbability ?? DEFAULT_RETRIEVAL_PROBABILITY;
  const zScore = retrievalZScore(n, retrievalProbability);

  const lnSnrP = logSnrOptimalProbability(model.lnR, m);
  const lnMemP = logMemoryOptimalProbability(model.lnR, zScore);

  const all = criticalDistances(model, Array.from({ length: n + 1 }, (_, d) => d));
  let best = all[0]!;
  for (const c of all) if (c.bits > best.bits || (c.bits === best.bits && c.margin > best.margin)) best = c;

  return {
    n,
    r: model.rLabel,
    m,
    snr: { ...radiusWithBeta(model, nearestRadius(model.logFractions, lnSnrP)), targetProbability: Math.exp(lnSnrP) },
    memoryCapacity: {
      ...radiusWithBeta(model, nearestRadius(model.logFractions, lnMemP)),
      targetProbability: Math.exp(lnMemP),
      retrievalProbability,
      zScore,
    },
    criticalDistance: { ...radiusWithBeta(model, best.d), criticalDistance: best },
  };
}
