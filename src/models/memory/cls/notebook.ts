/**
 * The notebook (hippocampus) of Sun et al. 2023: a sparse binary Hopfield network (Tsodyks & Feigel'man 1988,
 * Europhys Lett 6, 101) with global inhibition (Buhmann, Divko & Schulten 1989, Phys Rev A 39, 2689), linked
 * bidirectionally to the student's input and output units. Follows the published code (Go-CLS_v2,
 * Fig_2/Fig_2a_to_f.m); the choices below are that code's unless marked "ours".
 *
 * Encoding (one shot). Memory mu (x^mu, y^mu), mu = 1..P, gets a random index pattern xi^mu in {0,1}^M with exactly
 * k = M a active units (stream 'cls:notebook:index', index mu). With the normalisation n = M a (1 - a):
 *   recurrent   W_ij = (1/n) sum_mu (xi_i^mu - a)(xi_j^mu - a) - gamma / (M a)   (i != j),   W_ii = 0
 *   links       L^x_ij = sum_mu (xi_i^mu - a) x_j^mu,   L^y_i = sum_mu (xi_i^mu - a) y^mu
 *               notebook -> student: x^ = (1/n) (L^x)^T s,  y^ = (1/n) (L^y)^T s;   student -> notebook: L^x x.
 * Why n = M a (1 - a): a stored pattern s = xi^nu has sum_i (xi_i^nu - a) xi_i^nu = M a (1 - a) = n, so the readout
 * of a perfectly retrieved pattern is (x^nu, y^nu) plus crosstalk sum_{mu != nu} x^mu (xi^mu - a).xi^nu / n, whose
 * terms have variance exactly 1 / (M - 1) (hypergeometric overlaps); the notebook's memory error is then (P - 1)/(M - 1)
 * (Sun et al., Supplementary; go_cls.json: 0.0495 at M = 2000, P = 100). In the same units the field of a stored
 * pattern's own state is h_i ~ (xi_i - a) - gamma + crosstalk: 1 - a - gamma = 0.35 on its active units and
 * -a - gamma = -0.65 elsewhere; U = -0.15 is exactly the midpoint, so U is in units of the normalised weights.
 *
 * Dynamics: synchronous updates of all units from the field h = W s.
 *   k-winners-take-all  s_i <- 1 for the k largest h_i (ties to the lowest index; ours, the code takes h >= the k-th
 *                       largest value, which differs only on exact ties)
 *   fixed threshold     s_i <- [h_i >= U]
 * Reactivation (offline replay): seed s with k random distinct active units (ours: the code seeds each unit with
 * probability a; an exact-k seed needs k instead of M random draws and the kWTA cycle that follows makes the
 * difference immaterial; stream 'cls:notebook:seed', index slot, tick epoch), run `kwtaCycles` kWTA cycles, then
 * `thresholdCycles` fixed-threshold cycles from the kWTA result (the silent state is then an attractor for seeds far
 * from every memory), and read out (x^, y^) through the links.
 * Recall from a student cue x: the cue gives graded notebook activity s0 = L^x x, the first kWTA cycle acts on W s0,
 * the remaining kWTA cycles on the binary state (`kwtaCycles` in all, no fixed-threshold phase, as in the code); y^ is
 * read out from the final state.
 *
 * Event-driven cost. The field h = W s is kept incrementally: when unit j flips, column j of W is added (0 -> 1) or
 * subtracted (1 -> 0), so a cycle costs M per flipped unit and a settled network (no flips) costs nothing: once a
 * cycle changes no unit, every later cycle of that phase would repeat it and is skipped. When many units flip (the
 * first cycles from a random seed) the field is recomputed instead from the low-rank form of W (ours; same numbers):
 *   h_i = (1/n) [ sum_{mu : xi_i^mu = 1} c_mu - a sum_mu c_mu ] - gamma/(M a) (S - s_i) - A_ii s_i,
 *   c_mu = sum_j (xi_j^mu - a) s_j,  S = sum_j s_j,  A_ii = (1/n) sum_mu (xi_i^mu - a)^2,
 * at cost about M + P k instead of M per flip. `fieldUpdate` forces either path (tests compare both with the dense
 * product W s). W is kept dense in float64 (M^2 entries: 32 MB at M = 2000) so the column path and the low-rank path
 * agree to rounding.
 */
