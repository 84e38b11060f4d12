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

/**
 * One full-batch gradient step in place: w += eta sum_b (y_b - w . x_b) x_b over `count` rows of x (row-major).
 * The predictions of four rows are summed side by side (four independent sums, each in the order j = 0 .. N - 1,
 * so every number is the one-row-at-a-time loop's); the gradient is accumulated row by row in order, a row with a
 * zero residual skipped. `grad` (length >= N) is scratch.
 */
export function gradientStep(w: Float64Array, x: Float64Array, y: ArrayLike<number>, count: number, eta: number, grad: Float64Array = new Float64Array(w.length)): void {
  const n = w.length;
  grad.fill(0, 0, n);
  const res = [0, 0, 0, 0];
  for (let b0 = 0; b0 < count; b0 += 4) {
    const rows = Math.min(4, count - b0);
    if (rows === 4) {
      const q0 = b0 * n;
      const q1 = q0 + n;
      const q2 = q1 + n;
      const q3 = q2 + n;
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      for (let j = 0; j < n; j++) {
        const wj = w[j]!;
        p0 += wj * x[q0 + j]!;
        p1 += wj * x[q1 + j]!;
        p2 += wj * x[q2 + j]!;
        p3 += wj * x[q3 + j]!;
      }
      res[0] = y[b0]! - p0;
      res[1] = y[b0 + 1]! - p1;
      res[2] = y[b0 + 2]! - p2;
      res[3] = y[b0 + 3]! - p3;
    } else {
      for (let r = 0; r < rows; r++) {
        const row = (b0 + r) * n;
        let pred = 0;
        for (let j = 0; j < n; j++) pred += w[j]! * x[row + j]!;
        res[r] = y[b0 + r]! - pred;
      }
    }
    for (let r = 0; r < rows; r++) {
      const e = res[r]!;
      if (e === 0) continue;
      const row = (b0 + r) * n;
      for (let j = 0; j < n; j++) grad[j]! += e * x[row + j]!;
    }
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

  /**
   * E(w) = w^T C w - 2 b . w + c, clamped at 0 against rounding. Four rows of C w are summed side by side (each in
   * the order j = 0 .. N - 1), and quad and lin are accumulated row by row in order: the one-row loop's numbers.
   */
  error(w: Float64Array): number {
    const { n, c2, b } = this;
    let quad = 0;
    let lin = 0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < n; j++) {
        const wj = w[j]!;
        s0 += c2[r0 + j]! * wj;
        s1 += c2[r1 + j]! * wj;
        s2 += c2[r2 + j]! * wj;
        s3 += c2[r3 + j]! * wj;
      }
      quad += w[i]! * s0;
      lin += b[i]! * w[i]!;
      quad += w[i + 1]! * s1;
      lin += b[i + 1]! * w[i + 1]!;
      quad += w[i + 2]! * s2;
      lin += b[i + 2]! * w[i + 2]!;
      quad += w[i + 3]! * s3;
      lin += b[i + 3]! * w[i + 3]!;
    }
    for (; i < n; i++) {
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
    this.grad = new Float64Array(n);
  }

  private readonly grad: Float64Array;

  /** One update on `count` examples (rows of x, outputs y). */
  step(x: Float64Array, y: ArrayLike<number>, count: number): void {
    gradientStep(this.w, x, y, count, this.eta, this.grad);
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
