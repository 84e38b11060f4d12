/**
 * Special functions in doubles for the SDM theory: log-gamma, log-sum-exp, the regularized incomplete beta and
 * gamma functions, and the standard normal tail and quantile. Pure functions, no state.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const MAX_ITERATIONS = 100_000;
const FPMIN = 1e-300;

/**
 * Natural log of the gamma function, ln Γ(x), for x > 0.
 *
 *   Γ(x + 1) ≈ √(2π) (x + g + ½)^(x + ½) e^-(x + g + ½) A_g(x)     (Lanczos 1964, g = 7, nine terms)
 *
 * with the reflection formula Γ(x) Γ(1 - x) = π / sin(πx) below x = ½. Relative error about 1e-15.
 */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), for a, b > 0. */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/** ln C(n, k) = ln Γ(n + 1) - ln Γ(k + 1) - ln Γ(n - k + 1); -Infinity when k < 0 or k > n. */
export function logBinomial(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

/** ln(e^a + e^b) without overflow; -Infinity stands for zero. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln Σ e^(v_i) without overflow (shifted by the largest term); -Infinity for an empty sum or all -Infinity. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i]! - max);
  return max + Math.log(s);
}

/** Modified Lentz evaluation of the continued fraction of I_x(a, b) (Numerical Recipes §6.4, `betacf`). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}

/**
 * Natural log of the regularized incomplete beta function,
 *
 *   I_x(a, b) = (1 / B(a, b)) ∫_0^x s^(a-1) (1 - s)^(b-1) ds,   0 <= x <= 1, a, b > 0,
 *
 * by its continued fraction (Numerical Recipes §6.4), using I_x(a, b) = 1 - I_(1-x)(b, a) where the fraction
 * converges slowly. Kept in logs so that tails far below 1e-308 (caps of high-dimensional spheres) stay finite.
 * Pass the complement y = 1 - x when it is known more accurately than 1 - x in doubles (x close to 1).
 */
export function logRegularizedIncompleteBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (!(a > 0 && b > 0) || !(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
    throw new RangeError(`I_x(a, b) needs 0 <= x <= 1, a, b > 0`);
  }
  if (x === 0) return -Infinity;
  if (y === 0) return 0;
  const lnX = x < 0.5 ? Math.log(x) : Math.log1p(-y);
  const lnY = y < 0.5 ? Math.log(y) : Math.log1p(-x);
  const logFront = a * lnX + b * lnY - lnBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return logFront + Math.log(betaContinuedFraction(x, a, b)) - Math.log(a);
  return Math.log1p(-Math.exp(logFront + Math.log(betaContinuedFraction(y, b, a)) - Math.log(b)));
}

/** Regularized incomplete beta I_x(a, b), y = 1 - x (see {@link logRegularizedIncompleteBeta}). */
export function regularizedIncompleteBeta(x: number, a: number, b: number, y = 1 - x): number {
  return Math.exp(logRegularizedIncompleteBeta(x, a, b, y));
}

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), x >= 0, a > 0: the series of P = 1 - Q below
 * x = a + 1, the Legendre continued fraction above (Numerical Recipes §6.2). Accurate to about 1e-15.
 */
export function regularizedUpperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const logFront = a * Math.log(x) - x - lnGamma(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let i = 0; i < MAX_ITERATIONS; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) <= Math.abs(sum) * Number.EPSILON) return 1 - sum * Math.exp(logFront);
    }
    throw new Error(`incomplete gamma series did not converge (a=${a}, x=${x})`);
  }
  if (logFront < -800) return 0; // the fraction below is < 1 here, so Q underflows anyway
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= Number.EPSILON) return Math.exp(logFront) * h;
  }
  throw new Error(`incomplete gamma continued fraction did not converge (a=${a}, x=${x})`);
}

/**
 * Upper tail of the standard normal, Q(x) = P(Z > x) = ½ erfc(x / √2), with erfc(y) = Q(½, y²) for y >= 0
 * (the incomplete gamma above), so tails stay accurate down to about 1e-300.
 */
export function normalSf(x: number): number {
  const half = 0.5 * regularizedUpperGamma(0.5, 0.5 * x * x);
  return x >= 0 ? half : 1 - half;
}

// Acklam (2003), "An algorithm for computing the inverse normal cumulative distribution function".
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function polyval(c: readonly number[], x: number): number {
  let s = 0;
  for (const ci of c) s = s * x + ci;
  return s;
}

/**
 * Standard normal quantile Φ^-1(p) for 0 < p < 1: Acklam's rational approximation (relative error 1.15e-9)
 * refined by one Halley step on Φ(x) - p, which brings it to about 1e-15.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs 0 < p < 1, got ${p}`);
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = polyval(ACKLAM_C, q) / (polyval(ACKLAM_D, q) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x = (polyval(ACKLAM_A, r) * q) / (polyval(ACKLAM_B, r) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -polyval(ACKLAM_C, q) / (polyval(ACKLAM_D, q) * q + 1);
  }
  // Halley step on f(x) = Φ(x) - p, with Φ(x) = Q(-x); use the smaller tail to avoid cancellation.
  const e = p < 0.5 ? normalSf(-x) - p : 1 - p - normalSf(x);
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
