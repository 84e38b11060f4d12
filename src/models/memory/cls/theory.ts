/**
 * Average learning curves of a linear student trained by full-batch gradient descent on P = alpha N examples of a
 * linear teacher with noise (Advani, Saxe & Sompolinsky, "High-dimensional dynamics of generalization error in neural
 * networks", Neural Networks 132, 428-446, 2020), as used by Sun et al. 2023 (Supplementary; Go-CLS_v2 Fig_2/Fig_2g_h.m).
 * In the limit N -> infinity the eigenvalues l of X^T X (x_i ~ N(0, 1/N)) follow the Marchenko-Pastur density
 *
 *   rho(l) = sqrt((l+ - l)(l - l-)) / (2 pi l)  on [l-, l+],  l+- = (1 +- sqrt(alpha))^2   (mass min(1, alpha))
 *
 * and, with s_w^2 = SNR / (SNR + 1), s_e^2 = 1 / (SNR + 1), errors mean squared with no 1/2:
 *
 *   Eg(t) = s_w^2 int rho(l) f_t(l)^2 dl + s_e^2 int rho(l) (1 - f_t(l))^2 / l dl + s_w^2 (1 - alpha)[alpha < 1] + s_e^2
 *   Et(t) = (1/alpha) int rho(l) (l s_w^2 + s_e^2) f_t(l)^2 dl + (1 - 1/alpha) s_e^2 [alpha > 1]
 *
 * with f_t(l) = exp(-eta l t) (gradient flow, `time: 'continuous'`, the paper's curves and go_cls.json) or
 * f_t(l) = (1 - eta l)^t (the discrete updates w <- w + eta X^T (y - X w) that the simulation runs, `'discrete'`).
 * The integrals are taken in theta with l = l- + (l+ - l-)(1 - cos theta)/2, which makes the integrands smooth even at
 * alpha = 1 (where rho ~ l^{-1/2}), by the midpoint rule.
 */
import { InputError } from '../../../core/errors.ts';
import { snrVariances } from './teacher.ts';

export interface TheoryParams {
  readonly snr: number;
  /** P / N. */
  readonly alpha: number;
  readonly eta: number;
  readonly epochs: number;
  /** 'continuous' (default): f = exp(-eta l t); 'discrete': f = (1 - eta l)^t. */
  readonly time?: 'continuous' | 'discrete';
  /** Quadrature nodes (default 2000). */
  readonly nodes?: number;
}

export interface TheoryCurves {
  /** Epoch t = 0..epochs; train[t] = Et(t), test[t] = Eg(t). */
  readonly train: Float64Array;
  readonly test: Float64Array;
  /** argmin_t Eg(t) over t = 0..epochs (the first on ties), and the errors there. */
  readonly tStar: number;
  readonly testAtTStar: number;
  readonly trainAtTStar: number;
}

/** Expected training and generalization error curves of gradient descent (see the module comment). */
export function gdTheory(params: TheoryParams): TheoryCurves {
  const { snr, alpha, eta, epochs } = params;
  const time = params.time ?? 'continuous';
  const q = params.nodes ?? 2000;
  if (!(snr >= 0)) throw new InputError('cls theory: snr', `must be >= 0, got ${snr}`);
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new InputError('cls theory: alpha', `must be > 0, got ${alpha}`);
  if (!(eta > 0)) throw new InputError('cls theory: eta', `must be > 0, got ${eta}`);
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new InputError('cls theory: epochs', `must be an integer >= 0, got ${epochs}`);
  const { sw2, se2 } = snrVariances(snr);
  const lm = (1 - Math.sqrt(alpha)) ** 2;
  const lp = (1 + Math.sqrt(alpha)) ** 2;
  const half = (lp - lm) / 2;
  const lam = new Float64Array(q);
  const wt = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    const th = (Math.PI * (i + 0.5)) / q;
    const s = Math.sin(th);
    const l = lm + half * (1 - Math.cos(th));
    lam[i] = l;
    // rho(l) dl = half^2 sin^2(theta) / (2 pi l) dtheta
    wt[i] = ((half * half * s * s) / (2 * Math.PI * l)) * (Math.PI / q);
  }
  const train = new Float64Array(epochs + 1);
  const test = new Float64Array(epochs + 1);
  const zeroModes = alpha < 1 ? 1 - alpha : 0;
  const extraTrain = alpha > 1 ? (1 - 1 / alpha) * se2 : 0;
  for (let t = 0; t <= epochs; t++) {
    let ig = 0;
    let it = 0;
    for (let i = 0; i < q; i++) {
      const l = lam[i]!;
      const f = time === 'continuous' ? Math.exp(-eta * l * t) : Math.pow(1 - eta * l, t);
      const one = time === 'continuous' ? -Math.expm1(-eta * l * t) : 1 - f;
      const f2 = f * f;
      ig += wt[i]! * (sw2 * f2 + (se2 * one * one) / l);
      it += wt[i]! * (l * sw2 + se2) * f2;
    }
    test[t] = ig + sw2 * zeroModes + se2;
    train[t] = it / alpha + extraTrain;
  }
  let tStar = 0;
  for (let t = 1; t <= epochs; t++) if (test[t]! < test[tStar]!) tStar = t;
  return { train, test, tStar, testAtTStar: test[tStar]!, trainAtTStar: train[tStar]! };
}
