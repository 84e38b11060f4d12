/**
 * Online learning: the student sees each example once and takes one stochastic-gradient step on it,
 *
 *   w <- w + eta (y_k - w . x_k) x_k,    x_k ~ N(0, I/N) fresh,  y_k = w* . x_k + e_k,  e_k ~ N(0, s_e^2),
 *
 * with the same eta as the summed full-batch update of gradient-descent.ts (one pass over P examples moves the
 * weights about as far as one batch epoch). Sun et al. (Nature Neuroscience 26, 2023) contrast this with offline
 * learning from notebook replays.
 *
 * Derivation of the expected error. Let u = w - w* and eps_k = E|u_k|^2 / N (so Eg_k = eps_k + s_e^2). One step gives
 * u' = u - eta (x . u) x + eta e x. With E (x . u)^2 = |u|^2 / N, E (x . u)^2 |x|^2 = |u|^2 (N + 2) / N^2 (Isserlis)
 * and E e^2 |x|^2 = s_e^2, and every odd moment zero:
 *
 *   eps_{k+1} = a eps_k + b,   a = 1 - 2 eta / N + eta^2 (N + 2) / N^2,   b = eta^2 s_e^2 / N,   eps_0 = s_w^2,
 *   eps_k = a^k s_w^2 + b (1 - a^k) / (1 - a).
 *
 * This is exact in expectation for every N (no large-N limit). It is stable iff a < 1, i.e. eta < 2N / (N + 2).
 * For N -> infinity at fixed tau = k / N: d eps / d tau = -(2 eta - eta^2) eps + eta^2 s_e^2, so
 * eps(tau) = s_w^2 e^{-kappa tau} + (eta^2 s_e^2 / kappa)(1 - e^{-kappa tau}), kappa = eta (2 - eta).
 * References: Biehl & Schwarze, J. Phys. A 28, 1995; Saad & Solla, Phys. Rev. E 52, 1995 (online learning in the
 * teacher-student setting).
 */
import { InputError } from '../../core/errors.ts';
import { checkAlpha } from './marchenko-pastur.ts';
import { signalNoise } from './gradient-descent.ts';

/** Coefficients of eps_{k+1} = a eps_k + b for online SGD in N dimensions; oneMinusA = 1 - a without cancellation. */
export function onlineCoefficients(n: number, snr: number, eta: number): { a: number; oneMinusA: number; b: number } {
  checkN(n, 'n');
  checkOnlineEta(eta, 'eta');
  const { se2 } = signalNoise(snr);
  const oneMinusA = (eta / n) * (2 - (eta * (n + 2)) / n);
  return { a: 1 - oneMinusA, oneMinusA, b: (eta * eta * se2) / n };
}

/**
 * Expected generalization error of the online student after k examples, each seen once (exact for finite N):
 *
 *   Eg_k = s_e^2 + a^k s_w^2 + b (1 - a^k) / (1 - a),  a = 1 - 2 eta/N + eta^2 (N+2)/N^2,  b = eta^2 s_e^2 / N.
 *
 * Eg_0 = 1. Diverges (a > 1) when eta > 2N / (N + 2).
 *
 * @param n input dimension N (integer >= 1)
 * @param snr signal-to-noise ratio, > 0 (Infinity allowed)
 * @param eta learning rate per example, > 0
 * @param k number of examples seen (integer >= 0)
 */
export function onlineEg(n: number, snr: number, eta: number, k: number): number {
  const { oneMinusA, b } = onlineCoefficients(n, snr, eta);
  if (!Number.isSafeInteger(k) || k < 0) throw new InputError('k', 'must be an integer >= 0');
  const { sw2, se2 } = signalNoise(snr);
  const logA = Math.log1p(-oneMinusA);
  const ak = Math.exp(k * logA);
  const geo = oneMinusA === 0 ? k : -Math.expm1(k * logA) / oneMinusA;
  return se2 + ak * sw2 + b * geo;
}

/**
 * Large-N limit of `onlineEg` after k = tau N examples (tau = alpha for one pass over P = alpha N examples):
 *
 *   Eg(tau) = s_e^2 + s_w^2 e^{-kappa tau} + (eta^2 s_e^2 / kappa)(1 - e^{-kappa tau}),  kappa = eta (2 - eta)
 *
 * (the last term is eta^2 s_e^2 tau when kappa = 0).
 *
 * @param tau examples seen per input dimension, >= 0
 */
export function onlineEgLimit(tau: number, snr: number, eta: number): number {
  if (!Number.isFinite(tau) || !(tau >= 0)) throw new InputError('tau', 'must be a finite number >= 0');
  checkOnlineEta(eta, 'eta');
  const { sw2, se2 } = signalNoise(snr);
  const kappa = eta * (2 - eta);
  const e = Math.exp(-kappa * tau);
  const grow = kappa === 0 ? tau : -Math.expm1(-kappa * tau) / kappa;
  return se2 + sw2 * e + eta * eta * se2 * grow;
}

/**
 * Online error after one pass over P = round(alpha N) examples; with n undefined, the large-N limit at tau = alpha.
 */
export function onlineEgOnePass(alpha: number, snr: number, eta: number, n?: number): number {
  checkAlpha(alpha, 'alpha');
  if (n === undefined) return onlineEgLimit(alpha, snr, eta);
  return onlineEg(n, snr, eta, Math.round(alpha * n));
}

/** @internal N must be an integer >= 1. */
export function checkN(n: number, where: string): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(where, 'must be an integer >= 1');
}

function checkOnlineEta(eta: number, where: string): void {
  if (typeof eta !== 'number' || !Number.isFinite(eta) || !(eta > 0)) {
    throw new InputError(where, 'must be a finite number > 0');
  }
}
