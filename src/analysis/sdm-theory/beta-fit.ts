/**
 * The softmax β that SDM's circle intersection implies (Bricken & Pehlevan 2021, §2 and app. B): fit
 *
 *   ln I(n, d, dv) ≈ c + β cos(dv),   cos(dv) = 1 - 2 dv / n,
 *
 * over the d distances dv = 0..d-1 (where the intersection decays roughly exponentially), so that
 * I(dv) ∝ exp(β cos(dv)), the unnormalised softmax weight of a key at cosine similarity cos(dv) from the query.
 */
import { requireDimension, requireInteger, requireRadius } from './input.ts';
import { logIntersectionTable } from './intersection.ts';

/** A straight-line fit of y on x in two labelled conventions. */
export interface BetaFit {
  /** Ordinary least-squares slope, Σ(x - x̄)(y - ȳ) / Σ(x - x̄)². */
  readonly leastSquares: number;
  /**
   * The slope as the published code (SDM_Circ_Inter_Funcs.py, fit_beta_regression) computes it:
   * np.cov(x, y)[0][1] / np.var(x), a covariance with ddof = 1 over a variance with ddof = 0, which is the
   * least-squares slope times N / (N - 1). The β values printed in the paper use this convention.
   */
  readonly published: number;
  /** Intercepts c = ȳ - β x̄ for the two slopes. */
  readonly interceptLeastSquares: number;
  readonly interceptPublished: number;
  /** Number of points N. */
  readonly points: number;
}

/** Cosine similarity of two ±1 vectors of length n at Hamming distance dv: 1 - 2 dv / n. */
export function hammingCosine(n: number, dv: number): number {
  return 1 - (2 * dv) / n;
}

/** Fits y ≈ c + β x by least squares and in the published N/(N-1) convention (N >= 2 points, x not constant). */
export function fitLogLinear(x: ArrayLike<number>, y: ArrayLike<number>): BetaFit {
  const count = x.length;
  if (count !== y.length || count < 2) {
    throw new RangeError('fitLogLinear needs two equally long arrays of at least 2 points');
  }
  let mx = 0;
  let my = 0;
  for (let i = 0; i < count; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= count;
  my /= count;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < count; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('fitLogLinear: x is constant');
  const leastSquares = sxy / sxx;
  const published = (leastSquares * count) / (count - 1);
  return {
    leastSquares,
    published,
    interceptLeastSquares: my - leastSquares * mx,
    interceptPublished: my - published * mx,
    points: count,
  };
}

/**
 * β fitted to ln I(n, d, dv) against cos(dv) over dv = 0..d-1 (d points), in both conventions. For n = 64:
 * d = 5, 11, 15 give published β = 35.48, 15.85, 10.11 (the memory-capacity, SNR and critical-distance optima).
 *
 * @param n address length (bits)
 * @param d Hamming radius (bits), at least 2 so that there are two distances to fit
 * @param logTable ln I(n, d, dv) for dv = 0..d-1 or more, when the caller already has it
 */
export function fitBeta(n: number, d: number, logTable?: ArrayLike<number>): BetaFit {
  requireDimension(n);
  requireRadius(n, d);
  requireInteger('--d', d, 2, n, `[2, n] = [2, ${n}] for a beta fit (two distances at least)`);
  const logI = logTable ?? logIntersectionTable(n, d);
  const x = new Float64Array(d);
  const y = new Float64Array(d);
  for (let dv = 0; dv < d; dv++) {
    x[dv] = hammingCosine(n, dv);
    y[dv] = logI[dv]!;
  }
  return fitLogLinear(x, y);
}
