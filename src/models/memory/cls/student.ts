/**
 * The student (neocortex) of Sun et al. 2023: a linear network y^ = w . x (N inputs, one output, no bias) trained
 * from w = 0 by full-batch gradient descent on each epoch's batch of replayed examples (x^_b, y^_b):
 *
 *   w <- w + eta sum_b (y^_b - w . x^_b) x^_b           (no 1/P, as in the published code; eta = 0.015)
 *
 * Errors are mean squared with no factor 1/2: E(w) = (1/P) sum_mu (y^mu - w . x^mu)^2. They are evaluated through
 * the second moments of the data set (GramError), E(w) = w^T C w - 2 b . w + c with C = X^T X / P, b = X^T y / P,
 * c = y . y / P, which costs N^2 per evaluation instead of P N and is exact up to rounding.
 */
import type { Dataset } from './teacher.ts';

/** One full-batch gradient step in place: w += eta sum_b (y_b - w . x_b) x_b over `count` rows of x (row-major). */
export function gradientStep(w: Float64Array, x: Float64Array, y: ArrayLike<number>, count: number, eta: number): void {
  const n = w.length;
  const grad = new Float64Array(n);
  for (let b = 0; b < count; b++) {
    const row = b * n;
    let pred = 0;
    for (let j = 0; j < n; j++) pred += w[j]! * x[row + j]!;
    const r = y[b]! - pred;
    if (r === 0) continue;
    for (let j = 0; j < n; j++) grad[j]! += r * x[row + j]!;
  }
  for (let j = 0; j < n; j++) w[j]! += eta * grad[j]!;
}

/** Mean squared error (no 1/2) of w on a data set, by direct summation. */
export function meanSquaredError(w: Float64Array, data: Dataset): number {
  const { n, count, x, y } = data;
  let sum = 0;
  for (let mu = 0; mu < count; mu++) {
    let pred = 0;
    for (let j = 0; j < n; j++) pred += w[j]! * x[mu * n + j]!;
    const d = y[mu]! - pred;
    sum += d * d;
  }
  return sum / count;
}

/** Mean squared error of a linear predictor on a fixed data set through its second moments (N^2 per call). */
export class GramError {
  readonly n: number;
  /** C = X^T X / P (N x N), b = X^T y / P, c = y . y / P (the error of the zero predictor). */
  readonly c2: Float64Array;
  readonly b: Float64Array;
  readonly c: number;

  constructor(data: Dataset) {
    const { n, count, x, y } = data;
    this.n = n;
    this.c2 = new Float64Array(n * n);
    this.b = new Float64Array(n);
    let c = 0;
    for (let mu = 0; mu < count; mu++) {
      const row = mu * n;
      const ym = y[mu]!;
      c += ym * ym;
      for (let i = 0; i < n; i++) {
        const xi = x[row + i]!;
        this.b[i]! += xi * ym;
        const ci = i * n;
        for (let j = 0; j <= i; j++) this.c2[ci + j]! += xi * x[row + j]!;
      }
    }
    const inv = 1 / count;
    for (let i = 0; i < n; i++) {
      this.b[i]! *= inv;
      for (let j = 0; j <= i; j++) {
        const v = this.c2[i * n + j]! * inv;
        this.c2[i * n + j] = v;
        this.c2[j * n + i] = v;
      }
    }
    this.c = c * inv;
  }

  /** E(w) = w^T C w - 2 b . w + c, clamped at 0 against rounding. */
  error(w: Float64Array): number {
    const { n, c2, b } = this;
    let quad = 0;
    let lin = 0;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += c2[row + j]! * w[j]!;
      quad += w[i]! * s;
      lin += b[i]! * w[i]!;
    }
    const e = quad - 2 * lin + this.c;
    return e > 0 ? e : 0;
  }
}

/** A linear student with its weights; `step` applies one full-batch gradient-descent update. */
export class Student {
  readonly n: number;
  readonly eta: number;
  readonly w: Float64Array;
  /** Number of updates applied. */
  updates = 0;

  constructor(n: number, eta: number) {
    this.n = n;
    this.eta = eta;
    this.w = new Float64Array(n);
  }

  /** One update on `count` examples (rows of x, outputs y). */
  step(x: Float64Array, y: ArrayLike<number>, count: number): void {
    gradientStep(this.w, x, y, count, this.eta);
    this.updates++;
  }

  predict(x: ArrayLike<number>): number {
    let s = 0;
    for (let j = 0; j < this.n; j++) s += this.w[j]! * x[j]!;
    return s;
  }

  toString(): string {
    return `<Student linear N=${this.n} eta=${this.eta} updates=${this.updates}>`;
  }
}
