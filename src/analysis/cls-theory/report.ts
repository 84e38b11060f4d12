/**
 * One-call summaries of the Go-CLS generalization theory (Sun, Advani, Spruston, Saxe & Fitzgerald, Nature
 * Neuroscience 26, 2023; Advani, Saxe & Sompolinsky, Neural Networks 132, 2020) for the CLI and for plotting.
 * Everything returned is plain JSON: non-finite numbers are written as the string 'inf'.
 */
import { InputError } from '../../core/errors.ts';
import { MpQuadrature } from './marchenko-pastur.ts';
import {
  alphaOneGrowth,
  checkEpochs,
  checkEta,
  checkSnr,
  discreteEtaMax,
  egAsymptote,
  etAsymptote,
  gdErrors,
  optimalStopping,
  ridgeEg,
  ridgeLambda,
  schedule,
  signalNoise,
} from './gradient-descent.ts';
import { checkN, onlineEgOnePass } from './online.ts';
import { notebookMemoryError } from './notebook.ts';

/** A number in a JSON report: Infinity is written 'inf'. */
export type JsonNumber = number | 'inf';

/** Inputs of `clsTheoryReport` and `clsTheoryCurves` (flag names in error messages: --snr, --alpha, ...). */
export interface ClsTheoryOptions {
  /** signal-to-noise ratio s_w^2 / s_e^2, > 0; Infinity for noiseless labels */
  snr: number;
  /** load alpha = P / N, > 0 */
  alpha: number;
  /** learning rate of the summed full-batch update w += eta X^T (y - X w), > 0 */
  eta: number;
  /** number of epochs (full-batch steps), integer in [1, 1e6] */
  epochs: number;
  /** true: discrete gradient descent, (1 - eta l)^t; false (default): gradient flow at T = eta t */
  discrete?: boolean;
  /** input dimension N (optional): gives P = round(alpha N), the exact finite-N online student and the notebook */
  n?: number;
  /** notebook size M (optional, needs n): notebook memory error (P - 1) / (M - 1) */
  m?: number;
}

/** Summary of the theory for one setting (all errors mean squared, output variance 1). */
export interface ClsTheoryReport {
  theory: string;
  variant: 'continuous' | 'discrete';
  snr: JsonNumber;
  alpha: number;
  eta: number;
  epochs: number;
  n: number | null;
  /** number of examples P = round(alpha n), null without n */
  p: number | null;
  m: number | null;
  s_w2: number;
  s_e2: number;
  /** optimal early-stopping epoch, argmin over t = 1..epochs of Eg (this variant) */
  t_star: number;
  /** continuous time eta t_star */
  T_star: number;
  eg_at_t_star: number;
  et_at_t_star: number;
  eg_final: number;
  et_final: number;
  /** t_star of gradient flow and of discrete descent (null when eta >= 2 / (1 + sqrt(alpha))^2) */
  t_star_continuous: number;
  t_star_discrete: number | null;
  /** Eg and Et as t -> infinity (minimum-norm solution); eg_asymptote is 'inf' at alpha = 1, finite SNR */
  eg_asymptote: JsonNumber;
  et_asymptote: number;
  /** at alpha = 1 and finite SNR: c in Eg ~ c sqrt(eta t) (double-descent peak without early stopping), else null */
  eg_growth_alpha_1: number | null;
  /** Bayes-optimal ridge: lambda = 1/SNR for the summed loss, and its Eg (a lower bound on Eg(t) for all t) */
  ridge_lambda: number;
  eg_ridge: number;
  /** eg_at_t_star - eg_ridge (>= 0): what early stopping loses against the Bayes-optimal estimator */
  early_stopping_excess: number;
  /** largest stable eta of discrete gradient descent, 2 / (1 + sqrt(alpha))^2 */
  eta_max_discrete: number;
  /** online student (each of the P examples seen once, step eta): Eg after one pass; large-N limit without n */
  online_eg_one_pass: number;
  online_finite_n: boolean;
  /** (P - 1) / (M - 1), null without n and m */
  notebook_memory_error: number | null;
  /** largest error estimate of the spectral quadratures used */
  quad_error: number;
}

/** Plot-ready learning curves. */
export interface ClsTheoryCurves {
  variant: 'continuous' | 'discrete';
  /** epochs as given */
  t: number[];
  /** continuous time eta t */
  T: number[];
  eg: number[];
  et: number[];
  /** horizontal reference lines */
  eg_ridge: number;
  eg_asymptote: JsonNumber;
  et_asymptote: number;
}

/**
 * Parse an SNR flag: a number > 0, or 'inf' / 'infinity' (any case) for noiseless labels.
 *
 * @throws InputError('--snr', ...) otherwise
 */
export function parseSnr(text: string): number {
  const s = text.trim().toLowerCase();
  if (s === 'inf' || s === 'infinity' || s === '+inf') return Infinity;
  const v = s === '' ? NaN : Number(s);
  checkSnr(v, '--snr');
  return v;
}

/**
 * Generalization theory of the Go-CLS student for one setting: optimal early-stopping epoch t* and the errors
 * there and at the end of training, the t -> infinity asymptotes (with the alpha = 1 double-descent divergence),
 * the Bayes-optimal ridge error, the online student and the notebook error. See gradient-descent.ts for the
 * equations and conventions (s_w^2 = SNR/(SNR+1), s_e^2 = 1/(SNR+1), errors mean squared, T = eta t).
 *
 * Cost: about 2 x epochs spectral integrals of ~100-1000 nodes each (tens of ms for 2000 epochs).
 *
 * @throws InputError naming the flag (--snr, --alpha, --eta, --epochs, --n, --m) for invalid input
 */
