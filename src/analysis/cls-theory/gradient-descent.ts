/**
 * Learning curves of a linear student trained by gradient descent on a noisy linear teacher, averaged over the
 * Marchenko-Pastur spectrum: the generalization theory behind the complementary-learning-systems (Go-CLS) model of
 * Sun, Advani, Spruston, Saxe & Fitzgerald (Nature Neuroscience 26, 2023), from the closed forms of Advani, Saxe &
 * Sompolinsky (Neural Networks 132, 2020).
 *
 * Setting. N inputs, P = alpha N examples x_mu with entries x_i ~ N(0, 1/N); teacher y = w* . x + e with
 * w*_i ~ N(0, s_w^2) and e ~ N(0, s_e^2); s_w^2 = SNR / (SNR + 1), s_e^2 = 1 / (SNR + 1), so the output variance is
 * s_w^2 + s_e^2 = 1 (SNR = Infinity: s_w^2 = 1, s_e^2 = 0). The student starts at w = 0. Errors are mean squared
 * without a factor 1/2: Eg = E_x,e (y - w . x)^2 on a fresh example, Et = (1/P) sum_mu (y_mu - w . x_mu)^2.
 *
 * Update and time. Full-batch gradient descent with the update summed over the batch,
 *
 *   w <- w + eta sum_mu (y_mu - w . x_mu) x_mu = w + eta X^T (y - X w),
 *
 * so in the eigenbasis of X^T X (eigenvalue l, MP-distributed with exactly this normalisation, see
 * marchenko-pastur.ts) the error e = w - w* of each mode evolves as e_{t+1} = (1 - eta l) e_t + eta (X^T noise)_l.
 * The discrete solution after t epochs has the decay factor d = (1 - eta l)^t; gradient flow dw/dT = X^T (y - X w)
 * has d = exp(-l T) with T = eta t, its eta -> 0 limit at fixed eta t. No rescaling of l by N, P or alpha is
 * needed: l' = l, and the discrete recursion is stable iff eta < 2 / l+ = 2 / (1 + sqrt(alpha))^2.
 *
 * With q = 1 - d (per mode, E over teacher and noise; (X^T noise) has variance s_e^2 l in mode l):
 *
 *   Eg = s_w^2 [ int rho d^2 dl + (1 - alpha)_+ ] + s_e^2 [ int rho q^2 / l dl + 1 ]
 *      = s_w^2 [ int rho ( d^2 + q^2 / (l SNR) ) dl + (1 - alpha)_+ + 1/SNR ]
 *   Et = (1/alpha) int rho (l s_w^2 + s_e^2) d^2 dl + (1 - 1/alpha)_+ s_e^2
 *
 * (rho = continuous MP density; the point mass at l = 0 contributes (1 - alpha) s_w^2 to Eg, the unlearnable
 * directions, and for alpha > 1 the P - N null directions of X X^T leave (1 - 1/alpha) s_e^2 of irreducible training
 * error). These are the formulas of go_cls.json (test/fixtures/reference) (Advani et al. 2020, with
 * their factor 1/2 dropped); the JSON writes the alpha < 1 training term as (1/alpha)(1 - alpha) s_e^2 plus
 * (1 - 1/alpha) s_e^2, which cancel.
 */
import { InputError } from '../../core/errors.ts';
import { checkAlpha, mpEdges, mpLambdaResolvent, MpQuadrature } from './marchenko-pastur.ts';

/** Signal and noise variances from the signal-to-noise ratio: s_w^2 = SNR/(SNR+1), s_e^2 = 1/(SNR+1). */
export interface SignalNoise {
  snr: number;
  sw2: number;
  se2: number;
}

/**
 * Split unit output variance into teacher signal and label noise: s_w^2 = SNR/(SNR+1), s_e^2 = 1/(SNR+1)
 * (Sun et al. 2023, Methods). SNR = Infinity gives s_w^2 = 1, s_e^2 = 0.
 *
 * @param snr signal-to-noise ratio s_w^2 / s_e^2, > 0 (Infinity allowed)
 */
export function signalNoise(snr: number): SignalNoise {
  checkSnr(snr, 'snr');
  if (snr === Infinity) return { snr, sw2: 1, se2: 0 };
  return { snr, sw2: snr / (snr + 1), se2: 1 / (snr + 1) };
}