import { CounterRng, streamId } from '../../../core/rng.ts';
import { InputError } from '../../../core/errors.ts';
import { validateNotebookParams, type NotebookParams } from './params.ts';
import type { Dataset } from './teacher.ts';

/** How a reactivation ended: on a stored pattern (within `storedTolerance`), elsewhere, or with no unit active. */
export type ReactivationOutcome = 'stored' | 'spurious' | 'silent';

/** How the field follows flips: `auto` picks the cheaper of column updates and low-rank recomputation. */
export type FieldUpdate = 'auto' | 'incremental' | 'recompute';

export interface Classification {
  readonly outcome: ReactivationOutcome;
  /** Stored pattern with the largest overlap (-1 when silent). */
  readonly memory: number;
  /** Hamming distance to that pattern. */
  readonly distance: number;
  /** Active units. */
  readonly active: number;
}

export interface Reactivation extends Classification {
  /** Output y^ read out through the links (x^ is written into the caller's array). */
  readonly y: number;
  /** kWTA cycles that changed the state, then fixed-threshold cycles that changed it. */
  readonly kwtaCycles: number;
  readonly thresholdCycles: number;
}

export interface Recall {
  readonly y: number;
  /** Stored pattern with the largest overlap with the retrieved state, and the distance to it. */
  readonly memory: number;
  readonly distance: number;
}

/** Work counters of the field maintenance (for benchmarks and tests). */
export interface NotebookCounters {
  columnUpdates: number;
  recomputes: number;
  selections: number;
  cycles: number;
}

/**
 * Index patterns: `count` patterns of exactly k active units among m, drawn without replacement per pattern
 * (stream `stream`, index `index0 + pattern`, tick `tick`, draw d; four indices per Philox call), sorted ascending.
 */
export function drawSparsePatterns(rng: CounterRng, m: number, k: number, count: number, stream: number, index0: number, tick: number): Uint32Array {
  const out = new Uint32Array(count * k);
  const mark = new Uint8Array(m);
  for (let mu = 0; mu < count; mu++) {
    const units = out.subarray(mu * k, mu * k + k);
    drawSparseInto(rng, m, k, stream, index0 + mu, tick, mark, units);
    units.sort();
    for (let j = 0; j < k; j++) mark[units[j]!] = 0;
  }
  return out;
}

/** k distinct units of m into `units` (unsorted), marking them in `mark` (which must be all 0 on entry). */
function drawSparseInto(rng: CounterRng, m: number, k: number, stream: number, index: number, tick: number, mark: Uint8Array, units: Uint32Array): void {
  let got = 0;
  for (let draw = 0; got < k; draw++) {
    const w = rng.words(stream, index, tick, draw);
    for (let q = 0; q < 4 && got < k; q++) {
      const u = Math.floor((w[q]! / 4294967296) * m);
      if (mark[u] === 0) {
        mark[u] = 1;
        units[got++] = u;
      }
    }
  }
}

/**
 * In-place selection: the value of rank `target` (0 = smallest) among a[0 .. length) (Hoare/Wirth with
 * median-of-three pivots).
 */
export function selectRank(a: Float64Array, target: number, length: number = a.length): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p0 = a[lo]!;
    const p1 = a[mid]!;
    const p2 = a[hi]!;
    const pivot = p0 < p1 ? (p1 < p2 ? p1 : p0 < p2 ? p2 : p0) : p0 < p2 ? p0 : p1 < p2 ? p2 : p1;
    let i = lo;
    let j = hi;
    do {
      while (a[i]! < pivot) i++;
      while (pivot < a[j]!) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < target) lo = i;
    if (target < i) hi = j;
  }
  return a[target]!;
}

