/**
 * Independent references for the CLS tests, written from the equations (not from the model's code):
 * - jacobiEigen: cyclic Jacobi eigendecomposition of a symmetric matrix;
 * - gdWeights: closed form of full-batch gradient descent w_t = w_{t-1} + eta X^T (y - X w_{t-1}) from w_0 = 0,
 *   w_t = V diag((1 - (1 - eta l)^t) / l) V^T X^T y, from the eigendecomposition X^T X = V diag(l) V^T;
 * - IntegerNotebook: the notebook's dynamics with the dense recurrent matrix in exact integer arithmetic (for
 *   a = 1/20 and gamma = 0.6, 400 n W_ij = 400 n_ij - 20 (n_i + n_j) + P - 228 with n = M a (1 - a), n_ij the number
 *   of patterns holding units i and j), synchronous full updates with a full sort for k-winners-take-all.
 */

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major n x n) of the symmetric n x n matrix a. */
export function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i]!;
  return { values, vectors: V };
}

/** Precomputed spectral form of gradient descent on one data set (X row-major P x N, y of length P). */
export class GdClosedForm {
  readonly n: number;
  private readonly values: Float64Array;
  private readonly vectors: Float64Array;
  /** V^T X^T y */
  private readonly proj: Float64Array;

  constructor(x: Float64Array, y: Float64Array, p: number, n: number) {
    this.n = n;
    const c = new Float64Array(n * n);
    const b = new Float64Array(n);
    for (let mu = 0; mu < p; mu++) {
      for (let i = 0; i < n; i++) {
        const xi = x[mu * n + i]!;
        b[i]! += xi * y[mu]!;
        for (let j = 0; j < n; j++) c[i * n + j]! += xi * x[mu * n + j]!;
      }
    }
    const { values, vectors } = jacobiEigen(c, n);
    this.values = values;
    this.vectors = vectors;
    this.proj = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += vectors[i * n + k]! * b[i]!;
      this.proj[k] = s;
    }
  }

  /** w_t after t updates with learning rate eta. */
  weights(t: number, eta: number): Float64Array {
    const { n, values, vectors, proj } = this;
    const w = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const l = values[k]!;
      const g = Math.abs(l) < 1e-14 ? eta * t : (1 - Math.pow(1 - eta * l, t)) / l;
      const coef = g * proj[k]!;
      for (let i = 0; i < n; i++) w[i]! += coef * vectors[i * n + k]!;
    }
    return w;
  }
}

/** (1/P) sum (y - w . x)^2 by direct summation. */
export function mse(w: Float64Array, x: Float64Array, y: Float64Array, p: number, n: number): number {
  let s = 0;
  for (let mu = 0; mu < p; mu++) {
    let pred = 0;
    for (let i = 0; i < n; i++) pred += w[i]! * x[mu * n + i]!;
    s += (y[mu]! - pred) ** 2;
  }
  return s / p;
}

/**
 * The notebook in exact integer arithmetic, valid for a = 1/20 and gamma = 0.6: F_i = 400 n h_i is an integer.
 * Patterns are lists of active units (k each).
 */
export class IntegerNotebook {
  readonly m: number;
  readonly k: number;
  readonly p: number;
  /** 400 n W_ij, dense, zero diagonal. */
  readonly w: Int32Array;
  /** 400 n U (must be an integer). */
  readonly u400: number;

  constructor(patterns: ArrayLike<number>, m: number, k: number, p: number, u: number) {
    if (k * 20 !== m) throw new Error('IntegerNotebook needs a = 1/20');
    this.m = m;
    this.k = k;
    this.p = p;
    const member: Uint8Array[] = [];
    const count = new Int32Array(m);
    for (let mu = 0; mu < p; mu++) {
      const row = new Uint8Array(m);
      for (let j = 0; j < k; j++) {
        row[patterns[mu * k + j]!] = 1;
        count[patterns[mu * k + j]!]!++;
      }
      member.push(row);
    }
    this.w = new Int32Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        let nij = 0;
        for (let mu = 0; mu < p; mu++) nij += member[mu]![i]! & member[mu]![j]!;
        this.w[i * m + j] = 400 * nij - 20 * (count[i]! + count[j]!) + p - 228;
      }
    }
    const n = m * 0.05 * 0.95;
    const u400 = 400 * n * u;
    if (Math.abs(u400 - Math.round(u400)) > 1e-9) throw new Error('400 n U must be an integer');
    this.u400 = Math.round(u400);
  }

  field(s: Uint8Array): Float64Array {
    const { m, w } = this;
    const f = new Float64Array(m);
    for (let j = 0; j < m; j++) if (s[j]) for (let i = 0; i < m; i++) f[i]! += w[i * m + j]!;
    return f;
  }

  /** k-winners-take-all by a full sort: largest field first, ties by lower index. */
  kwta(s: Uint8Array): Uint8Array {
    const f = this.field(s);
    const idx = Array.from({ length: this.m }, (_, i) => i).sort((a, b) => f[b]! - f[a]! || a - b);
    const out = new Uint8Array(this.m);
    for (let r = 0; r < this.k; r++) out[idx[r]!] = 1;
    return out;
  }

  threshold(s: Uint8Array): Uint8Array {
    const f = this.field(s);
    return Uint8Array.from(f, (v) => (v >= this.u400 ? 1 : 0));
  }

  /** Synchronous dynamics from s: `kwta` kWTA cycles then `thr` fixed-threshold cycles (no early exit). */
  run(s0: Uint8Array, kwta: number, thr: number): Uint8Array {
    let s = s0;
    for (let c = 0; c < kwta; c++) s = this.kwta(s);
    for (let c = 0; c < thr; c++) s = this.threshold(s);
    return s;
  }
}

/** Mean of an array of numbers. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}