/** Time of a learning curve: gradient flow at T = eta t, or t epochs of discrete full-batch gradient descent. */
export type Schedule = { kind: 'continuous'; T: number } | { kind: 'discrete'; eta: number; t: number };

/** Generalization and training error at one time, with the quadrature's error estimate. */
export interface ErrorPoint {
  eg: number;
  et: number;
  /** largest |I_2n - I_n| of the adaptive quadratures (an upper estimate of the absolute error) */
  quadError: number;
}

/** Largest stable step for discrete gradient descent: eta < 2 / l+ = 2 / (1 + sqrt(alpha))^2. */
export function discreteEtaMax(alpha: number): number {
  return 2 / mpEdges(alpha).lPlus;
}

/**
 * Eg and Et at one time for gradient flow (continuous) or full-batch gradient descent (discrete); see the module
 * comment for the equations. Continuous: d = exp(-l T); discrete: d = (1 - eta l)^t with the same MP eigenvalues l.
 *
 * @param alpha load P/N, > 0
 * @param snr signal-to-noise ratio, > 0 (Infinity allowed)
 * @param schedule { kind: 'continuous', T } (T = eta t >= 0) or { kind: 'discrete', eta, t } (integer t >= 0,
 *   0 < eta < 2 / (1 + sqrt(alpha))^2)
 * @param quad optional quadrature for this alpha, to reuse its cached rules over many calls
 */
export function gdErrors(alpha: number, snr: number, schedule: Schedule, quad?: MpQuadrature): ErrorPoint {
  checkAlpha(alpha, 'alpha');
  const { sw2, se2 } = signalNoise(snr);
  const q = quad ?? new MpQuadrature(alpha);
  if (q.alpha !== alpha) throw new InputError('quad', `must be built for alpha = ${alpha}`);
  const decay = decayModel(alpha, schedule);
  const nMin = resolution(q, schedule);
  const egInt = q.expect((l) => {
    const [d, r] = decay(l);
    const noise = se2 === 0 || l === 0 ? 0 : (se2 * r * r) / l;
    return sw2 * d * d + noise;
  }, { nMin });
  const etInt = q.expect((l) => {
    const [d] = decay(l);
    return (l * sw2 + se2) * d * d;
  }, { nMin });
  const eg = egInt.value + sw2 * Math.max(0, 1 - alpha) + se2;
  const et = etInt.value / alpha + se2 * Math.max(0, 1 - 1 / alpha);
  return { eg, et, quadError: Math.max(egInt.error, etInt.error / alpha) };
}

/**
 * Generalization error of gradient flow from zero weights at continuous time T = eta t:
 * Eg(T) = s_w^2 [ int rho (e^{-2 l T} + (1 - e^{-l T})^2 / (l SNR)) dl + (1 - alpha)_+ + 1/SNR ]
 * (Advani, Saxe & Sompolinsky 2020; Sun et al. 2023). Eg(0) = 1.
 */
export function egContinuous(alpha: number, snr: number, T: number): number {
  return gdErrors(alpha, snr, { kind: 'continuous', T }).eg;
}

/**
 * Training error of gradient flow at T = eta t:
 * Et(T) = (1/alpha) int rho (l s_w^2 + s_e^2) e^{-2 l T} dl + (1 - 1/alpha)_+ s_e^2. Et(0) = 1.
 */
export function etContinuous(alpha: number, snr: number, T: number): number {
  return gdErrors(alpha, snr, { kind: 'continuous', T }).et;
}

/** Generalization error after t epochs of full-batch gradient descent (summed update): exp(-l T) -> (1 - eta l)^t. */
export function egDiscrete(alpha: number, snr: number, eta: number, t: number): number {
  return gdErrors(alpha, snr, { kind: 'discrete', eta, t }).eg;
}

/** Training error after t epochs of full-batch gradient descent (summed update): exp(-l T) -> (1 - eta l)^t. */
export function etDiscrete(alpha: number, snr: number, eta: number, t: number): number {
  return gdErrors(alpha, snr, { kind: 'discrete', eta, t }).et;
}

