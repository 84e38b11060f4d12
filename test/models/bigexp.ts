/**
 * High-precision reference arithmetic for tests: binary fixed point on BigInt with FRAC = 400 fraction bits (about
 * 120 decimal digits). Every float64 input is taken exactly (a float is m 2^e with integer m), so a closed form
 * evaluated here from the same floats the model sees is wrong only by about 2^-390, far below float64 rounding:
 * cancellation that ruins the float64 evaluation (e^{-a} - e^{-b} with a ~ b) costs nothing here.
 */

/** Number of fraction bits. */
export const FRAC = 400n;
const ONE = 1n << FRAC;

/** A float64 as fixed point, exactly (throws if it would need more than FRAC fraction bits). */
export function fx(x: number): bigint {
  if (!Number.isFinite(x)) throw new Error(`fx: ${x} is not finite`);
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const expField = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  // x = sign * m * 2^e with integer m.
  const m = expField === 0 ? frac : frac | (1n << 52n);
  const e = (expField === 0 ? -1074 : expField - 1075) + Number(FRAC);
  if (e < 0) {
    if (m % (1n << BigInt(-e)) !== 0n) throw new Error(`fx: ${x} needs more than ${FRAC} fraction bits`);
    return sign * (m >> BigInt(-e));
  }
  return sign * (m << BigInt(e));
}

/** Nearest float64 to a fixed-point value (Number(bigint) rounds to nearest; dividing by 2^FRAC is exact). */
export function toNumber(a: bigint): number {
  return Number(a) / 2 ** Number(FRAC);
}

export const add = (a: bigint, b: bigint): bigint => a + b;
export const sub = (a: bigint, b: bigint): bigint => a - b;
export const mul = (a: bigint, b: bigint): bigint => (a * b) >> FRAC;
export const div = (a: bigint, b: bigint): bigint => {
  if (b === 0n) throw new Error('div: division by zero');
  return (a << FRAC) / b;
};

/**
 * e^x: x is divided by 2^s until |x| < 2^-16, the Taylor series is summed until its terms vanish, and the result is
 * squared s times (each squaring doubles the relative error, so s is kept small against FRAC's spare bits).
 */
export function exp(x: bigint): bigint {
  let s = 0;
  let r = x;
  const small = ONE >> 16n;
  while (r > small || r < -small) {
    r /= 2n;
    s++;
  }
  let sum = ONE;
  let term = ONE;
  for (let k = 1n; term !== 0n; k++) {
    term = mul(term, r) / k;
    sum += term;
  }
  for (let i = 0; i < s; i++) sum = mul(sum, sum);
  return sum;
}

/**
 * The PSP kernel of a current-based LIF neuron with an exponential synapse, from the solution of
 *   tau_m dv/dt = -v + g,  dg/dt = -g / tau_x,  v(0) = 0, g(0) = 1:
 *   v(t) = tau_x / (tau_x - tau_m) (e^{-t/tau_x} - e^{-t/tau_m}),  and (t / tau_m) e^{-t/tau_m} when tau_x = tau_m,
 * evaluated from the exact float inputs in fixed point. t is k * h, exactly.
 */
export function pspKernel(tauX: number, tauM: number, h: number, k = 1): number {
  const X = fx(tauX);
  const M = fx(tauM);
  const T = fx(h) * BigInt(k);
  const eM = exp(-div(T, M));
  if (X === M) return toNumber(mul(div(T, M), eM));
  const eX = exp(-div(T, X));
  return toNumber(div(mul(sub(eX, eM), X), sub(X, M)));
}
