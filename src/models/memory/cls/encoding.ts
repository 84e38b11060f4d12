/**
 * The notebook's one-shot encoding, shared by every notebook kind (the Hopfield network of notebook.ts and the SDM of
 * sdm-notebook.ts differ only in the auto-associative memory behind it; docs/DECISIONS.md 49).
 *
 * Memory mu (x^mu, y^mu), mu = 1..P, gets a random index pattern xi^mu in {0,1}^M with exactly k = M a active units
 * (stream 'cls:notebook:index', index mu); the units are then labelled in order of increasing pattern count (ties by
 * drawn label: a relabelling of a random draw is an equally random draw, and the units of one count form an index
 * range). Links to the student, with n = M a (1 - a):
 *   L^x_ij = sum_mu (xi_i^mu - a) x_j^mu = sum_{mu ∋ i} x_j^mu - a sum_mu x_j^mu,   L^y_i likewise with y^mu;
 *   readout of a binary state s: x^ = (1/n) (L^x)^T s, y^ = (1/n) (L^y)^T s;
 *   the activity a student input x evokes: (L^x x)_i = sum_{mu ∋ i} d_mu - a sum_mu d_mu, d_mu = x^mu . x.
 */
import { streamId, type CounterRng } from '../../../core/rng.ts';
import { drawSparsePatterns } from './sparse.ts';
import type { Dataset } from './teacher.ts';

export interface NotebookEncoding {
  /** Units M, active units per pattern k = M a, memories P, student inputs N. */
  readonly m: number;
  readonly k: number;
  readonly p: number;
  readonly n: number;
  /** Coding level a and the normalisation n = M a (1 - a) of the links. */
  readonly a: number;
  readonly norm: number;
  readonly memories: Dataset;
  /** Index patterns, pattern mu's active units (sorted) at [mu k, mu k + k). */
  readonly patterns: Int32Array;
  /** Patterns each unit belongs to (non-decreasing in the unit index), and the lists: unitPatterns[unitPtr[i] .. unitPtr[i + 1]). */
  readonly counts: Int32Array;
  readonly unitPtr: Int32Array;
  readonly unitPatterns: Int32Array;
  /** Links L^x (M x N, row-major) and L^y (M). */
  readonly linkX: Float64Array;
  readonly linkY: Float64Array;
  /** Readouts of the stored patterns themselves: row mu of patternX, patternY[mu]. */
  readonly patternX: Float64Array;
  readonly patternY: Float64Array;
}

/** For `count` sets of `size` elements of 0..m-1 (flat), each element's sets in increasing order, as CSR (ptr, list). */
export function invertSets(sets: Int32Array, count: number, size: number, m: number): [Int32Array, Int32Array] {
  const deg = new Int32Array(m);
  for (let i = 0; i < count * size; i++) deg[sets[i]!]!++;
  const ptr = new Int32Array(m + 1);
  for (let i = 0; i < m; i++) ptr[i + 1] = ptr[i]! + deg[i]!;
  const out = new Int32Array(count * size);
  const fill = ptr.slice(0, m);
  for (let s = 0; s < count; s++) for (let q = 0; q < size; q++) out[fill[sets[s * size + q]!]!++] = s;
  return [ptr, out];
}