/**
 * Long-time limit of Eg for gradient flow or descent from zero weights (the minimum-norm least-squares solution):
 *
 *   Eg(inf) = s_w^2 (1 - alpha) + s_e^2 / (1 - alpha)     alpha < 1
 *   Eg(inf) = s_e^2 alpha / (alpha - 1)                   alpha > 1
 *   Eg(inf) = Infinity (finite SNR) or 0 (SNR = Infinity)  alpha = 1
 *
 * from int rho / l dl = alpha / (1 - alpha) (alpha < 1) and 1 / (alpha - 1) (alpha > 1), the mean inverse MP
 * eigenvalue. The divergence at alpha = 1 is the double-descent peak (Advani et al. 2020); for its growth
 * in time see `alphaOneGrowth`.
 */
export function egAsymptote(alpha: number, snr: number): number {
  checkAlpha(alpha, 'alpha');
  const { sw2, se2 } = signalNoise(snr);
  if (alpha === 1) return se2 === 0 ? 0 : Infinity;
  if (alpha < 1) return sw2 * (1 - alpha) + se2 / (1 - alpha);
  return (se2 * alpha) / (alpha - 1);
}

/** Long-time limit of Et: (1 - 1/alpha) s_e^2 for alpha > 1 (P - N residual noise directions), else 0. */
export function etAsymptote(alpha: number, snr: number): number {
  checkAlpha(alpha, 'alpha');
  const { se2 } = signalNoise(snr);
  return alpha > 1 ? se2 * (1 - 1 / alpha) : 0;
}

/**
 * Growth of Eg at alpha = 1 without early stopping. Near the hard edge rho(l) ~ 1/(pi sqrt(l)), so
 *
 *   Eg(T) ~ c sqrt(T),  c = (s_e^2 / pi) int_0^inf u^{-3/2} (1 - e^{-u})^2 du = s_e^2 (4 - 2 sqrt 2) / sqrt(pi),
 *
 * for T = eta t -> infinity (relative corrections O(T^{-1/2})). At SNR = Infinity c = 0 and instead
 * Eg(T) ~ 1 / sqrt(2 pi T).
 *
 * @returns c, in units of Eg per sqrt(T)
 */
export function alphaOneGrowth(snr: number): number {
  const { se2 } = signalNoise(snr);
  return (se2 * (4 - 2 * Math.SQRT2)) / Math.sqrt(Math.PI);
}

/**
 * Ridge parameter of the Bayes-optimal (posterior-mean) estimator for the loss sum_mu (y_mu - w . x_mu)^2 +
 * lambda |w|^2 with x_i ~ N(0, 1/N), w*_i ~ N(0, s_w^2): lambda = s_e^2 / s_w^2 = 1 / SNR. (For a loss averaged over
 * the P examples the same estimator has lambda / P.)
 */
export function ridgeLambda(snr: number): number {
  checkSnr(snr, 'snr');
  return 1 / snr;
}

/**
 * Generalization error of the Bayes-optimal ridge estimator w = (X^T X + lambda I)^{-1} X^T y, lambda = 1/SNR:
 *
 *   Eg_ridge = s_e^2 + s_w^2 lambda G(lambda),  G(lambda) = int rho_full(l) / (l + lambda) dl
 *            = s_e^2 + s_w^2 [ -(lambda + alpha - 1) + sqrt((lambda + alpha - 1)^2 + 4 lambda) ] / 2.
 *
 * Per mode the error is s_w^2 lambda / (l + lambda) when lambda = s_e^2 / s_w^2. This is the minimum mean squared
 * error of any estimator, so Eg_ridge <= Eg(t) at every t (Advani et al. 2020). SNR = Infinity gives
 * (1 - alpha)_+.
 */
export function ridgeEg(alpha: number, snr: number): number {
  checkAlpha(alpha, 'alpha');
  const { sw2, se2 } = signalNoise(snr);
  return se2 + sw2 * mpLambdaResolvent(alpha, ridgeLambda(snr));
}

/** Optimal early stopping over integer epochs. */
export interface StoppingResult {
  /** argmin over t = 1..epochs of Eg(t) (first one on exact ties) */
  tStar: number;
  egAtTStar: number;
  etAtTStar: number;
  egFinal: number;
  etFinal: number;
  /** largest quadrature error estimate met */
  quadError: number;
}

/**
 * Optimal early-stopping epoch t* = argmin_{t = 1..epochs} Eg(t), with Eg and Et at t* and at t = epochs.
 * Continuous: Eg(eta t) of gradient flow; discrete: t epochs of gradient descent with step eta.
 *
 * @param eta learning rate (per summed-batch update), > 0
 * @param epochs integer >= 1
 */
