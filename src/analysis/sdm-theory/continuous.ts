/**
 * The continuous (cosine) version of the SDM circle intersection, for L2-normalised vectors: caps of the unit
 * sphere S^(n-1) in R^n (Bricken & Pehlevan 2021, app. B; Li 2011, "Concise formulas for the area and volume of
 * a hyperspherical cap"; Lee & Kim 2014, "Concise formulas for the surface area of the intersection of two
 * hyperspherical caps").
 *
 * A cap is {w in S^(n-1): w·u >= t}: the points within cosine similarity threshold t of its centre u, i.e. within
 * angle φ = arccos t. A Hamming radius d in {0,1}^n corresponds to t = 1 - 2d/n (the cosine between ±1 vectors).
 */
import { requireFinite, requireInteger } from './input.ts';
import { lnBeta, logRegularizedIncompleteBeta } from './special.ts';

/**
 * ln of the fraction of S^(n-1) within cosine threshold t of a unit vector (n >= 2):
 *
 *   A_n(t) = ½ I_(1-t²)((n-1)/2, ½)              for 0 <= t <= 1
 *   A_n(t) = 1 - ½ I_(1-t²)((n-1)/2, ½)          for -1 <= t < 0
 *
 * (Li 2011). A_3(t) = (1 - t)/2 is Archimedes' hat-box theorem.
 */
export function logCapFraction(n: number, t: number): number {
  requireInteger('--n', n, 2, Number.MAX_SAFE_INTEGER);
  requireFinite('--threshold', t, -Infinity, Infinity);
  if (t >= 1) return -Infinity;
  if (t <= -1) return 0;
  const logHalfTail = Math.log(0.5) + logRegularizedIncompleteBeta((1 - t) * (1 + t), (n - 1) / 2, 0.5, t * t);
  return t >= 0 ? logHalfTail : Math.log1p(-Math.exp(logHalfTail));
}

/** Fraction of S^(n-1) within cosine threshold t of a unit vector (see {@link logCapFraction}). */
export function capFraction(n: number, t: number): number {
  return Math.exp(logCapFraction(n, t));
}

// Gauss-Kronrod 7-15 nodes on [-1, 1] (positive half, the last is 0) and weights (Piessens et al. 1983, QUADPACK).
const GK_NODES = [
  0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
  0.4058451513773972, 0.20778495500789848, 0,
];
const GK_WEIGHTS = [
  0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
  0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
];
const GAUSS7_WEIGHTS = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694];

interface Panel {
  a: number;
  b: number;
  value: number;
  error: number;
}

function gaussKronrod(f: (x: number) => number, a: number, b: number): Panel {
  const mid = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  const fc = f(mid);
  let kronrod = GK_WEIGHTS[7]! * fc;
  let gauss = GAUSS7_WEIGHTS[3]! * fc;
  for (let i = 0; i < 7; i++) {
    const dx = half * GK_NODES[i]!;
    const pair = f(mid - dx) + f(mid + dx);
    kronrod += GK_WEIGHTS[i]! * pair;
    if (i % 2 === 1) gauss += GAUSS7_WEIGHTS[(i - 1) / 2]! * pair;
  }
  return { a, b, value: kronrod * half, error: Math.abs((kronrod - gauss) * half) };
}

/**
 * Globally adaptive Gauss-Kronrod quadrature (QUADPACK's QAG): bisect the panel with the largest error estimate
 * until the summed error is below relTol times the integral, starting from the given breakpoints.
 */
function integrate(
  f: (x: number) => number,
  breakpoints: readonly number[],
  relTol = 1e-12,
  maxPanels = 4000,
): number {
  const panels: Panel[] = [];
  for (let i = 0; i + 1 < breakpoints.length; i++) panels.push(gaussKronrod(f, breakpoints[i]!, breakpoints[i + 1]!));
  for (;;) {
    let total = 0;
    let error = 0;
    let worst = 0;
    for (let i = 0; i < panels.length; i++) {
      total += panels[i]!.value;
      error += panels[i]!.error;
      if (panels[i]!.error > panels[worst]!.error) worst = i;
    }
    if (error <= relTol * Math.abs(total) || panels.length >= maxPanels || error === 0) return total;
    const p = panels[worst]!;
    const m = 0.5 * (p.a + p.b);
    panels.splice(worst, 1, gaussKronrod(f, p.a, m), gaussKronrod(f, m, p.b));
  }
}

/**
 * ln of the fraction of S^(n-1) within cosine threshold t of both of two unit vectors at angle θ (n >= 3).
 * -Infinity when the caps do not overlap (θ >= 2 arccos t).
 *
 * Write a point as w = cos ψ u1 + sin ψ v with v uniform on the S^(n-2) orthogonal to u1; ψ has density
 * sin^(n-2) ψ / B((n-1)/2, ½) on [0, π]. With u2 = cos θ u1 + sin θ e, w·u2 = cos ψ cos θ + sin ψ sin θ (v·e), and
 * v·e is the first coordinate of a uniform point of S^(n-2), so
 *
 *   F_n(t, θ) = (1 / B((n-1)/2, ½)) ∫_(max(0, θ-φ))^φ sin^(n-2) ψ · A_(n-1)(c(ψ)) dψ,
 *   c(ψ) = (t - cos ψ cos θ) / (sin ψ sin θ),   φ = arccos t,
 *
 * with A_(n-1)(c) = 1 for c <= -1 (reached for ψ <= φ - θ) and 0 for c >= 1. The integral is taken numerically
 * (adaptive Gauss-Kronrod, relative tolerance 1e-12) with sin^(n-2) ψ scaled by its maximum on the interval, so
 * high dimensions neither overflow nor underflow before the final log. At θ = 0 it reduces to A_n(t).
 */
export function logCapIntersectionFraction(n: number, t: number, theta: number): number {
  requireInteger('--n', n, 3, Number.MAX_SAFE_INTEGER);
  requireFinite('--threshold', t, -1, 1);
  requireFinite('--angle', theta, 0, Math.PI);
  const phi = Math.acos(t);
  if (t === 1 || theta >= 2 * phi) return -Infinity;
  const lo = Math.max(0, theta - phi);
  const peak = Math.min(Math.max(Math.PI / 2, lo), phi); // where sin ψ is largest on [lo, φ]
  const logSinPeak = Math.log(Math.sin(peak));
  const cosTheta = Math.cos(theta);
  const sinTheta = Math.sin(theta);
  const integrand = (psi: number): number => {
    const sinPsi = Math.sin(psi);
    const weight = Math.exp((n - 2) * (Math.log(sinPsi) - logSinPeak));
    const along = Math.cos(psi) * cosTheta;
    const across = sinPsi * sinTheta;
    if (across === 0) return along >= t ? weight : 0;
    const c = (t - along) / across;
    if (c <= -1) return weight;
    if (c >= 1) return 0;
    return weight * capFraction(n - 1, c);
  };
  const breakpoints = [lo];
  if (phi - theta > lo && phi - theta < phi) breakpoints.push(phi - theta);
  if (peak > lo && peak < phi) breakpoints.push(peak);
  breakpoints.sort((x, y) => x - y).push(phi);
  const integral = integrate(integrand, breakpoints);
  return Math.log(integral) + (n - 2) * logSinPeak - lnBeta((n - 1) / 2, 0.5);
}

/** Fraction of S^(n-1) within cosine threshold t of both of two unit vectors at angle θ (radians). */
export function capIntersectionFraction(n: number, t: number, theta: number): number {
  return Math.exp(logCapIntersectionFraction(n, t, theta));
}
