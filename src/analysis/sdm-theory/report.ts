/**
 * One JSON-serialisable summary of how SDM with radius d in {0,1}^n relates to softmax attention: exact circle
 * intersections, the fitted β in both conventions, the weight comparison, the three optimal radii, and optionally
 * the expected neuron counts and the continuous (cosine) counterpart.
 */
import { fitBeta, fitLogLinear, hammingCosine } from './beta-fit.ts';
import { bigintLn, bigRatio } from './bigint.ts';
import { logCapIntersectionFraction } from './continuous.ts';
import { requireDimension, requireInteger, requirePatternCount, requireRadius } from './input.ts';
import { intersectionTable, neuronCount, type NeuronCountInput } from './intersection.ts';
import { DEFAULT_RETRIEVAL_PROBABILITY, optimalRadii } from './optimal.ts';
import { compareWeights } from './weights.ts';

/** Largest n the report accepts: it lists all n + 1 exact counts (up to 1233 digits each at n = 4096). */
export const MAX_REPORT_N = 4096;
/** Stored patterns assumed for the optimal radii when m is not given (Bricken & Pehlevan's attention setting). */
export const DEFAULT_REPORT_PATTERNS = 1024;
/** Ratio factor beyond which the report calls the exponential approximation broken down. */
export const REPORT_RATIO_FACTOR = 2;

export interface AttentionReportOptions {
  /** Address length (bits), integer in [1, 4096]. */
  n: number;
  /** Hamming radius (bits, inclusive), integer in [0, n]. */
  d: number;
  /** Neurons: a positive integer (number or BigInt) or 'all' (2^n). Adds expected_neurons when given. */
  r?: NeuronCountInput;
  /** Stored patterns, integer >= 1 (default 1024). */
  m?: number;
  /** Add the cosine-similarity (unit sphere) counterpart, t = 1 - 2d/n (needs n >= 3). */
  continuous?: boolean;
}

/** Values keyed by distance dv as a decimal string ("0".."n"). */
export type ByDistance<T> = Record<string, T>;

export interface AttentionReport {
  n: number;
  d: number;
  conventions: Record<string, string>;
  /** V(n, d), exact, decimal. */
  ball_volume: string;
  /** V(n, d) / 2^n. */
  ball_fraction: number;
  /** I(n, d, dv) for dv = 0..n, exact, decimal. */
  intersection: ByDistance<string>;
  /** β fitted to ln I over dv = 0..d-1 (null when d < 2). */
  beta_least_squares: number | null;
  beta_published: number | null;
  /** Weights on the grid dv = 0..n with the published β (null when d < 2). */
  sdm_weight: ByDistance<number> | null;
  softmax_weight: ByDistance<number> | null;
  kl_divergence: number | null;
  max_abs_weight_difference: number | null;
  max_abs_weight_difference_dv: number | null;
  breakdown: {
    ratio_factor: number;
    first_dv_ratio_outside: number | null;
    first_dv_zero_intersection: number | null;
  } | null;
  /** What the optimal radii assume, and which of it is a default rather than given. */
  optimal_settings: { r: string; m: number; retrieval_probability: number; defaults_used: string[] };
  optimal_d: { snr: number; memory_capacity: number; critical_distance: number };
  /** Published-convention β implied by each optimal radius (null when that radius is below 2). */
  optimal_beta: { snr: number | null; memory_capacity: number | null; critical_distance: number | null };
  optimal_details: {
    snr_target_probability: number;
    memory_capacity_target_probability: number;
    memory_capacity_z_score: number;
    critical_distance_bits: number;
    critical_distance_margin: number;
  };
  /** Present when r was given. */
  r?: string;
  /** r I(n, d, dv) / 2^n for dv = 0..n; present when r was given (Infinity, serialised as null, past 1.8e308). */
  expected_neurons?: ByDistance<number>;
  /** Present when continuous was requested. */
  continuous?: {
    cosine_threshold: number;
    /** Fraction of the unit sphere within the threshold of both unit vectors at cosine 1 - 2 dv / n. */
    intersection_fraction: ByDistance<number>;
    beta_least_squares: number | null;
    beta_published: number | null;
  };
}

function byDistance<T>(values: readonly T[]): ByDistance<T> {
  const out: ByDistance<T> = {};
  values.forEach((v, dv) => (out[String(dv)] = v));
  return out;
}

/**
 * Builds the SDM-attention report for radius d in {0,1}^n. Optimal radii need r and m; when absent they use
 * r = 'all' (2^n) and m = 1024 and list them in optimal_settings.defaults_used. Throws InputError for an invalid
 * n (`--n`), d (`--d`), r (`--r`) or m (`--m`).
 */