/**
 * k-winners-take-all of h into `out` (0/1): the k largest values, ties at the threshold to the lowest index.
 * Selection by a histogram of `hist.length` bins between min h and max h (bin index is monotone in h, so every value
 * in a higher bin is larger), then an exact selection inside the bin that holds the k-th largest value; O(M).
 * `scratch` (length >= h.length) and `hist` are overwritten.
 */
export function kWinners(h: Float64Array, k: number, out: Uint8Array, scratch: Float64Array, hist: Int32Array = new Int32Array(256)): void {
  const m = h.length;
  out.fill(0);
  if (k <= 0) return;
  if (k >= m) {
    out.fill(1);
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m; i++) {
    const v = h[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let t: number;
  if (!(hi > lo)) {
    t = hi;
  } else {
    const bins = hist.length;
    const scale = bins / (hi - lo);
    hist.fill(0);
    for (let i = 0; i < m; i++) {
      let b = Math.floor((h[i]! - lo) * scale);
      if (b >= bins) b = bins - 1;
      hist[b]!++;
    }
    let above = 0;
    let bin = bins - 1;
    while (above + hist[bin]! < k) above += hist[bin--]!;
    let c = 0;
    for (let i = 0; i < m; i++) {
      let b = Math.floor((h[i]! - lo) * scale);
      if (b >= bins) b = bins - 1;
      if (b === bin) scratch[c++] = h[i]!;
    }
    // the (k - above)-th largest of the c values in this bin
    t = selectRank(scratch, c - (k - above), c);
  }
  let count = 0;
  for (let i = 0; i < m; i++) {
    if (h[i]! > t) {
      out[i] = 1;
      count++;
    }
  }
  for (let i = 0; i < m && count < k; i++) {
    if (h[i] === t) {
      out[i] = 1;
      count++;
    }
  }
}

export class Notebook {
  readonly params: NotebookParams;
  /** Units M, active units per pattern k = M a, memories P, student inputs N. */
  readonly m: number;
  readonly k: number;
  readonly p: number;
  readonly n: number;
  /** Normalisation n = M a (1 - a) of the recurrent weights and of the notebook -> student links. */
  readonly norm: number;
  /** Global inhibition per active unit, gamma / (M a). */
  readonly inhibition: number;
  /** Index patterns, pattern mu's active units (sorted) at [mu k, mu k + k). */
  readonly patterns: Uint32Array;
  /** For each unit, the patterns it belongs to: unitPatterns[unitPtr[i] .. unitPtr[i + 1]). */
  readonly unitPtr: Uint32Array;
  readonly unitPatterns: Uint32Array;
  /** Recurrent weights, dense row-major M x M, symmetric, zero diagonal. */
  readonly weights: Float64Array;
  /** A_ii - gamma / (M a): the diagonal that W leaves out (used by the low-rank field). */
  readonly selfWeight: Float64Array;
  /** Hebbian links L^x (M x N, row-major) and L^y (M). */
  readonly linkX: Float64Array;
  readonly linkY: Float64Array;
  /** The stored examples (x^mu, y^mu). */
  readonly memories: Dataset;
  /** Current binary state s and its field h = W s. */
  readonly state: Uint8Array;
  readonly field: Float64Array;
  fieldUpdate: FieldUpdate = 'auto';
  /** A reactivated state counts as 'stored' when within storedTolerance * k bits of a stored pattern. */
  storedTolerance = 0.1;
  readonly counters: NotebookCounters = { columnUpdates: 0, recomputes: 0, selections: 0, cycles: 0 };

  private readonly rng: CounterRng;
  private readonly seedStream = streamId('cls:notebook:seed');
  private activeCount = 0;
  private readonly next: Uint8Array;
  private readonly flips: Int32Array;
  private readonly scratch: Float64Array;
  private readonly hist: Int32Array;
  private readonly coef: Float64Array;
  private readonly overlap: Int32Array;
  private readonly activeList: Int32Array;
  private readonly seedUnits: Uint32Array;
  private readonly recomputeCost: number;
  private readonly patternX: Float64Array;
  private readonly patternY: Float64Array;

  /**
   * Stores `memories` (one-shot). `seed` draws the index patterns and the reactivation seeds.
   * @throws InputError on invalid parameters.
   */
  constructor(params: NotebookParams, memories: Dataset, seed: number) {
    validateNotebookParams(params);
    if (memories.count < 1) throw new InputError('cls: notebook memories', 'must hold at least one example');
    this.params = params;
    const m = params.m;
    const a = params.a;
    const k = Math.round(m * a);
    const p = memories.count;
    const n = memories.n;
    this.m = m;
    this.k = k;
    this.p = p;
    this.n = n;
    this.norm = m * a * (1 - a);
    this.inhibition = params.gamma / (m * a);
    this.memories = memories;
    this.rng = new CounterRng(seed);
    this.patterns = drawSparsePatterns(this.rng, m, k, p, streamId('cls:notebook:index'), 0, 0);

    // unit -> patterns (CSR)
    const count = new Uint32Array(m);
    for (let i = 0; i < p * k; i++) count[this.patterns[i]!]!++;
    this.unitPtr = new Uint32Array(m + 1);
    for (let i = 0; i < m; i++) this.unitPtr[i + 1] = this.unitPtr[i]! + count[i]!;
    this.unitPatterns = new Uint32Array(p * k);
    const fill = this.unitPtr.slice(0, m);
    for (let mu = 0; mu < p; mu++) for (let j = 0; j < k; j++) {
      const u = this.patterns[mu * k + j]!;
      this.unitPatterns[fill[u]!++] = mu;
    }

    // Recurrent weights: W_ij = (n_ij - a n_i - a n_j + P a^2) / norm - inhibition, n_ij = patterns holding i and j.
    const inv = 1 / this.norm;
    const W = new Float64Array(m * m);
    const rowBase = new Float64Array(m);
    for (let i = 0; i < m; i++) rowBase[i] = (-a * count[i]! + 0.5 * p * a * a) * inv - 0.5 * this.inhibition;
    for (let i = 0; i < m; i++) {
      const bi = rowBase[i]!;
      const row = i * m;
      for (let j = 0; j < m; j++) W[row + j] = bi + rowBase[j]!;
    }
    for (let mu = 0; mu < p; mu++) {
      const units = this.patterns.subarray(mu * k, mu * k + k);
      for (let x = 0; x < k; x++) {
        const row = units[x]! * m;
        for (let y = 0; y < k; y++) W[row + units[y]!]! += inv;
      }
    }
    this.selfWeight = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      this.selfWeight[i] = W[i * m + i]!;
      W[i * m + i] = 0;
    }
    this.weights = W;

    // Links: L^x_ij = sum_mu (xi_i^mu - a) x_j^mu = sum_{mu ∋ i} x_j^mu - a sum_mu x_j^mu.
    const sumX = new Float64Array(n);
    let sumY = 0;
    for (let mu = 0; mu < p; mu++) {
      for (let j = 0; j < n; j++) sumX[j]! += memories.x[mu * n + j]!;
      sumY += memories.y[mu]!;
    }
    this.linkX = new Float64Array(m * n);
    this.linkY = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) this.linkX[row + j] = -a * sumX[j]!;
      this.linkY[i] = -a * sumY;
    }
    for (let mu = 0; mu < p; mu++) {
      const xm = memories.x.subarray(mu * n, mu * n + n);
      for (let q = 0; q < k; q++) {
        const i = this.patterns[mu * k + q]!;
        const row = i * n;
        for (let j = 0; j < n; j++) this.linkX[row + j]! += xm[j]!;
        this.linkY[i]! += memories.y[mu]!;
      }
    }

    this.state = new Uint8Array(m);
    this.field = new Float64Array(m);
    this.next = new Uint8Array(m);
    this.flips = new Int32Array(m);
    this.scratch = new Float64Array(m);
    this.hist = new Int32Array(256);
    this.coef = new Float64Array(p);
    this.overlap = new Int32Array(p);
    this.activeList = new Int32Array(m);
    this.seedUnits = new Uint32Array(k);
    this.recomputeCost = 2 * m + p * k;

    // Readouts of the stored patterns themselves, so replaying a memory exactly costs a copy.
    this.patternX = new Float64Array(p * n);
    this.patternY = new Float64Array(p);
    for (let mu = 0; mu < p; mu++) {
      this.setState(this.pattern(mu));
      this.patternY[mu] = this.readoutState(this.patternX.subarray(mu * n, mu * n + n));
    }
    this.state.fill(0);
    this.recomputeField();
  }

  /** Number of active units of the current state. */
  get active(): number {
    return this.activeCount;
  }

  /** Pattern mu as a 0/1 vector of length M. */
  pattern(mu: number): Uint8Array {
    const s = new Uint8Array(this.m);
    for (let j = 0; j < this.k; j++) s[this.patterns[mu * this.k + j]!] = 1;
    return s;
  }

  /** Reference: the dense product h = W s for any state s (binary or graded), O(M x active). */
  fullField(s: ArrayLike<number>): Float64Array {
    const { m, weights } = this;
    const h = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const sj = s[j]!;
      if (sj === 0) continue;
      const row = j * m; // column j = row j (W symmetric)
      for (let i = 0; i < m; i++) h[i]! += weights[row + i]! * sj;
    }
    return h;
  }

  /** The field W s of a graded state s from the low-rank form of W, into `out` (cost about M + P k). */
  lowRankField(s: Float64Array, out: Float64Array = new Float64Array(this.m)): Float64Array {
    const { m, k, p, patterns, selfWeight, inhibition } = this;
    const a = this.params.a;
    const inv = 1 / this.norm;
    let total = 0;
    for (let i = 0; i < m; i++) total += s[i]!;
    const c = this.coef;
    let sumC = 0;
    for (let mu = 0; mu < p; mu++) {
      let o = 0;
      for (let q = mu * k, e = q + k; q < e; q++) o += s[patterns[q]!]!;
      c[mu] = o - a * total;
      sumC += c[mu]!;
    }
    const base = -a * sumC * inv - inhibition * total;
    for (let i = 0; i < m; i++) out[i] = base - selfWeight[i]! * s[i]!;
    for (let mu = 0; mu < p; mu++) {
      const v = c[mu]! * inv;
      for (let q = mu * k, e = q + k; q < e; q++) out[patterns[q]!]! += v;
    }
    return out;
  }

  /**
   * Recomputes the field of the current binary state from the low-rank form:
   * h_i = (1/n)[sum_{mu ∋ i} c_mu - a sum c] - inhibition (S - s_i) - A_ii s_i = base + ... - selfWeight_i s_i.
   */
  private recomputeField(): void {
    const { m, k, p, state, unitPtr, unitPatterns, patterns, selfWeight, field, activeList } = this;
    const a = this.params.a;
    const inv = 1 / this.norm;
    const o = this.overlap;
    o.fill(0);
    let total = 0;
    for (let i = 0; i < m; i++) {
      if (state[i] === 0) continue;
      activeList[total++] = i;
      for (let q = unitPtr[i]!, e = unitPtr[i + 1]!; q < e; q++) o[unitPatterns[q]!]!++;
    }
    const c = this.coef;
    let sumC = 0;
    for (let mu = 0; mu < p; mu++) {
      const cm = o[mu]! - a * total;
      c[mu] = cm * inv;
      sumC += cm;
    }
    field.fill(-a * sumC * inv - this.inhibition * total);
    for (let mu = 0; mu < p; mu++) {
      const v = c[mu]!;
      for (let q = mu * k, e = q + k; q < e; q++) field[patterns[q]!]! += v;
    }
    for (let r = 0; r < total; r++) {
      const i = activeList[r]!;
      field[i]! -= selfWeight[i]!;
    }
    this.activeCount = total;
    this.counters.recomputes++;
  }

  /** Sets the state (0/1 of length M) and recomputes its field. */
  setState(s: ArrayLike<number>): void {
    for (let i = 0; i < this.m; i++) this.state[i] = s[i]! !== 0 ? 1 : 0;
    this.recomputeField();
  }

  /** Flips unit j and updates the field by column j of W (event-driven update). */
  flip(j: number): void {
    const { m, weights, field, state } = this;
    const row = j * m;
    if (state[j] === 0) {
      state[j] = 1;
      this.activeCount++;
      for (let i = 0; i < m; i++) field[i]! += weights[row + i]!;
    } else {
      state[j] = 0;
      this.activeCount--;
      for (let i = 0; i < m; i++) field[i]! -= weights[row + i]!;
    }
    this.counters.columnUpdates++;
  }

  /** Moves to the state in `this.next`; returns the number of flipped units. */
  private moveToNext(): number {
    const { m, state, next, flips } = this;
    let nf = 0;
    for (let i = 0; i < m; i++) if (state[i] !== next[i]) flips[nf++] = i;
    if (nf === 0) return 0;
    const incremental = this.fieldUpdate === 'incremental' || (this.fieldUpdate === 'auto' && nf * m <= this.recomputeCost);
    if (incremental) {
      for (let q = 0; q < nf; q++) this.flip(flips[q]!);
    } else {
      state.set(next);
      this.recomputeField();
    }
    return nf;
  }

  /**
   * One synchronous kWTA cycle: s <- the k units of largest field. Returns the number of flips (0: a fixed point;
   * detected in one pass when min h over active units exceeds max h over the others, without a selection).
   */
  kwtaStep(): number {
    const { m, k, state, field } = this;
    this.counters.cycles++;
    if (this.activeCount === k) {
      let minOn = Infinity;
      let maxOff = -Infinity;
      for (let i = 0; i < m; i++) {
        const h = field[i]!;
        if (state[i] !== 0) {
          if (h < minOn) minOn = h;
        } else if (h > maxOff) maxOff = h;
      }
      if (minOn > maxOff) return 0;
    }
    this.counters.selections++;
    kWinners(field, k, this.next, this.scratch, this.hist);
    return this.moveToNext();
  }

  /** One synchronous fixed-threshold cycle: s_i <- [h_i >= U]. Returns the number of flips. */
  thresholdStep(): number {
    const { m, field, next } = this;
    const u = this.params.u;
    this.counters.cycles++;
    for (let i = 0; i < m; i++) next[i] = field[i]! >= u ? 1 : 0;
    return this.moveToNext();
  }

  /** Runs up to `cycles` kWTA cycles, stopping at a fixed point. Returns the cycles that changed the state. */
  runKwta(cycles: number): number {
    let changed = 0;
    for (let c = 0; c < cycles; c++) {
      if (this.kwtaStep() === 0) break;
      changed++;
    }
    return changed;
  }

  /** Runs up to `cycles` fixed-threshold cycles, stopping at a fixed point. Returns the cycles that changed the state. */
  runThreshold(cycles: number): number {
    let changed = 0;
    for (let c = 0; c < cycles; c++) {
      if (this.thresholdStep() === 0) break;
      changed++;
    }
    return changed;
  }

  /** Sets a random seed state: k distinct active units keyed by (slot, epoch) (stream 'cls:notebook:seed'). */
  seedRandom(epoch: number, slot: number): void {
    this.state.fill(0);
    drawSparseInto(this.rng, this.m, this.k, this.seedStream, slot, epoch, this.state, this.seedUnits);
    this.recomputeField();
  }

  /** Classifies the current state against the stored patterns (overlaps through the unit -> pattern lists). */
  classify(): Classification {
    const { m, p, k, state, unitPtr, unitPatterns } = this;
    const o = this.overlap;
    o.fill(0);
    let total = 0;
    for (let i = 0; i < m; i++) {
      if (state[i] === 0) continue;
      total++;
      for (let q = unitPtr[i]!, e = unitPtr[i + 1]!; q < e; q++) o[unitPatterns[q]!]!++;
    }
    if (total === 0) return { outcome: 'silent', memory: -1, distance: k, active: 0 };
    let best = 0;
    for (let mu = 1; mu < p; mu++) if (o[mu]! > o[best]!) best = mu;
    const distance = total + k - 2 * o[best]!;
    return { outcome: distance <= this.storedTolerance * k ? 'stored' : 'spurious', memory: best, distance, active: total };
  }

  /** Reads the current state out through the links: x^ = (1/n)(L^x)^T s into outX; returns y^ = (1/n)(L^y)^T s. */
  private readoutState(outX: Float64Array): number {
    const { m, n, state, linkX, linkY } = this;
    const inv = 1 / this.norm;
    let y = 0;
    outX.fill(0);
    for (let i = 0; i < m; i++) {
      if (state[i] === 0) continue;
      y += linkY[i]!;
      const row = i * n;
      for (let j = 0; j < n; j++) outX[j]! += linkX[row + j]!;
    }
    for (let j = 0; j < n; j++) outX[j]! *= inv;
    return y * inv;
  }

  /** Reads the current state out through the links: x^ into outX (if given); returns y^. */
  readout(outX?: Float64Array): number {
    return this.readoutState(outX ?? new Float64Array(this.n));
  }

  /**
   * One offline reactivation: random seed (epoch, slot) -> kWTA cycles -> fixed-threshold cycles -> readout.
   * Writes x^ into outX (length N) and returns the outcome with y^. A state equal to a stored pattern is read out
   * from the precomputed readout of that pattern (the same numbers, without the M x N product).
   */
  reactivate(epoch: number, slot: number, outX: Float64Array): Reactivation {
    this.seedRandom(epoch, slot);
    const kw = this.runKwta(this.params.kwtaCycles);
    const th = this.runThreshold(this.params.thresholdCycles);
    const cls = this.classify();
    let y: number;
    if (cls.distance === 0 && cls.memory >= 0) {
      const n = this.n;
      outX.set(this.patternX.subarray(cls.memory * n, cls.memory * n + n));
      y = this.patternY[cls.memory]!;
    } else y = this.readoutState(outX);
    return { ...cls, y, kwtaCycles: kw, thresholdCycles: th };
  }

  /** The readout of stored pattern mu itself (a clean reactivation of that memory): x^ into outX, returns y^. */
  readoutPattern(mu: number, outX: Float64Array): number {
    const n = this.n;
    outX.set(this.patternX.subarray(mu * n, mu * n + n));
    return this.patternY[mu]!;
  }

  /**
   * Recall from a student cue x (length N): graded activity L^x x, one kWTA cycle on its field W L^x x, then up to
   * kwtaCycles - 1 kWTA cycles on the binary state; returns y^ and the pattern retrieved.
   */
  recall(x: ArrayLike<number>): Recall {
    const { m, n, linkX } = this;
    const cue = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let v = 0;
      for (let j = 0; j < n; j++) v += linkX[row + j]! * x[j]!;
      cue[i] = v;
    }
    const h0 = this.lowRankField(cue);
    kWinners(h0, this.k, this.next, this.scratch, this.hist);
    this.state.set(this.next);
    this.recomputeField();
    this.runKwta(this.params.kwtaCycles - 1);
    const cls = this.classify();
    const y = cls.distance === 0 && cls.memory >= 0 ? this.patternY[cls.memory]! : this.readout();
    return { y, memory: cls.memory, distance: cls.distance };
  }

  /**
   * Mean squared error (no 1/2) of recall over a data set: (1/count) sum (y - y^(x))^2, and how many recalls ended
   * exactly on pattern mu for row mu (meaningful for the stored set).
   */
  recallError(data: Dataset): { error: number; exact: number } {
    let sum = 0;
    let exact = 0;
    for (let mu = 0; mu < data.count; mu++) {
      const r = this.recall(data.x.subarray(mu * data.n, mu * data.n + data.n));
      const d = data.y[mu]! - r.y;
      sum += d * d;
      if (r.memory === mu && r.distance === 0) exact++;
    }
    return { error: sum / data.count, exact };
  }

  toString(): string {
    return `<Notebook M=${this.m} k=${this.k} P=${this.p} gamma=${this.params.gamma} U=${this.params.u}>`;
  }
}
