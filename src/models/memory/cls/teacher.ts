/**
 * Teachers: the environment that generates the (x, y) examples the notebook stores and the student learns
 * (Sun et al. 2023, Fig. 1 and Methods "Teacher network"; the two deterministic sources of unpredictability of
 * their Fig. 4: a complex teacher and a partially observed teacher).
 *
 * Every input is x_i ~ N(0, 1/N) (N the student's input count), every output has variance 1, so errors of the zero
 * predictor are 1 in expectation. For a linear student, each teacher is a linear rule plus a residual that is
 * uncorrelated with x, of variance 1 - s_w^2; its effective signal-to-noise ratio is SNR = s_w^2 / (1 - s_w^2):
 *
 *   linear    y = x . w + e                 s_w^2 = SNR / (SNR + 1)                     (SNR = Infinity: e = 0)
 *   complex   y = c sin(g x . w), |w|^2 = N  s_w^2 = rho^2 = 2 g^2 e^{-g^2} / (1 - e^{-2 g^2})
 *             (best linear weights c g e^{-g^2/2} w; residual deterministic, uncorrelated with x, not Gaussian)
 *   partial   y = x_full . w_full over N + H inputs, the student sees N;   SNR = N / H   (in expectation over w;
 *             given w it is |w_seen|^2 / |w_hidden|^2). The hidden part is exactly Gaussian and independent of the
 *             seen inputs, so for the student it is noise of variance |w_hidden|^2 / N.
 *
 * Random numbers (CounterRng, seed = the teacher's seed): weights stream 'cls:teacher:w' (index i); inputs stream
 * 'cls:x:<split>' (index example, tick input i, hidden inputs after the seen ones); output noise 'cls:noise:<split>'
 * (index example). Train and test sets are different splits ('train', 'test') of the same teacher.
 */
import { InputError } from '../../../core/errors.ts';
import { CounterRng, streamId } from '../../../core/rng.ts';
import { validateTeacherParams, type TeacherParams } from './params.ts';

export interface Teacher {
  readonly params: TeacherParams;
  readonly seed: number;
  /** Inputs the student sees (N). */
  readonly n: number;
  /** Inputs of the teacher (N, or N + hidden for the partially observed teacher). */
  readonly inputs: number;
  /** Teacher weights over its `inputs` inputs. */
  readonly w: Float64Array;
  /** Output noise s_e (linear teacher; 0 otherwise). */
  readonly noiseSd: number;
  /** Output scale c of the complex teacher (1 otherwise). */
  readonly scale: number;
  /** Best linear student weights (N): E[y x] N, the rule a linear student can learn. */
  readonly linearW: Float64Array;
  /** Variance of the part of y a linear student cannot predict, given the teacher's weights. */
  readonly residualVariance: number;
  /** Effective SNR for a linear student, given this teacher's weights: (|linearW|^2 / N) / residualVariance. */
  readonly realizedSnr: number;
  /** Effective SNR in expectation over teachers (teacherEffectiveSnr). */
  readonly effectiveSnr: number;
}

/** Examples, row-major: x[mu * n + i] is input i of example mu. */
export interface Dataset {
  readonly n: number;
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Fraction of the complex teacher's output variance that is linear in x: rho^2 = 2 g^2 e^{-g^2} / (1 - e^{-2 g^2}). */
export function complexTeacherLinearFraction(gain: number): number {
  const g2 = gain * gain;
  return (2 * g2 * Math.exp(-g2)) / -Math.expm1(-2 * g2);
}

/** Effective SNR of the complex teacher y = c sin(g u) for a linear student: rho^2 / (1 - rho^2). */
export function complexTeacherSnr(gain: number): number {
  const rho2 = complexTeacherLinearFraction(gain);
  return rho2 / (1 - rho2);
}

/** Effective SNR of the partially observed teacher (N seen, H hidden inputs, equal weight variance): N / H. */
export function partialTeacherSnr(n: number, hidden: number): number {
  return hidden === 0 ? Infinity : n / hidden;
}

/** Hidden inputs that make a partially observed teacher of N seen inputs act as noise of the given SNR: N / SNR. */
export function hiddenForSnr(n: number, snr: number): number {
  if (!(snr > 0)) throw new InputError('cls: /teacher/snr', `must be > 0, got ${snr}`);
  return snr === Infinity ? 0 : Math.round(n / snr);
}

/** Effective SNR of a teacher for a linear student, in expectation over teacher weights. */
export function teacherEffectiveSnr(params: TeacherParams): number {
  switch (params.kind) {
    case 'linear':
      return params.snr;
    case 'complex':
      return complexTeacherSnr(params.gain);
    case 'partial':
      return partialTeacherSnr(params.n, params.hidden);
  }
}

/** s_w^2 and s_e^2 of a linear teacher of the given SNR (s_w^2 + s_e^2 = 1). */
export function snrVariances(snr: number): { sw2: number; se2: number } {
  return snr === Infinity ? { sw2: 1, se2: 0 } : { sw2: snr / (snr + 1), se2: 1 / (snr + 1) };
}

function sumSq(v: Float64Array, from = 0, to = v.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i]! * v[i]!;
  return s;
}

