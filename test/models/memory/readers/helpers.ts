/**
 * Plain references for the reader tests, deliberately independent of src/models/memory/readers: vectors are number
 * arrays, loops are written out, probabilities come from textbook formulas.
 */

/** Row r of a row-major array as a number[]. */
export function rowOf(data: ArrayLike<number>, cols: number, r: number): number[] {
  return Array.from({ length: cols }, (_, i) => data[r * cols + i]!);
}

export function naiveHamming(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** exp(s_p) / sum exp(s_r), without any shift (only for moderate scores). */
export function naiveSoftmax(scores: number[]): number[] {
  const e = scores.map((s) => Math.exp(s));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/**
 * Attention over bit patterns from Hamming distances alone: cos(u(q), u(k_p)) = 1 - 2 d_p / n, weights
 * exp(beta (cos_p - 1)) normalised (shifted by the largest possible cosine, 1), read = sum_p a_p (2 v_p - 1) / sqrt(w).
 */
export function naiveBitAttention(keys: number[][], values: number[][], query: number[], beta: number): { weights: number[]; vector: number[] } {
  const n = query.length;
  const e = keys.map((k) => Math.exp(beta * (1 - (2 * naiveHamming(k, query)) / n - 1)));
  const z = e.reduce((a, b) => a + b, 0);
  const weights = e.map((x) => x / z);
  const w = values[0]!.length;
  const vector = new Array<number>(w).fill(0);
  values.forEach((v, p) => v.forEach((b, j) => (vector[j]! += (weights[p]! * (2 * b - 1)) / Math.sqrt(w))));
  return { weights, vector };
}

/** Hebbian N W_ij = sum_p x_pi x_pj (i != j), 0 on the diagonal, from bipolar patterns. */
export function naiveCouplings(patterns: number[][]): number[][] {
  const N = patterns[0]!.length;
  const C: number[][] = [];
  for (let i = 0; i < N; i++) {
    C.push([]);
    for (let j = 0; j < N; j++) {
      let s = 0;
      if (i !== j) for (const x of patterns) s += x[i]! * x[j]!;
      C[i]!.push(s);
    }
  }
  return C;
}

/**
 * Complementary error function, Numerical Recipes `erfcc` (Chebyshev fit, fractional error below 1.2e-7 everywhere).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** P(B <= bmax) for B ~ Binomial(K, 1/2), summing the pmf in log space (pmf(b) = pmf(b - 1) (K - b + 1) / b). */
export function binomialHalfCdf(K: number, bmax: number): number {
  if (bmax < 0) return 0;
  let lp = -K * Math.LN2;
  const logs = [lp];
  for (let b = 1; b <= Math.min(bmax, K); b++) {
    lp += Math.log((K - b + 1) / b);
    logs.push(lp);
  }
  const mx = Math.max(...logs);
  let s = 0;
  for (const l of logs) s += Math.exp(l - mx);
  return Math.exp(mx) * s;
}

/**
 * Retrieval overlap of the Hebbian network at load alpha = P/N and zero temperature, from the replica-symmetric
 * equations of Amit, Gutfreund & Sompolinsky (1985): m = erf(y) where y = m / sqrt(2 alpha r) is the largest root of
 * erf(y) = y (sqrt(2 alpha) + (2 / sqrt(pi)) exp(-y^2)) (their m, r and C = sqrt(2 / (pi alpha r)) exp(-y^2) with
 * r = 1 / (1 - C)^2 eliminated); 0 when there is no root (above the critical load). A fraction (1 + m) / 2 of the bits
 * is right; m = 0.968 at alpha = 0.1379, the critical load (their 0.138 and 0.967), and 0 above it.
 */
export function agsOverlap(alpha: number): number {
  const erf = (x: number) => 1 - erfc(x);
  const f = (y: number) => erf(y) - y * (Math.sqrt(2 * alpha) + (2 / Math.sqrt(Math.PI)) * Math.exp(-y * y));
  const step = 1e-3;
  for (let y = 10; y > step; y -= step) {
    if (f(y) < 0) continue;
    let lo = y; // f(lo) >= 0 > f(hi)
    let hi = y + step;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) >= 0) lo = mid;
      else hi = mid;
    }
    return erf(lo);
  }
  return 0;
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Standard error of the mean (sample standard deviation / sqrt(count)). */
export function stdErr(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) / xs.length);
}