export function attentionReport(opts: AttentionReportOptions): AttentionReport {
  const n = requireDimension(opts.n, MAX_REPORT_N);
  const d = requireRadius(n, opts.d);
  const m = requirePatternCount(opts.m ?? DEFAULT_REPORT_PATTERNS);
  const r = opts.r ?? 'all';
  const neurons = neuronCount(n, r);
  if (opts.continuous) requireInteger('--n', n, 3, MAX_REPORT_N, `[3, ${MAX_REPORT_N}] for the continuous variant`);

  const exact = intersectionTable(n, d);
  const logTable = exact.map(bigintLn);
  const fit = d >= 2 ? fitBeta(n, d, logTable) : null;
  const weights = fit ? compareWeights(n, d, fit.published, { ratioFactor: REPORT_RATIO_FACTOR, logTable }) : null;
  const optimal = optimalRadii(n, r, m);
  const defaultsUsed: string[] = [];
  if (opts.r === undefined) defaultsUsed.push("r = 'all' (2^n neurons, one at every address): r was not given");
  if (opts.m === undefined) defaultsUsed.push(`m = ${DEFAULT_REPORT_PATTERNS} stored patterns: m was not given`);

  const report: AttentionReport = {
    n,
    d,
    conventions: {
      radius: 'inclusive: a point at Hamming distance exactly d is inside',
      cosine: 'cos(dv) = 1 - 2 dv / n',
      beta_least_squares: 'least-squares slope of ln I(dv) on cos(dv) over dv = 0..d-1',
      beta_published: 'least-squares slope times N/(N-1), N = d (published code: cov ddof=1 / var ddof=0)',
      weights: 'one weight per distance dv = 0..n, softmax with beta_published',
    },
    ball_volume: exact[0]!.toString(),
    ball_fraction: bigRatio(exact[0]!, 1n << BigInt(n)),
    intersection: byDistance(exact.map(String)),
    beta_least_squares: fit ? fit.leastSquares : null,
    beta_published: fit ? fit.published : null,
    sdm_weight: weights ? byDistance(weights.sdm) : null,
    softmax_weight: weights ? byDistance(weights.softmax) : null,
    kl_divergence: weights ? weights.klDivergence : null,
    max_abs_weight_difference: weights ? weights.maxAbsDifference : null,
    max_abs_weight_difference_dv: weights ? weights.maxAbsDifferenceDv : null,
    breakdown: weights
      ? {
          ratio_factor: weights.ratioFactor,
          first_dv_ratio_outside: weights.firstDvRatioOutside,
          first_dv_zero_intersection: weights.firstDvZeroIntersection,
        }
      : null,
    optimal_settings: {
      r: neurons.label,
      m,
      retrieval_probability: DEFAULT_RETRIEVAL_PROBABILITY,
      defaults_used: defaultsUsed,
    },
    optimal_d: {
      snr: optimal.snr.d,
      memory_capacity: optimal.memoryCapacity.d,
      critical_distance: optimal.criticalDistance.d,
    },
    optimal_beta: {
      snr: optimal.snr.beta,
      memory_capacity: optimal.memoryCapacity.beta,
      critical_distance: optimal.criticalDistance.beta,
    },
    optimal_details: {
      snr_target_probability: optimal.snr.targetProbability,
      memory_capacity_target_probability: optimal.memoryCapacity.targetProbability,
      memory_capacity_z_score: optimal.memoryCapacity.zScore,
      critical_distance_bits: optimal.criticalDistance.criticalDistance.bits,
      critical_distance_margin: optimal.criticalDistance.criticalDistance.margin,
    },
  };

  if (opts.r !== undefined) {
    const space = 1n << BigInt(n);
    report.r = neurons.label;
    report.expected_neurons = byDistance(exact.map((i) => bigRatio(neurons.count * i, space)));
  }

  if (opts.continuous) {
    const t = hammingCosine(n, d);
    const logFraction = Array.from({ length: n + 1 }, (_, dv) =>
      logCapIntersectionFraction(n, t, Math.acos(hammingCosine(n, dv))),
    );
    const continuousFit =
      d >= 2
        ? fitLogLinear(
            Array.from({ length: d }, (_, dv) => hammingCosine(n, dv)),
            logFraction.slice(0, d),
          )
        : null;
    report.continuous = {
      cosine_threshold: t,
      intersection_fraction: byDistance(logFraction.map(Math.exp)),
      beta_least_squares: continuousFit ? continuousFit.leastSquares : null,
      beta_published: continuousFit ? continuousFit.published : null,
    };
  }
  return report;
}
