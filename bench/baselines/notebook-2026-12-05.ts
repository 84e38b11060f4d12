/**
 * BASELINE: src/models/memory/cls/notebook.ts as of commit 30c208f (2026-12-05), unchanged but for its import paths:
 * the dense float64 W with column updates / low-rank recomputation and the sampled kWTA selection. Kept as the
 * method the benchmarks (bench/cls.ts, bench/cls-consolidation.ts) compare against and as the second implementation
 * the equality tests (test/models/memory/cls/notebook-fast.test.ts) check the new notebook's schedules with.
 */
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
 *   k-winners-take-all  s_i <- 1 for the k largest h_i. Fields are sums of integer overlaps divided by n, so exact
 *                       ties happen; fields within FIELD_TIE_TOLERANCE (1e-9) of the k-th largest count as tied and
 *                       the lowest unit indices among them win, so exactly k units are active (ours: the code
 *                       activates every unit with h >= the k-th largest value, more than k on a tie).
 *   fixed threshold     s_i <- [h_i >= U] (U - 1e-9, for the same reason).
 * Units are labelled in order of increasing pattern count (a relabelling of a random draw, equally random); this
 * order is the one the tie rule uses.
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
 * subtracted (1 -> 0), so a cycle costs M per flipped unit, and a settled network costs nothing: a cycle that would
 * change no unit is recognised from the field statistics kept with h (min h over active units > max h over the
 * others, for kWTA) and every later cycle of that phase is skipped. When many units flip (the first cycles from a
 * random seed flip about 190, 80, 50, 30, 20 units at M = 2000) the field is recomputed instead from the low-rank form
 * of W and the overlaps o_mu = |xi^mu ∩ s|, which are kept with the state (ours; the same numbers up to rounding):
 *   h_i = (1/n) [ sum_{mu : xi_i^mu = 1} c_mu - a sum_mu c_mu ] - gamma/(M a) (S - s_i) - A_ii s_i,
 *   c_mu = o_mu - a S,  S = sum_j s_j,  A_ii = (1/n) sum_mu (xi_i^mu - a)^2,
 * at cost about M + P k instead of M per flip; `auto` takes the column path when flips * M <= 2 M + P k.
 * `fieldUpdate` forces either path (tests compare both with the dense product W s). W is kept dense in float64 (M^2
 * entries: 32 MB at M = 2000). The k-th largest field is bracketed by two order statistics of a regular sample of the
 * field; one pass decides the units outside the bracket and an exact selection the few inside (all units when the
 * bracket misses).
 */
