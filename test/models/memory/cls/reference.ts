import type { Dataset } from '../../../../src/models/memory/cls/teacher.ts';

/**
 * Independent references for the CLS tests, written from the equations (not from the model's code):
 * - jacobiEigen: cyclic Jacobi eigendecomposition of a symmetric matrix;
 * - gdWeights: closed form of full-batch gradient descent w_t = w_{t-1} + eta X^T (y - X w_{t-1}) from w_0 = 0,
 *   w_t = V diag((1 - (1 - eta l)^t) / l) V^T X^T y, from the eigendecomposition X^T X = V diag(l) V^T;
 * - IntegerNotebook: the notebook's dynamics with the dense recurrent matrix in exact integer arithmetic (for
 *   a = 1/20 and gamma = 0.6, 400 n W_ij = 400 n_ij - 20 (n_i + n_j) + P - 228 with n = M a (1 - a), n_ij the number
 *   of patterns holding units i and j), synchronous full updates with a full sort for k-winners-take-all;
 * - referenceRun: a whole teacher / notebook / student run from the paper's definitions (IntegerNotebook dynamics,
 *   readout, recall, gradient descent, errors by direct summation, combined error and scores), for small systems.
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

/** The inputs of a reference run: the model's random draws only (data, index patterns, reactivation seeds). */
export interface ReferenceRunInput {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Index patterns, k active units each (the notebook's draw). */
  readonly patterns: ArrayLike<number>;
  readonly m: number;
  readonly k: number;
  /** Threshold U of the fixed-threshold cycles (400 n U must be an integer: IntegerNotebook). */
  readonly u: number;
  readonly kwtaCycles: number;
  readonly thresholdCycles: number;
  readonly eta: number;
  readonly epochs: number;
  /** The random seed state of reactivation (epoch, slot) (the notebook's draw). */
  readonly seedState: (epoch: number, slot: number) => Uint8Array;
  /** Notebook removed after this many updates. */
  readonly lesionAt?: number;
}

export interface ReferenceRun {
  readonly studentTrain: Float64Array;
  readonly studentTest: Float64Array;
  readonly notebookTrain: number;
  readonly combined: Float64Array;
  readonly memoryScore: Float64Array;
  readonly lesionScore: Float64Array;
  readonly generalizationScore: Float64Array;
}

/**
 * The teacher / notebook / student run of Sun et al. (2023) written again from the paper's definitions, for small
 * systems (a = 1/20, gamma = 0.6: the notebook is IntegerNotebook, dense and exact), sharing with the model only its
 * random draws:
 * - readout of a notebook state s: g_mu = (o_mu - a S) / n with o_mu = |xi^mu ∩ s|, S = |s|, n = M a (1 - a);
 *   x^ = sum_mu g_mu x^mu, y^ = sum_mu g_mu y^mu;
 * - reactivation: seed -> kWTA cycles -> fixed-threshold cycles -> readout; every reactivation of an epoch is replayed;
 * - recall from a cue x: graded state s0_i = sum_{mu ∋ i} d_mu - a sum_mu d_mu (d_mu = x^mu . x), one kWTA cycle on
 *   the field W s0, then kWTA cycles on the binary state (kwtaCycles in all), readout y^;
 * - student: w_0 = 0, w <- w + eta sum_b (y^_b - w . x^_b) x^_b over the epoch's P readouts;
 * - errors by direct summation; the system's memory error is that of its better part, the notebook's recall or the
 *   student (only the student after a lesion); scores are 1 - E / E(w = 0) with E(w = 0) = mean y^2 of the set.
 */
export function referenceRun(inp: ReferenceRunInput): ReferenceRun {
  const { train, test, patterns, m, k, eta, epochs } = inp;
  const { n, count: p } = train;
  const a = k / m;
  const norm = m * a * (1 - a);
  const nb = new IntegerNotebook(patterns, m, k, p, inp.u);
  const readout = (s: Uint8Array, outX: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < m; i++) total += s[i]!;
    outX.fill(0);
    let y = 0;
    for (let mu = 0; mu < p; mu++) {
      let o = 0;
      for (let j = 0; j < k; j++) o += s[patterns[mu * k + j]!]!;
      const g = (o - a * total) / norm;
      y += g * train.y[mu]!;
      for (let j = 0; j < n; j++) outX[j]! += g * train.x[mu * n + j]!;
    }
    return y;
  };
  const topK = (f: Float64Array): Uint8Array => {
    const idx = Array.from({ length: m }, (_, i) => i).sort((u, v) => f[v]! - f[u]! || u - v);
    const out = new Uint8Array(m);
    for (let r = 0; r < k; r++) out[idx[r]!] = 1;
    return out;
  };
  // Synchronous cycles are a deterministic map of the state: once a cycle changes nothing, neither do the rest of its phase.
  const same = (u: Uint8Array, v: Uint8Array) => u.every((x, i) => x === v[i]);
  const settle = (seed: Uint8Array): Uint8Array => {
    let s = seed;
    for (let c = 0; c < inp.kwtaCycles; c++) {
      const t = nb.kwta(s);
      if (same(t, s)) break;
      s = t;
    }
    for (let c = 0; c < inp.thresholdCycles; c++) {
      const t = nb.threshold(s);
      if (same(t, s)) break;
      s = t;
    }
    return s;
  };
  // The notebook's memory error: recall from each stored x.
  let nbErr = 0;
  const scratch = new Float64Array(n);
  for (let nu = 0; nu < p; nu++) {
    const d = new Float64Array(p);
    let sumD = 0;
    for (let mu = 0; mu < p; mu++) {
      for (let j = 0; j < n; j++) d[mu]! += train.x[mu * n + j]! * train.x[nu * n + j]!;
      sumD += d[mu]!;
    }
    const s0 = new Float64Array(m).fill(-a * sumD);
    for (let mu = 0; mu < p; mu++) for (let j = 0; j < k; j++) s0[patterns[mu * k + j]!]! += d[mu]!;
    const f = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) f[i]! += nb.w[i * m + j]! * s0[j]!;
    let s = topK(f);
    for (let c = 1; c < inp.kwtaCycles; c++) s = nb.kwta(s);
    nbErr += (train.y[nu]! - readout(s, scratch)) ** 2;
  }
  const notebookTrain = nbErr / p;

  const E = epochs;
  const studentTrain = new Float64Array(E + 1);
  const studentTest = new Float64Array(E + 1);
  const w = new Float64Array(n);
  studentTrain[0] = mse(w, train.x, train.y, p, n);
  studentTest[0] = mse(w, test.x, test.y, test.count, n);
  const xh = new Float64Array(n);
  for (let e = 1; e <= E; e++) {
    if (inp.lesionAt !== undefined && e > inp.lesionAt) {
      studentTrain[e] = studentTrain[e - 1]!;
      studentTest[e] = studentTest[e - 1]!;
      continue;
    }
    const grad = new Float64Array(n);
    for (let slot = 0; slot < p; slot++) {
      const s = settle(inp.seedState(e, slot));
      const yh = readout(s, xh);
      let r = yh;
      for (let j = 0; j < n; j++) r -= w[j]! * xh[j]!;
      for (let j = 0; j < n; j++) grad[j]! += r * xh[j]!;
    }
    for (let j = 0; j < n; j++) w[j]! += eta * grad[j]!;
    studentTrain[e] = mse(w, train.x, train.y, p, n);
    studentTest[e] = mse(w, test.x, test.y, test.count, n);
  }
  const e0 = mean(Array.from(train.y, (y) => y * y));
  const g0 = mean(Array.from(test.y, (y) => y * y));
  const combined = new Float64Array(E + 1);
  const memoryScore = new Float64Array(E + 1);
  const lesionScore = new Float64Array(E + 1);
  const generalizationScore = new Float64Array(E + 1);
  for (let e = 0; e <= E; e++) {
    const notebookThere = inp.lesionAt === undefined || e < inp.lesionAt;
    combined[e] = notebookThere ? Math.min(studentTrain[e]!, notebookTrain) : studentTrain[e]!;
    memoryScore[e] = 1 - combined[e]! / e0;
    lesionScore[e] = 1 - studentTrain[e]! / e0;
    generalizationScore[e] = 1 - studentTest[e]! / g0;
  }
  return { studentTrain, studentTest, notebookTrain, combined, memoryScore, lesionScore, generalizationScore };
}