/** Draws a teacher's weights (stream 'cls:teacher:w', index i). */
export function createTeacher(params: TeacherParams, seed: number): Teacher {
  validateTeacherParams(params);
  const rng = new CounterRng(seed);
  const wStream = streamId('cls:teacher:w');
  const n = params.n;
  const inputs = params.kind === 'partial' ? n + params.hidden : n;
  const w = new Float64Array(inputs);
  for (let i = 0; i < inputs; i++) w[i] = rng.normal(wStream, i, 0);
  let noiseSd = 0;
  let scale = 1;
  let linearW: Float64Array;
  let residualVariance: number;
  switch (params.kind) {
    case 'linear': {
      const { sw2, se2 } = snrVariances(params.snr);
      const sw = Math.sqrt(sw2);
      for (let i = 0; i < n; i++) w[i]! *= sw;
      noiseSd = Math.sqrt(se2);
      linearW = w.slice();
      residualVariance = se2;
      break;
    }
    case 'complex': {
      const norm = Math.sqrt(n / sumSq(w));
      for (let i = 0; i < n; i++) w[i]! *= norm;
      const g = params.gain;
      scale = Math.sqrt(2 / -Math.expm1(-2 * g * g));
      const lin = scale * g * Math.exp((-g * g) / 2);
      linearW = w.map((wi) => wi * lin);
      residualVariance = 1 - complexTeacherLinearFraction(g);
      break;
    }
    case 'partial': {
      const sw = Math.sqrt(n / inputs);
      for (let i = 0; i < inputs; i++) w[i]! *= sw;
      linearW = w.slice(0, n);
      residualVariance = sumSq(w, n, inputs) / n;
      break;
    }
  }
  const signal = sumSq(linearW) / n;
  return Object.freeze({
    params,
    seed,
    n,
    inputs,
    w,
    noiseSd,
    scale,
    linearW,
    residualVariance,
    realizedSnr: residualVariance === 0 ? Infinity : signal / residualVariance,
    effectiveSnr: teacherEffectiveSnr(params),
  });
}

/**
 * Draws `count` examples of split `split` ('train', 'test', or any name: different names give independent sets).
 * Inputs x_i ~ N(0, 1/N) (stream 'cls:x:<split>'), outputs from the teacher, noise from stream 'cls:noise:<split>'.
 */
export function sampleData(teacher: Teacher, count: number, split: string, seed: number = teacher.seed): Dataset {
  if (!Number.isSafeInteger(count) || count < 0) throw new InputError('cls: sampleData count', `must be an integer >= 0, got ${count}`);
  const rng = new CounterRng(seed);
  const xStream = streamId(`cls:x:${split}`);
  const eStream = streamId(`cls:noise:${split}`);
  const { n, inputs, w } = teacher;
  const sx = 1 / Math.sqrt(n);
  const x = new Float64Array(count * n);
  const y = new Float64Array(count);
  const full = new Float64Array(inputs);
  const g = teacher.params.kind === 'complex' ? teacher.params.gain : 0;
  for (let mu = 0; mu < count; mu++) {
    let u = 0;
    for (let i = 0; i < inputs; i++) {
      const xi = sx * rng.normal(xStream, mu, i);
      full[i] = xi;
      u += xi * w[i]!;
    }
    x.set(full.subarray(0, n), mu * n);
    switch (teacher.params.kind) {
      case 'linear':
        y[mu] = teacher.noiseSd > 0 ? u + teacher.noiseSd * rng.normal(eStream, mu, 0) : u;
        break;
      case 'complex':
        y[mu] = teacher.scale * Math.sin(g * u);
        break;
      case 'partial':
        y[mu] = u;
        break;
    }
  }
  return { n, count, x, y };
}

/** The rows `rows` of a data set, in that order. */
export function subset(data: Dataset, rows: ArrayLike<number>): Dataset {
  const { n } = data;
  const x = new Float64Array(rows.length * n);
  const y = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const mu = rows[r]!;
    x.set(data.x.subarray(mu * n, mu * n + n), r * n);
    y[r] = data.y[mu]!;
  }
  return { n, count: rows.length, x, y };
}