export function clsTheoryReport(opts: ClsTheoryOptions): ClsTheoryReport {
  const o = validate(opts);
  const q = new MpQuadrature(o.alpha);
  const { sw2, se2 } = signalNoise(o.snr);
  const main = optimalStopping(o.alpha, o.snr, o.eta, o.epochs, o.discrete, q);
  const stable = o.eta < discreteEtaMax(o.alpha);
  const cont = o.discrete ? optimalStopping(o.alpha, o.snr, o.eta, o.epochs, false, q) : main;
  const disc = o.discrete ? main : stable ? optimalStopping(o.alpha, o.snr, o.eta, o.epochs, true, q) : null;
  const egRidge = ridgeEg(o.alpha, o.snr);
  const p = o.n === undefined ? null : Math.round(o.alpha * o.n);
  return {
    theory: 'Advani, Saxe & Sompolinsky 2020 (Neural Networks 132); Sun et al. 2023 (Nature Neuroscience 26)',
    variant: o.discrete ? 'discrete' : 'continuous',
    snr: json(o.snr),
    alpha: o.alpha,
    eta: o.eta,
    epochs: o.epochs,
    n: o.n ?? null,
    p,
    m: o.m ?? null,
    s_w2: sw2,
    s_e2: se2,
    t_star: main.tStar,
    T_star: o.eta * main.tStar,
    eg_at_t_star: main.egAtTStar,
    et_at_t_star: main.etAtTStar,
    eg_final: main.egFinal,
    et_final: main.etFinal,
    t_star_continuous: cont.tStar,
    t_star_discrete: disc ? disc.tStar : null,
    eg_asymptote: json(egAsymptote(o.alpha, o.snr)),
    et_asymptote: etAsymptote(o.alpha, o.snr),
    eg_growth_alpha_1: o.alpha === 1 && se2 > 0 ? alphaOneGrowth(o.snr) : null,
    ridge_lambda: ridgeLambda(o.snr),
    eg_ridge: egRidge,
    early_stopping_excess: main.egAtTStar - egRidge,
    eta_max_discrete: discreteEtaMax(o.alpha),
    online_eg_one_pass: onlineEgOnePass(o.alpha, o.snr, o.eta, o.n),
    online_finite_n: o.n !== undefined,
    notebook_memory_error: p !== null && o.m !== undefined ? notebookMemoryError(p, o.m) : null,
    quad_error: Math.max(main.quadError, cont.quadError, disc ? disc.quadError : 0),
  };
}

/**
 * Learning curves Eg(t), Et(t) at the given epochs (the variant chosen by opts.discrete), with the ridge optimum
 * and the asymptotes as reference lines.
 *
 * @param times epochs, finite and >= 0 (integers for the discrete variant)
 * @throws InputError for invalid options or times
 */
export function clsTheoryCurves(opts: ClsTheoryOptions, times: readonly number[]): ClsTheoryCurves {
  const o = validate(opts);
  if (!Array.isArray(times)) throw new InputError('times', 'must be an array of epochs');
  const q = new MpQuadrature(o.alpha);
  const out: ClsTheoryCurves = {
    variant: o.discrete ? 'discrete' : 'continuous',
    t: [],
    T: [],
    eg: [],
    et: [],
    eg_ridge: ridgeEg(o.alpha, o.snr),
    eg_asymptote: json(egAsymptote(o.alpha, o.snr)),
    et_asymptote: etAsymptote(o.alpha, o.snr),
  };
  times.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || (o.discrete && !Number.isSafeInteger(t))) {
      const expected = o.discrete ? 'must be an integer epoch >= 0' : 'must be a finite number >= 0';
      throw new InputError(`times[${i}]`, expected);
    }
    const pt = gdErrors(o.alpha, o.snr, schedule(o.eta, t, o.discrete), q);
    out.t.push(t);
    out.T.push(o.eta * t);
    out.eg.push(pt.eg);
    out.et.push(pt.et);
  });
  return out;
}

interface Valid {
  snr: number;
  alpha: number;
  eta: number;
  epochs: number;
  discrete: boolean;
  n?: number;
  m?: number;
}

function validate(opts: ClsTheoryOptions): Valid {
  if (typeof opts !== 'object' || opts === null) throw new InputError('options', 'must be an object');
  checkSnr(opts.snr, '--snr');
  if (typeof opts.alpha !== 'number' || !Number.isFinite(opts.alpha) || !(opts.alpha > 0)) {
    throw new InputError('--alpha', 'must be a finite number > 0');
  }
  if (opts.discrete !== undefined && typeof opts.discrete !== 'boolean') {
    throw new InputError('--discrete', 'must be true or false');
  }
  const discrete = opts.discrete ?? false;
  checkEta(opts.alpha, opts.eta, discrete, '--eta');
  checkEpochs(opts.epochs, '--epochs');
  const v: Valid = { snr: opts.snr, alpha: opts.alpha, eta: opts.eta, epochs: opts.epochs, discrete };
  if (opts.n !== undefined) {
    checkN(opts.n, '--n');
    if (Math.round(opts.alpha * opts.n) < 1) throw new InputError('--n', 'must make P = round(alpha n) >= 1');
    v.n = opts.n;
  }
  if (opts.m !== undefined) {
    if (!Number.isSafeInteger(opts.m) || opts.m < 2) throw new InputError('--m', 'must be an integer >= 2');
    if (opts.n === undefined) {
      throw new InputError('--m', 'needs --n (the notebook stores P = round(alpha n) patterns)');
    }
    v.m = opts.m;
  }
  return v;
}

function json(x: number): JsonNumber {
  return Number.isFinite(x) ? x : 'inf';
}