export function optimalStopping(
  alpha: number,
  snr: number,
  eta: number,
  epochs: number,
  discrete = false,
  quad?: MpQuadrature,
): StoppingResult {
  checkAlpha(alpha, 'alpha');
  checkEta(alpha, eta, discrete, 'eta');
  checkEpochs(epochs, 'epochs');
  const q = quad ?? new MpQuadrature(alpha);
  const at = (t: number): ErrorPoint => gdErrors(alpha, snr, schedule(eta, t, discrete), q);
  let best = Infinity;
  let tStar = 1;
  let quadError = 0;
  for (let t = 1; t <= epochs; t++) {
    const p = at(t);
    quadError = Math.max(quadError, p.quadError);
    if (p.eg < best) {
      best = p.eg;
      tStar = t;
    }
  }
  const s = at(tStar);
  const f = at(epochs);
  return { tStar, egAtTStar: s.eg, etAtTStar: s.et, egFinal: f.eg, etFinal: f.et, quadError };
}

/** Schedule for epoch t at step eta. */
export function schedule(eta: number, t: number, discrete: boolean): Schedule {
  return discrete ? { kind: 'discrete', eta, t } : { kind: 'continuous', T: eta * t };
}

/** @internal per-mode decay factor d and 1 - d, accurate for small l T. */
function decayModel(alpha: number, s: Schedule): (l: number) => [number, number] {
  if (s.kind === 'continuous') {
    if (!Number.isFinite(s.T) || !(s.T >= 0)) throw new InputError('T', 'must be a finite number >= 0');
    const T = s.T;
    return (l) => [Math.exp(-l * T), -Math.expm1(-l * T)];
  }
  checkEta(alpha, s.eta, true, 'eta');
  if (!Number.isSafeInteger(s.t) || s.t < 0) throw new InputError('t', 'must be an integer number of epochs >= 0');
  const { eta, t } = s;
  return (l) => {
    const x = eta * l;
    if (x < 1) {
      const lg = t * Math.log1p(-x);
      return [Math.exp(lg), -Math.expm1(lg)];
    }
    const d = Math.pow(1 - x, t);
    return [d, 1 - d];
  };
}

/**
 * @internal First rule size for the quadrature. The integrands vary like exp(-2 l T_eff) with
 * T_eff = T (continuous) or t (-log(1 - eta l+)) / l+ (discrete); on the theta grid this needs about
 * sqrt(2 T_eff h) Fourier modes (Bessel I_k(2 T_eff h) / I_0 ~ exp(-k^2 / (4 T_eff h))). The discrete integrands are
 * polynomials of degree 2t in l, integrated exactly with t + 2 nodes.
 */
function resolution(q: MpQuadrature, s: Schedule): number {
  const lPlus = q.m + q.h;
  let tEff: number;
  let exact = Infinity;
  if (s.kind === 'continuous') tEff = s.T;
  else {
    const x = s.eta * lPlus;
    tEff = x < 1 ? (s.t * -Math.log1p(-x)) / lPlus : s.t * s.eta;
    exact = s.t + 2;
  }
  return Math.min(exact, 16 + Math.ceil(Math.sqrt(40 * tEff * q.h)));
}

/** @internal SNR must be a number > 0 (Infinity allowed). */
export function checkSnr(snr: number, where: string): void {
  if (typeof snr !== 'number' || Number.isNaN(snr) || !(snr > 0)) {
    throw new InputError(where, "must be a number > 0 (or Infinity, 'inf')");
  }
}

/** @internal eta must be finite and > 0; discrete descent also needs eta < 2 / l+. */
export function checkEta(alpha: number, eta: number, discrete: boolean, where: string): void {
  if (typeof eta !== 'number' || !Number.isFinite(eta) || !(eta > 0)) {
    throw new InputError(where, 'must be a finite number > 0');
  }
  if (discrete && !(eta < discreteEtaMax(alpha))) {
    throw new InputError(
      where,
      `must be < 2/(1+sqrt(alpha))^2 = ${discreteEtaMax(alpha)} for discrete gradient descent to converge`,
    );
  }
}

/** @internal epochs must be an integer in [1, 1e6]. */
export function checkEpochs(epochs: number, where: string): void {
  if (!Number.isSafeInteger(epochs) || epochs < 1 || epochs > 1_000_000) {
    throw new InputError(where, 'must be an integer between 1 and 1000000');
  }
}