/** Draws and labels the index patterns of `memories` with `rng` (a notebook's own) and builds the links and readouts. */
export function encodeMemories(m: number, a: number, memories: Dataset, rng: CounterRng): NotebookEncoding {
  const k = Math.round(m * a);
  const p = memories.count;
  const n = memories.n;
  const norm = m * a * (1 - a);
  const patterns = drawSparsePatterns(rng, m, k, p, streamId('cls:notebook:index'), 0, 0);
  const drawn = new Int32Array(m);
  for (let i = 0; i < p * k; i++) drawn[patterns[i]!]!++;
  const order = Int32Array.from({ length: m }, (_, i) => i).sort((u, v) => drawn[u]! - drawn[v]! || u - v);
  const label = new Int32Array(m);
  for (let r = 0; r < m; r++) label[order[r]!] = r;
  for (let i = 0; i < p * k; i++) patterns[i] = label[patterns[i]!]!;
  for (let mu = 0; mu < p; mu++) patterns.subarray(mu * k, mu * k + k).sort();
  const [unitPtr, unitPatterns] = invertSets(patterns, p, k, m);
  const counts = new Int32Array(m);
  for (let i = 0; i < m; i++) counts[i] = unitPtr[i + 1]! - unitPtr[i]!;

  const sumX = new Float64Array(n);
  let sumY = 0;
  for (let mu = 0; mu < p; mu++) {
    for (let j = 0; j < n; j++) sumX[j]! += memories.x[mu * n + j]!;
    sumY += memories.y[mu]!;
  }
  const linkX = new Float64Array(m * n);
  const linkY = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) linkX[row + j] = -a * sumX[j]!;
    linkY[i] = -a * sumY;
  }
  for (let mu = 0; mu < p; mu++) {
    const xm = memories.x.subarray(mu * n, mu * n + n);
    for (let q = 0; q < k; q++) {
      const i = patterns[mu * k + q]!;
      const row = i * n;
      for (let j = 0; j < n; j++) linkX[row + j]! += xm[j]!;
      linkY[i]! += memories.y[mu]!;
    }
  }
  const enc = { m, k, p, n, a, norm, memories, patterns, counts, unitPtr, unitPatterns, linkX, linkY, patternX: new Float64Array(p * n), patternY: new Float64Array(p) };
  for (let mu = 0; mu < p; mu++) enc.patternY[mu] = readoutUnits(enc, patterns.subarray(mu * k, mu * k + k), k, enc.patternX, mu * n);
  return enc;
}

/**
 * The readout of the binary state whose active units are units[0 .. count) (in increasing order, so that every state
 * is summed the same way): x^ into out[offset .. offset + N), returns y^.
 */
export function readoutUnits(enc: Pick<NotebookEncoding, 'n' | 'norm' | 'linkX' | 'linkY'>, units: ArrayLike<number>, count: number, out: Float64Array, offset = 0): number {
  const { n, linkX, linkY } = enc;
  let y = 0;
  out.fill(0, offset, offset + n);
  for (let r = 0; r < count; r++) {
    const i = units[r]!;
    y += linkY[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) out[offset + j]! += linkX[row + j]!;
  }
  const inv = 1 / enc.norm;
  for (let j = 0; j < n; j++) out[offset + j]! *= inv;
  return y * inv;
}

/** The readout of a binary state (0/1 of length M; `units` is scratch of length >= M): x^ into out, returns y^. */
export function readoutState(enc: Pick<NotebookEncoding, 'm' | 'n' | 'norm' | 'linkX' | 'linkY'>, state: Uint8Array, units: Int32Array, out: Float64Array, offset = 0): number {
  let count = 0;
  for (let i = 0; i < enc.m; i++) if (state[i] !== 0) units[count++] = i;
  return readoutUnits(enc, units, count, out, offset);
}

/**
 * The notebook activity L^x x a student input x evokes, from the links' low-rank form (cost P N + P k instead of
 * M N), into `out`; `coef` (length >= P) is scratch.
 */
export function cueActivity(enc: NotebookEncoding, x: ArrayLike<number>, coef: Float64Array, out: Float64Array = new Float64Array(enc.m)): Float64Array {
  const { m, n, p, a, unitPtr, unitPatterns } = enc;
  const mx = enc.memories.x;
  let sumD = 0;
  for (let mu = 0; mu < p; mu++) {
    let v = 0;
    for (let j = 0, q = mu * n; j < n; j++) v += mx[q + j]! * x[j]!;
    coef[mu] = v;
    sumD += v;
  }
  const base = -a * sumD;
  let q = 0;
  for (let i = 0; i < m; i++) {
    let g = base;
    for (const e = unitPtr[i + 1]!; q < e; q++) g += coef[unitPatterns[q]!]!;
    out[i] = g;
  }
  return out;
}