import { CounterRng, streamId } from '../../src/core/rng.ts';
import { InputError } from '../../src/core/errors.ts';
import { validateNotebookParams, type NotebookParams } from '../../src/models/memory/cls/params.ts';
import type { Dataset } from '../../src/models/memory/cls/teacher.ts';

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
export function drawSparsePatterns(rng: CounterRng, m: number, k: number, count: number, stream: number, index0: number, tick: number): Int32Array {
  const out = new Int32Array(count * k);
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
function drawSparseInto(rng: CounterRng, m: number, k: number, stream: number, index: number, tick: number, mark: Uint8Array, units: Int32Array): void {
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
 * Fields closer than this count as equal in the kWTA and threshold rules (the fields are differences of multiples
 * of 1 / (M a (1 - a)) and of the inhibition, so distinct values are far apart, while the incremental and recomputed
 * fields differ by rounding, ~1e-15): ties are then decided by unit index, whatever the path that computed the field.
 */
export const FIELD_TIE_TOLERANCE = 1e-9;

/**
 * k-winners-take-all of h into `out` (0/1): the k largest values; values within `tol` of the k-th largest count as
 * tied with it and the lowest indices among them win. `scratch` (length >= h.length) is overwritten.
 */
export function kWinners(h: Float64Array, k: number, out: Uint8Array, scratch: Float64Array = new Float64Array(h.length), tol = FIELD_TIE_TOLERANCE): void {
  const m = h.length;
  if (k <= 0 || k >= m) {
    out.fill(k <= 0 ? 0 : 1);
    return;
  }
  scratch.set(h);
  const t = selectRank(scratch, m - k, m);
  let greater = 0;
  for (let i = 0; i < m; i++) greater += +(h[i]! > t + tol);
  let ties = k - greater;
  for (let i = 0; i < m; i++) {
    const v = h[i]!;
    const tie = +(v >= t - tol && v <= t + tol) & +(ties > 0);
    ties -= tie;
    out[i] = +(v > t + tol) | tie;
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
  readonly patterns: Int32Array;
  /** For each unit, the patterns it belongs to: unitPatterns[unitPtr[i] .. unitPtr[i + 1]). */
  readonly unitPtr: Int32Array;
  readonly unitPatterns: Int32Array;
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
  private readonly sample = new Float64Array(128);
  private readonly deferred: Int32Array;
  private readonly coef: Float64Array;
  private readonly overlap: Int32Array;
  private readonly seedUnits: Int32Array;
  private readonly recomputeCost: number;
  /** Readouts (x^, y^) of the stored index patterns themselves (row mu of patternX, patternY[mu]). */
  readonly patternX: Float64Array;
  readonly patternY: Float64Array;
  /**
   * Statistics of the current field, valid while `statsFresh`: min h over active units, max h over
   * the others.
   */
  private statsFresh = false;
  private minOn = 0;
  private maxOff = 0;

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
    // Label the units in order of increasing pattern count (ties by drawn label); a relabelling of a random draw is
    // an equally random draw, and the field gather then meets lists of equal length in a row (predictable loops).
    const drawn = new Int32Array(m);
    for (let i = 0; i < p * k; i++) drawn[this.patterns[i]!]!++;
    const order = Int32Array.from({ length: m }, (_, i) => i).sort((u, v) => drawn[u]! - drawn[v]! || u - v);
    const label = new Int32Array(m);
    for (let r = 0; r < m; r++) label[order[r]!] = r;
    for (let i = 0; i < p * k; i++) this.patterns[i] = label[this.patterns[i]!]!;
    for (let mu = 0; mu < p; mu++) this.patterns.subarray(mu * k, mu * k + k).sort();

    // unit -> patterns (CSR)
    const count = new Int32Array(m);
    for (let i = 0; i < p * k; i++) count[this.patterns[i]!]!++;
    this.unitPtr = new Int32Array(m + 1);
    for (let i = 0; i < m; i++) this.unitPtr[i + 1] = this.unitPtr[i]! + count[i]!;
    this.unitPatterns = new Int32Array(p * k);
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
      const d = W[i * m + i]!;
      this.selfWeight[i] = d;
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
    this.deferred = new Int32Array(m);
    this.coef = new Float64Array(p);
    this.overlap = new Int32Array(p);
    this.seedUnits = new Int32Array(k);
    this.recomputeCost = 2 * m + p * k;

    // Readouts of the stored patterns themselves, so replaying a memory exactly costs a copy.
    this.patternX = new Float64Array(p * n);
    this.patternY = new Float64Array(p);
    for (let mu = 0; mu < p; mu++) {
      this.setState(this.pattern(mu));
      this.patternY[mu] = this.readoutState(this.patternX.subarray(mu * n, mu * n + n));
    }
    this.setState(new Uint8Array(m));
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

  /** Counts the overlaps o_mu = |xi^mu ∩ s| and the active units of the current state from scratch. */
  private recountOverlaps(): void {
    const { m, state, unitPtr, unitPatterns } = this;
    const o = this.overlap;
    o.fill(0);
    let total = 0;
    for (let i = 0; i < m; i++) {
      if (state[i] === 0) continue;
      total++;
      for (let q = unitPtr[i]!, e = unitPtr[i + 1]!; q < e; q++) o[unitPatterns[q]!]!++;
    }
    this.activeCount = total;
  }

  /**
   * Recomputes the field of the current binary state from the low-rank form and the maintained overlaps, gathering
   * over each unit's patterns: h_i = (1/n)[sum_{mu ∋ i} c_mu - a sum c] - inhibition (S - s_i) - A_ii s_i
   * = base + (1/n) sum_{mu ∋ i} c_mu - selfWeight_i s_i, c_mu = o_mu - a S. The same pass collects the field
   * statistics the next kWTA cycle needs.
   */
  private recomputeField(): void {
    const { m, p, state, unitPtr, unitPatterns, selfWeight, field } = this;
    const a = this.params.a;
    const inv = 1 / this.norm;
    const o = this.overlap;
    const total = this.activeCount;
    const c = this.coef;
    let sumC = 0;
    for (let mu = 0; mu < p; mu++) {
      const cm = o[mu]! - a * total;
      c[mu] = cm * inv;
      sumC += cm;
    }
    const base = -a * sumC * inv - this.inhibition * total;
    let minOn = Infinity;
    let maxOff = -Infinity;
    let q = 0;
    for (let i = 0; i < m; i++) {
      let g = base;
      for (const e = unitPtr[i + 1]!; q < e; q++) g += c[unitPatterns[q]!]!;
      if (state[i] === 0) {
        maxOff = g > maxOff ? g : maxOff;
      } else {
        g -= selfWeight[i]!;
        minOn = g < minOn ? g : minOn;
      }
      field[i] = g;
    }
    this.minOn = minOn;
    this.maxOff = maxOff;
    this.statsFresh = true;
    this.counters.recomputes++;
  }

  /** Field statistics by one pass over h (after column updates). */
  private computeStats(): void {
    const { m, state, field } = this;
    let minOn = Infinity;
    let maxOff = -Infinity;
    for (let i = 0; i < m; i++) {
      const h = field[i]!;
      if (state[i] === 0) maxOff = h > maxOff ? h : maxOff;
      else minOn = h < minOn ? h : minOn;
    }
    this.minOn = minOn;
    this.maxOff = maxOff;
    this.statsFresh = true;
  }

  /** Sets the state (0/1 of length M) and recomputes its field. */
  setState(s: ArrayLike<number>): void {
    for (let i = 0; i < this.m; i++) this.state[i] = s[i]! !== 0 ? 1 : 0;
    this.recountOverlaps();
    this.recomputeField();
  }

  /** Flips unit j and updates the field by column j of W (event-driven update). */
  flip(j: number): void {
    const { m, weights, field, state } = this;
    const row = j * m;
    if (state[j] === 0) {
      for (let i = 0; i < m; i++) field[i]! += weights[row + i]!;
    } else {
      for (let i = 0; i < m; i++) field[i]! -= weights[row + i]!;
    }
    this.toggle(j);
    this.statsFresh = false;
    this.counters.columnUpdates++;
  }

  /** Toggles unit j's state, its patterns' overlaps and the active count (not the field). */
  private toggle(j: number): void {
    const { state, unitPtr, unitPatterns, overlap } = this;
    const d = state[j] === 0 ? 1 : -1;
    state[j] = d > 0 ? 1 : 0;
    this.activeCount += d;
    for (let q = unitPtr[j]!, e = unitPtr[j + 1]!; q < e; q++) overlap[unitPatterns[q]!]! += d;
  }

  /** Applies the nf flips in this.flips, updating the field by columns or by recomputation (see fieldUpdate). */
  private applyFlips(nf: number): number {
    if (nf === 0) return 0;
    const flips = this.flips;
    const incremental = this.fieldUpdate === 'incremental' || (this.fieldUpdate === 'auto' && nf * this.m <= this.recomputeCost);
    if (incremental) {
      for (let q = 0; q < nf; q++) this.flip(flips[q]!);
    } else {
      for (let q = 0; q < nf; q++) this.toggle(flips[q]!);
      this.recomputeField();
    }
    return nf;
  }

  /**
   * Selects the k winners from a regular sample of the field: two sample order statistics bracket the k-th largest
   * value with high probability; one pass decides every unit above the upper pivot (wins) or below the lower one
   * (loses), and an exact selection among the units between them decides the rest. Writes the units whose state
   * changes into this.flips and returns their number, or -1 when the bracket misses (the caller then selects among
   * all units; the winners are the same either way).
   */
  private selectBySample(): number {
    const { m, k, field, state, flips, deferred } = this;
    const sample = this.sample;
    const stride = Math.max(1, Math.floor(m / sample.length));
    const s = Math.min(sample.length, Math.floor(m / stride));
    for (let r = 0; r < s; r++) sample[r] = field[r * stride]!;
    const expect = (s * k) / m;
    const sd = Math.sqrt(expect * (1 - k / m));
    const jHi = Math.max(0, Math.floor(expect - 4 * sd - 1)); // descending ranks of the pivots in the sample
    const jLo = Math.min(s - 1, Math.ceil(expect + 4 * sd));
    const tol = FIELD_TIE_TOLERANCE;
    const pLo = selectRank(sample, s - 1 - jLo, s) - tol; // widened so that every near-tie of the threshold is deferred
    const pHi = selectRank(sample, s - 1 - jHi, s) + tol;
    let nd = 0;
    let nf = 0;
    let above = 0;
    for (let i = 0; i < m; i++) {
      // branch-free: win = v > pHi, defer = pLo <= v <= pHi, flip = decided and win != s_i
      const v = field[i]!;
      const win = +(v > pHi);
      const defer = +(v >= pLo) & (win ^ 1);
      above += win;
      deferred[nd] = i;
      nd += defer;
      flips[nf] = i;
      nf += (win ^ state[i]!) & (defer ^ 1);
    }
    const need = k - above;
    if (need < 0 || need > nd) return -1;
    return this.decideDeferred(nd, need, nf);
  }

  /** Selects the k winners among all units (always succeeds); flips into this.flips, returns their number. */
  private selectAll(): number {
    const { m, k, deferred } = this;
    for (let i = 0; i < m; i++) deferred[i] = i;
    return this.decideDeferred(m, k, 0);
  }

  /**
   * The `need` largest fields among the nd units in this.deferred (in index order) win; fields within
   * FIELD_TIE_TOLERANCE of the need-th largest are tied with it and the lowest indices among them win;
   * appends the deferred units whose state changes to this.flips after the first nf. Returns the new flip count.
   */
  private decideDeferred(nd: number, need: number, nf: number): number {
    const { field, state, flips, deferred } = this;
    if (need === 0) {
      for (let r = 0; r < nd; r++) if (state[deferred[r]!] !== 0) flips[nf++] = deferred[r]!;
      return nf;
    }
    const vals = this.scratch;
    for (let r = 0; r < nd; r++) vals[r] = field[deferred[r]!]!;
    const tol = FIELD_TIE_TOLERANCE;
    const t = selectRank(vals, nd - need, nd);
    let greater = 0;
    for (let r = 0; r < nd; r++) greater += +(field[deferred[r]!]! > t + tol);
    let ties = need - greater; // winners among the values tied with t, the lowest indices first
    for (let r = 0; r < nd; r++) {
      const i = deferred[r]!;
      const v = field[i]!;
      const tie = +(v >= t - tol && v <= t + tol) & +(ties > 0);
      ties -= tie;
      const on = +(v > t + tol) | tie;
      flips[nf] = i;
      nf += on ^ state[i]!;
    }
    return nf;
  }

  /**
   * One synchronous kWTA cycle: s <- the k units of largest field (ties to the lowest index). Returns the number of
   * flips. A fixed point (min h over the active units above max h over the others) is recognised from the field
   * statistics without a selection; otherwise the winners are selected (selectBySample, or selectAll).
   */
  kwtaStep(): number {
    const { k } = this;
    this.counters.cycles++;
    if (!this.statsFresh) this.computeStats();
    if (this.activeCount === k && this.minOn > this.maxOff + FIELD_TIE_TOLERANCE) return 0;
    this.counters.selections++;
    // (equal fields, e.g. the silent state's, all fall in the sample's bracket and the tie rule picks the lowest k)
    let nf = this.selectBySample();
    if (nf < 0) nf = this.selectAll();
    return this.applyFlips(nf);
  }

  /** One synchronous fixed-threshold cycle: s_i <- [h_i >= U] (within FIELD_TIE_TOLERANCE). Returns the number of flips. */
  thresholdStep(): number {
    const { m, field, state, flips } = this;
    const u = this.params.u;
    this.counters.cycles++;
    let nf = 0;
    const uTol = u - FIELD_TIE_TOLERANCE;
    for (let i = 0; i < m; i++) if ((field[i]! >= uTol ? 1 : 0) !== state[i]) flips[nf++] = i;
    return this.applyFlips(nf);
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
    const { state, unitPtr, unitPatterns, overlap, seedUnits } = this;
    state.fill(0);
    drawSparseInto(this.rng, this.m, this.k, this.seedStream, slot, epoch, state, seedUnits);
    overlap.fill(0);
    for (let r = 0; r < this.k; r++) {
      const j = seedUnits[r]!;
      for (let q = unitPtr[j]!, e = unitPtr[j + 1]!; q < e; q++) overlap[unitPatterns[q]!]!++;
    }
    this.activeCount = this.k;
    this.recomputeField();
  }

  /** Classifies the current state against the stored patterns (from the overlaps kept with the state). */
  classify(): Classification {
    const { p, k } = this;
    const o = this.overlap; // maintained with the state
    const total = this.activeCount;
    if (total === 0) return { outcome: 'silent', memory: -1, distance: k, active: 0 };
    let best = 0;
    for (let mu = 1; mu < p; mu++) if (o[mu]! > o[best]!) best = mu;
    const distance = total + k - 2 * o[best]!;
    return { outcome: distance <= this.storedTolerance * k ? 'stored' : 'spurious', memory: best, distance, active: total };
  }

  /** Reads the current state out through the links: x^ = (1/n)(L^x)^T s into outX; returns y^ = (1/n)(L^y)^T s. */
  private readoutState(outX: Float64Array, offset = 0): number {
    const { m, n, state, linkX, linkY } = this;
    const inv = 1 / this.norm;
    let y = 0;
    outX.fill(0, offset, offset + n);
    for (let i = 0; i < m; i++) {
      if (state[i] === 0) continue;
      y += linkY[i]!;
      const row = i * n;
      for (let j = 0; j < n; j++) outX[offset + j]! += linkX[row + j]!;
    }
    for (let j = 0; j < n; j++) outX[offset + j]! *= inv;
    return y * inv;
  }

  /** Reads the current state out through the links: x^ into outX (if given); returns y^. */
  readout(outX?: Float64Array): number {
    return this.readoutState(outX ?? new Float64Array(this.n));
  }

  /**
   * One offline reactivation without its readout: random seed (epoch, slot) -> kWTA cycles -> fixed-threshold
   * cycles; the final state stays in `state` (its readout is `readout()`, or `coefficients()` against any data set).
   * Depends on the index patterns and (epoch, slot) only, never on the stored examples.
   */
  settle(epoch: number, slot: number): Classification & { readonly kwtaCycles: number; readonly thresholdCycles: number } {
    this.seedRandom(epoch, slot);
    const kw = this.runKwta(this.params.kwtaCycles);
    const th = this.runThreshold(this.params.thresholdCycles);
    return { ...this.classify(), kwtaCycles: kw, thresholdCycles: th };
  }

  /**
   * One offline reactivation: random seed (epoch, slot) -> kWTA cycles -> fixed-threshold cycles -> readout.
   * Writes x^ into outX[offset .. offset + N) and returns the outcome with y^. A state equal to a stored pattern is
   * read out from the precomputed readout of that pattern (the same numbers, without the M x N product).
   */
  reactivate(epoch: number, slot: number, outX: Float64Array, offset = 0): Reactivation {
    const r = this.settle(epoch, slot);
    let y: number;
    if (r.distance === 0 && r.memory >= 0) {
      const n = this.n;
      const px = this.patternX;
      for (let j = 0, q = r.memory * n; j < n; j++) outX[offset + j] = px[q + j]!;
      y = this.patternY[r.memory]!;
    } else y = this.readoutState(outX, offset);
    return { ...r, y };
  }

  /** The readout of stored pattern mu itself (a clean reactivation of that memory): x^ into outX, returns y^. */
  readoutPattern(mu: number, outX: Float64Array): number {
    const n = this.n;
    outX.set(this.patternX.subarray(mu * n, mu * n + n));
    return this.patternY[mu]!;
  }

  /**
   * The notebook activity a student input x evokes through the links, L^x x, from their low-rank form:
   * (L^x x)_i = sum_{mu ∋ i} d_mu - a sum_mu d_mu with d_mu = x^mu . x (cost P N + P k instead of M N).
   */
  cue(x: ArrayLike<number>, out: Float64Array = new Float64Array(this.m)): Float64Array {
    const { m, n, p, unitPtr, unitPatterns } = this;
    const a = this.params.a;
    const mx = this.memories.x;
    const d = this.coef;
    let sumD = 0;
    for (let mu = 0; mu < p; mu++) {
      let v = 0;
      for (let j = 0, q = mu * n; j < n; j++) v += mx[q + j]! * x[j]!;
      d[mu] = v;
      sumD += v;
    }
    const base = -a * sumD;
    let q = 0;
    for (let i = 0; i < m; i++) {
      let g = base;
      for (const e = unitPtr[i + 1]!; q < e; q++) g += d[unitPatterns[q]!]!;
      out[i] = g;
    }
    return out;
  }

  /**
   * Recall from a student cue x (length N): graded activity L^x x, one kWTA cycle on its field W L^x x, then up to
   * kwtaCycles - 1 kWTA cycles on the binary state; returns y^ and the pattern retrieved.
   */
  recall(x: ArrayLike<number>): Recall {
    const cue = this.cue(x);
    const h0 = this.lowRankField(cue);
    kWinners(h0, this.k, this.next, this.scratch);
    this.setState(this.next);
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
