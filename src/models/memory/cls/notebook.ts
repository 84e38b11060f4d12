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
 * The field in integers (ours; docs/DECISIONS.md 48). W is never formed on the hot path. With the overlaps
 * o_mu = |xi^mu ∩ s|, S = sum_j s_j active units, c_i = the number of patterns holding unit i and T = sum_mu o_mu,
 * the field of a binary state is
 *   h_i = (1/n) [ G_i - a S c_i - a T + a^2 S P ] - gamma/(M a) S - A'_i s_i,   G_i = sum_{mu ∋ i} o_mu,
 *   A'_i = (1/n) ((1 - 2a) c_i + P a^2) - gamma/(M a)   (the diagonal that W leaves out: `selfWeight`),
 * so h_i depends on the integer G_i and on its unit's class (c_i, s_i) only: h_i = G_i / n + b_c - A'_c s_i with one
 * constant b_c per pattern count and cycle. The integers o_mu, S and T follow every flip exactly (c_j additions per
 * flip). G is brought up to date when a cycle needs the field, by gathering o over each unit's patterns (P k
 * additions; the units of one pattern count form an index range, since units are labelled by increasing count, and
 * are summed by straight-line code) or by scattering the overlaps that changed over their patterns' k units;
 * `fieldUpdate` picks (`auto`: scatter when under a third of the patterns changed, which is rare: from a random seed
 * the first cycles change 65-85% of the overlaps). Every path gives the same integers, hence bit for bit the same
 * field. A kWTA cycle never computes the whole field: within one class (c, s) the field is non-decreasing in G, so a
 * bar on the field (an order statistic of the field at a regular sample of 128 units, about 2 standard deviations
 * below the k-th largest, minus the tie tolerance) is an integer bar on G per class (the smallest G whose field,
 * evaluated by the same expression, reaches it). The pass that gathers G lists the units at or above their class's
 * bar (the candidates: 230 on average for k = 100 at the published size); the active units below it lose. The field
 * of the candidates is computed by the same expression as the whole field (h = G / n + b_c - A'_c s), so the k-th
 * largest among them (a selection), the tie group within FIELD_TIE_TOLERANCE of it and the lowest indices among the
 * tied are those of the whole field. When fewer than k units reach the bar, or the tie group could reach below it,
 * every unit is a candidate. The fixed-point test (min h over the active units > max h over the others + tolerance)
 * is made on the candidates and the active units below the bar. Decisions, cycle counts and counters are the
 * previous notebook's (docs/DECISIONS.md 48); the whole field h is computed only for `field` and the threshold
 * cycles. A state equal to a stored pattern (S = k and o_mu = k) is recognised from the overlaps; whether that
 * pattern is a fixed point of a kWTA and of a threshold cycle is learnt the first time a state lands on it, so the
 * reactivations that end on a memory (99.9% at the published size) skip the pass that only confirmed it.
 * Exactness: with a = 1/20 and gamma = 0.6 (the published values) 400 n h_i is an integer, so distinct fields differ
 * by at least 1/(400 n) = 2.6e-5 at M = 2000, far above FIELD_TIE_TOLERANCE and the rounding of one product and two
 * sums (~1e-16): the winners are those of exact arithmetic, the same as the dense float W's of the previous notebook
 * (bench/baselines/notebook-2026-12-05.ts, whose rounding stayed ~1e-15; test/models/memory/cls/notebook-fast.test.ts
 * compares both, and a reference from the dense definition, state for state). The dense W (`weights`, M^2 float64,
 * 32 MB at M = 2000) is built only when asked for (`fullField`, tests).
 */
import { CounterRng, streamId } from '../../../core/rng.ts';
import { InputError } from '../../../core/errors.ts';
import { cueActivity, encodeMemories, readoutState, readoutUnits, type NotebookEncoding } from './encoding.ts';
import { validateNotebookParams, type NotebookParams } from './params.ts';
import { selectRank } from '../../../core/select.ts';
import { drawSparseInto } from './sparse.ts';
import type { Dataset } from './teacher.ts';

export { drawSparsePatterns } from './sparse.ts';

/** How a reactivation ended: on a stored pattern (within `storedTolerance`), elsewhere, or with no unit active. */
export type ReactivationOutcome = 'stored' | 'spurious' | 'silent';

/**
 * How G (and so the field) follows flips: `incremental` scatters the changed overlaps over their patterns' units,
 * `recompute` gathers every unit's overlaps anew, `auto` picks the cheaper. All three give the same integers.
 */
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

/**
 * Work counters of the field maintenance (for benchmarks and tests): `recomputes` counts gathers of G (P k additions
 * each), `columnUpdates` the changed overlaps scattered into G (k additions each; the name is the dense-W notebook's).
 */
export interface NotebookCounters {
  columnUpdates: number;
  recomputes: number;
  selections: number;
  cycles: number;
}

export { selectRank } from '../../../core/select.ts';

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

/**
 * Mean squared error (no 1/2) of a notebook's recall over a data set, (1/count) sum (y - y^(x))^2, and how many
 * recalls ended exactly on pattern mu for row mu (meaningful for the stored set).
 */
export function recallErrorOver(data: Dataset, recall: (x: Float64Array) => Recall): { error: number; exact: number } {
  let sum = 0;
  let exact = 0;
  for (let mu = 0; mu < data.count; mu++) {
    const r = recall(data.x.subarray(mu * data.n, mu * data.n + data.n));
    const d = data.y[mu]! - r.y;
    sum += d * d;
    if (r.memory === mu && r.distance === 0) exact++;
  }
  return { error: sum / data.count, exact };
}

/**
 * Where a notebook's recalls of a data set ended: for row r the stored pattern nearest the final state and the
 * distance to it, and, when that state is not exactly a stored pattern, its activeCount[r] active units from
 * units[unitStart[r]] (unitStart -1 for an exact pattern). A recall's final state depends on the index patterns
 * and the cue x only, never on the outputs y, so runs that differ only in y (the SNR of a linear teacher, the
 * regime) can read their recall errors from one set of states (`Notebook.recallErrorFrom`). `xSum` (the sum of the
 * data's inputs) guards against using the states with other inputs.
 */
export interface RecallStates {
  readonly count: number;
  readonly xSum: number;
  readonly memory: Int32Array;
  readonly distance: Int32Array;
  readonly unitStart: Int32Array;
  readonly activeCount: Int32Array;
  readonly units: Int32Array;
}

/**
 * The RecallStates of `data` from where each row's recall ended: the nearest stored pattern and the distance to it
 * per row, and the active units of the rows that did not end exactly on a stored pattern (`ends`, any order).
 */
export function packRecallStates(data: Dataset, memory: Int32Array, distance: Int32Array, ends: ReadonlyArray<{ readonly row: number; readonly units: ArrayLike<number> }>): RecallStates {
  const count = data.count;
  const unitStart = new Int32Array(count).fill(-1);
  const activeCount = new Int32Array(count);
  const kept: number[] = [];
  for (const { row, units } of [...ends].sort((x, y) => x.row - y.row)) {
    unitStart[row] = kept.length;
    activeCount[row] = units.length;
    for (let r = 0; r < units.length; r++) kept.push(units[r]!);
  }
  return { count, xSum: inputSum(data), memory, distance, unitStart, activeCount, units: Int32Array.from(kept) };
}

/** The sum of a data set's inputs (RecallStates.xSum). */
export function inputSum(data: Dataset): number {
  let s = 0;
  for (let i = 0; i < data.count * data.n; i++) s += data.x[i]!;
  return s;
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
  /** A_ii - gamma / (M a): the diagonal that W leaves out (a function of the unit's pattern count only). */
  readonly selfWeight: Float64Array;
  /** Hebbian links L^x (M x N, row-major) and L^y (M). */
  readonly linkX: Float64Array;
  readonly linkY: Float64Array;
  /** The stored examples (x^mu, y^mu). */
  readonly memories: Dataset;
  /** Current binary state s. */
  readonly state: Uint8Array;
  fieldUpdate: FieldUpdate = 'auto';
  /** A reactivated state counts as 'stored' when within storedTolerance * k bits of a stored pattern. */
  storedTolerance = 0.1;
  /**
   * Work counters: `recomputes` counts gathers of G (P k additions each), `columnUpdates` the patterns whose changed
   * overlap was scattered into G (k additions each), `selections` kWTA selections, `cycles` kWTA and threshold cycles.
   */
  readonly counters: NotebookCounters = { columnUpdates: 0, recomputes: 0, selections: 0, cycles: 0 };
  /** Readouts (x^, y^) of the stored index patterns themselves (row mu of patternX, patternY[mu]). */
  readonly patternX: Float64Array;
  readonly patternY: Float64Array;
  /** The one-shot encoding (patterns, links, readouts) every notebook kind shares. */
  readonly encoding: NotebookEncoding;

  private readonly rng: CounterRng;
  private readonly seedStream = streamId('cls:notebook:seed');
  /** Units of pattern count c are [classStart[c], classStart[c + 1]); selfByClass[c] is their A'. */
  private readonly classStart: Int32Array;
  private readonly selfByClass: Float64Array;
  private readonly maxCount: number;
  private readonly unitClass: Uint16Array;
  private readonly classBases: Float64Array;
  /** Active units S and T = sum_mu o_mu of the current state. */
  private activeCount = 0;
  private overlapSum = 0;
  /** o_mu = |xi^mu ∩ s|, exact. */
  private readonly overlap: Int32Array;
  /** G_i = sum_{mu ∋ i} o_mu, valid for the overlaps `overlapAtG` when `gFresh` (else stale: gathered anew). */
  private readonly g: Int32Array;
  private readonly overlapAtG: Int32Array;
  private gFresh = false;
  /** Patterns whose overlap changed since G was last brought up to date (`changedMark` flags them). */
  private readonly changed: Int32Array;
  private readonly changedMark: Uint8Array;
  private changedCount = 0;
  /** G and the class constants are those of the current state when `fieldFresh`; the field h itself when also `hFresh`. */
  private readonly h: Float64Array;
  private fieldFresh = false;
  private hFresh = false;
  /**
   * The kWTA cycle's candidates (cand, nCand: the units whose field reaches the sample's bar, in index order) with their
   * fields (candField), the active units below the bar (actList, nActBelow), and each field class's integer bar
   * (keyBar[2c + s]: the smallest G whose field reaches the bar in pattern count c and state s).
   */
  private readonly cand: Int32Array;
  private readonly candField: Float64Array;
  private nCand = 0;
  private readonly actList: Int32Array;
  private nActBelow = 0;
  private readonly keyBar: Int32Array;
  /** The active units (in no particular order) when `activeKnown`: set by a seed and by a kWTA cycle, lost on a flip. */
  private readonly activeSet: Int32Array;
  private activeKnown = false;
  /** The fields of a regular sample of units (sampleBar). */
  private readonly sample = new Float64Array(128);
  /** The stored pattern the state equals (-1: none), and what is known of the stored patterns as fixed points (kwtaStep). */
  private atStored = -1;
  private readonly storedFixed: Uint8Array;
  private readonly next: Uint8Array;
  private readonly flips: Int32Array;
  private readonly activeUnits: Int32Array;
  private readonly scratch: Float64Array;
  /** The winners of the last kWTA selection (its new active units). */
  private readonly winners: Int32Array;
  private readonly coef: Float64Array;
  private readonly seedUnits: Int32Array;
  private dense: Float64Array | undefined;

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
    // The one-shot encoding (encoding.ts): index patterns with units in order of increasing pattern count, so that the
    // units of one pattern count (one field class) form an index range; links; readouts of the stored patterns.
    const enc = encodeMemories(m, a, memories, this.rng);
    this.encoding = enc;
    this.patterns = enc.patterns;
    this.unitPtr = enc.unitPtr;
    this.unitPatterns = enc.unitPatterns;
    this.linkX = enc.linkX;
    this.linkY = enc.linkY;
    this.patternX = enc.patternX;
    this.patternY = enc.patternY;
    const count = enc.counts;
    const maxCount = m > 0 ? count[m - 1]! : 0;
    this.maxCount = maxCount;
    this.unitClass = Uint16Array.from(count);
    this.classBases = new Float64Array(maxCount + 1);
    this.classStart = new Int32Array(maxCount + 2);
    for (let i = 0, c = 0; c <= maxCount + 1; c++) {
      while (i < m && count[i]! < c) i++;
      this.classStart[c] = i;
    }

    // The diagonal W leaves out, A_ii - inhibition, summed exactly as the dense W's diagonal is (`weights`).
    const inv = 1 / this.norm;
    this.selfWeight = new Float64Array(m);
    this.selfByClass = new Float64Array(maxCount + 1);
    for (let c = 0; c <= maxCount; c++) {
      const bi = (-a * c + 0.5 * p * a * a) * inv - 0.5 * this.inhibition;
      let d = bi + bi;
      for (let r = 0; r < c; r++) d += inv;
      this.selfByClass[c] = d;
    }
    for (let i = 0; i < m; i++) this.selfWeight[i] = this.selfByClass[count[i]!]!;
    this.keyBar = new Int32Array(2 * (maxCount + 1));
    this.actList = new Int32Array(m);
    this.cand = new Int32Array(m);
    this.candField = new Float64Array(m);
    this.activeSet = new Int32Array(m);

    this.state = new Uint8Array(m);
    this.h = new Float64Array(m);
    this.g = new Int32Array(m);
    this.overlap = new Int32Array(p);
    this.overlapAtG = new Int32Array(p);
    this.changed = new Int32Array(p);
    this.changedMark = new Uint8Array(p);
    this.next = new Uint8Array(m);
    this.flips = new Int32Array(m);
    this.activeUnits = new Int32Array(m);
    this.scratch = new Float64Array(m);
    this.winners = new Int32Array(m);
    this.coef = new Float64Array(p);
    this.seedUnits = new Int32Array(k);

    // Which stored patterns are fixed points of a kWTA and of a threshold cycle, learnt the first time a state equals
    // one (bits 1 and 2 known, 4 and 8 fixed): a reactivation that lands on a known fixed point ends without a pass.
    this.storedFixed = new Uint8Array(p);
    this.setState(new Uint8Array(m));
  }

  /** Number of active units of the current state. */
  get active(): number {
    return this.activeCount;
  }

  /** The field h = W s of the current state (computed now if a flip left it stale; do not write to it). */
  get field(): Float64Array {
    this.updateField();
    return this.h;
  }

  /**
   * Recurrent weights, dense row-major M x M, symmetric, zero diagonal: W_ij = (n_ij - a n_i - a n_j + P a^2) / n -
   * inhibition, n_ij = patterns holding i and j. Built on first use (M^2 float64); the dynamics never use it.
   */
  get weights(): Float64Array {
    if (this.dense) return this.dense;
    const { m, p, k } = this;
    const a = this.params.a;
    const inv = 1 / this.norm;
    const W = new Float64Array(m * m);
    const rowBase = new Float64Array(m);
    for (let i = 0; i < m; i++) rowBase[i] = (-a * (this.unitPtr[i + 1]! - this.unitPtr[i]!) + 0.5 * p * a * a) * inv - 0.5 * this.inhibition;
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
    for (let i = 0; i < m; i++) W[i * m + i] = 0;
    this.dense = W;
    return W;
  }

  /** Pattern mu as a 0/1 vector of length M. */
  pattern(mu: number): Uint8Array {
    const s = new Uint8Array(this.m);
    for (let j = 0; j < this.k; j++) s[this.patterns[mu * this.k + j]!] = 1;
    return s;
  }

  /** Reference: the dense product h = W s for any state s (binary or graded), O(M x active). */
  fullField(s: ArrayLike<number>): Float64Array {
    const { m } = this;
    const weights = this.weights;
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

  /** Counts the overlaps o_mu, their sum T and the active units S of the current state from scratch. */
  private recountOverlaps(): void {
    const { m, state, unitPtr, unitPatterns } = this;
    const o = this.overlap;
    o.fill(0);
    let total = 0;
    let sum = 0;
    for (let i = 0; i < m; i++) {
      if (state[i] === 0) continue;
      total++;
      for (let q = unitPtr[i]!, e = unitPtr[i + 1]!; q < e; q++) o[unitPatterns[q]!]!++;
      sum += unitPtr[i + 1]! - unitPtr[i]!;
    }
    this.activeCount = total;
    this.overlapSum = sum;
    this.gFresh = false;
    this.fieldFresh = false;
    this.activeKnown = false;
  }

  /**
   * The class constant b_c of the field h_i = G_i / n + b_c - A'_c s_i for the current S and T:
   * b_c = (1/n)(-a S c - a T + a^2 S P) - inhibition S. Every path computes the field through this and computeField.
   */
  private classBase(c: number): number {
    const a = this.params.a;
    const total = this.activeCount;
    return (-a * total * c - a * this.overlapSum + a * a * total * this.p) / this.norm - this.inhibition * total;
  }

  /**
   * Brings G up to date for the current overlaps, as `fieldUpdate` says: returns true when G is to be gathered anew
   * over each unit's patterns (the caller's gatherG), false when the changed overlaps were scattered into it.
   */
  private refreshG(): boolean {
    let gather = !this.gFresh || this.fieldUpdate === 'recompute';
    // a scattered element costs about three gathered ones (a read-modify-write against two reads)
    if (!gather && this.fieldUpdate === 'auto') gather = 3 * this.changedCount >= this.p;
    if (!gather) this.scatterChanged();
    for (let r = 0; r < this.changedCount; r++) this.changedMark[this.changed[r]!] = 0;
    this.changedCount = 0;
    if (gather) {
      this.overlapAtG.set(this.overlap);
      this.counters.recomputes++;
    }
    this.gFresh = true;
    return gather;
  }

  /** Sets the class constants b_c of the current S and T (classBase). */
  private setClassBases(): void {
    const base = this.classBases;
    for (let c = 0; c <= this.maxCount; c++) base[c] = this.classBase(c);
  }

  /**
   * G_i = sum_{mu ∋ i} o_mu for every unit, gathered from the overlaps: the units of one pattern count c form an index
   * range, summed by straight-line code for c <= 8 (no inner loop to mispredict; about 20% faster than the loop).
   */
  private gatherG(filter: boolean): number {
    const { classStart: cs, unitPatterns: u, overlap: o, g, cand, keyBar } = this;
    let q = 0;
    let nc = 0;
    for (let c = 0; c <= this.maxCount; c++) {
      const e = cs[c + 1]!;
      let i = cs[c]!;
      const b = filter ? Math.min(keyBar[2 * c]!, keyBar[2 * c + 1]!) : 0x7fffffff;
      switch (c) {
        case 0:
          for (; i < e; i++) {
            const gi = 0;
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 1:
          for (; i < e; i++, q += 1) {
            const gi = o[u[q]!]!;
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 2:
          for (; i < e; i++, q += 2) {
            const gi = o[u[q]!]! + o[u[q + 1]!]!;
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 3:
          for (; i < e; i++, q += 3) {
            const gi = o[u[q]!]! + o[u[q + 1]!]! + o[u[q + 2]!]!;
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 4:
          for (; i < e; i++, q += 4) {
            const gi = o[u[q]!]! + o[u[q + 1]!]! + (o[u[q + 2]!]! + o[u[q + 3]!]!);
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 5:
          for (; i < e; i++, q += 5) {
            const gi = o[u[q]!]! + o[u[q + 1]!]! + (o[u[q + 2]!]! + o[u[q + 3]!]!) + o[u[q + 4]!]!;
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 6:
          for (; i < e; i++, q += 6) {
            const gi = o[u[q]!]! + o[u[q + 1]!]! + (o[u[q + 2]!]! + o[u[q + 3]!]!) + (o[u[q + 4]!]! + o[u[q + 5]!]!);
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 7:
          for (; i < e; i++, q += 7) {
            const gi = o[u[q]!]! + o[u[q + 1]!]! + (o[u[q + 2]!]! + o[u[q + 3]!]!) + (o[u[q + 4]!]! + o[u[q + 5]!]!) + o[u[q + 6]!]!;
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        case 8:
          for (; i < e; i++, q += 8) {
            const gi = o[u[q]!]! + o[u[q + 1]!]! + (o[u[q + 2]!]! + o[u[q + 3]!]!) + (o[u[q + 4]!]! + o[u[q + 5]!]!) + (o[u[q + 6]!]! + o[u[q + 7]!]!);
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
          break;
        default:
          for (; i < e; i++) {
            let gi = 0;
            for (const qe = q + c; q < qe; q++) gi += o[u[q]!]!;
            g[i] = gi;
            cand[nc] = i;
            nc += +(gi >= b);
          }
      }
    }
    return nc;
  }

  /**
   * The field h_i = G_i / n + b_c - A'_c s_i from G and the class constants (for `field` and the threshold cycles;
   * the kWTA cycles decide on G without it).
   */
  private computeField(): void {
    const { m, state, unitClass, selfByClass, classBases, g, h } = this;
    const inv = 1 / this.norm;
    for (let i = 0; i < m; i++) {
      const c = unitClass[i]!;
      h[i] = g[i]! * inv + classBases[c]! - state[i]! * selfByClass[c]!;
    }
    this.hFresh = true;
  }

  /**
   * The field of a unit of class c in state s with G = gi, by the very expression of computeField (so comparisons of
   * these values decide exactly as comparisons of the field would).
   */
  private fieldOf(gi: number, c: number, s: number): number {
    return gi * (1 / this.norm) + this.classBases[c]! - s * this.selfByClass[c]!;
  }

  /** Brings G and the class constants up to date for the current state. */
  private updateG(): void {
    if (this.refreshG()) this.gatherG(false);
    this.setClassBases();
    this.fieldFresh = true;
    this.hFresh = false;
  }

  /** Brings G and the field up to date for the current state. */
  private updateField(): void {
    if (!this.fieldFresh) this.updateG();
    if (!this.hFresh) this.computeField();
  }

  /**
   * The bar below the k-th largest field: an order statistic of the field at a regular sample of units, 2 standard
   * deviations of the sample's count below the expected rank of the k-th largest, lowered by the tie tolerance (a bar
   * above the k-th largest only costs a second pass: kwtaSelect). The sample's G is summed from the overlaps when G
   * is about to be gathered.
   */
  private sampleBar(fromOverlaps: boolean): number {
    const { m, k, g, state, unitClass, sample, unitPtr, unitPatterns, overlap } = this;
    const stride = Math.max(1, Math.floor(m / sample.length));
    const n = Math.min(sample.length, Math.floor(m / stride));
    for (let r = 0; r < n; r++) {
      const i = r * stride;
      let gi = 0;
      if (fromOverlaps) for (let q = unitPtr[i]!, e = unitPtr[i + 1]!; q < e; q++) gi += overlap[unitPatterns[q]!]!;
      else gi = g[i]!;
      sample[r] = this.fieldOf(gi, unitClass[i]!, state[i]!);
    }
    const expect = (n * k) / m;
    const sd = Math.sqrt(expect * (1 - k / m));
    const jLo = Math.min(n - 1, Math.ceil(expect + 2 * sd)); // descending rank in the sample
    return selectRank(sample, n - 1 - jLo, n) - FIELD_TIE_TOLERANCE;
  }

  /**
   * The units whose field reaches `bar` (G at or above their class's integer bar), in index order, to this.cand
   * (nCand), and the active units below it to this.actList (nActBelow): one pass over G against the lower of each
   * pattern count's two bars, then the few that passed it against their own class's bar; the active units are
   * searched only when some are below the bar.
   */
  private filterCandidates(bar: number): void {
    const { classStart: cs, g, cand, keyBar } = this;
    this.setKeyBars(bar);
    let nc = 0;
    for (let c = 0; c <= this.maxCount; c++) {
      const b = Math.min(keyBar[2 * c]!, keyBar[2 * c + 1]!);
      const e = cs[c + 1]!;
      for (let i = cs[c]!; i < e; i++) {
        cand[nc] = i;
        nc += +(g[i]! >= b);
      }
    }
    this.refineCandidates(nc);
  }

  /** Each field class's integer bar: the smallest G whose field reaches `bar`. */
  private setKeyBars(bar: number): void {
    const { keyBar, k } = this;
    for (let key = 0; key < keyBar.length; key++) keyBar[key] = this.firstAbove(bar, key >> 1, key & 1, 0, (key >> 1) * k);
  }

  /** Keeps the nc units in this.cand that reach their own class's bar, and lists the active units below it. */
  private refineCandidates(nc: number): void {
    const { g, state, unitClass, cand, actList, keyBar, m } = this;
    let w = 0;
    let on = 0;
    for (let r = 0; r < nc; r++) {
      const i = cand[r]!;
      const si = state[i]!;
      const pass = +(g[i]! >= keyBar[2 * unitClass[i]! + si]!);
      cand[w] = i;
      w += pass;
      on += si & pass;
    }
    let na = 0;
    if (on < this.activeCount) {
      if (this.activeKnown) {
        const units = this.activeSet;
        for (let r = 0; r < this.activeCount; r++) {
          const i = units[r]!;
          if (g[i]! < keyBar[2 * unitClass[i]! + 1]!) actList[na++] = i;
        }
      } else {
        for (let i = 0; i < m; i++) {
          if (state[i] !== 0 && g[i]! < keyBar[2 * unitClass[i]! + 1]!) actList[na++] = i;
        }
      }
    }
    this.nCand = w;
    this.nActBelow = na;
  }

  /** The candidates' fields into candField (by the expression of computeField); returns their number. */
  private candidateFields(): number {
    const { g, state, unitClass, selfByClass, classBases, cand, candField } = this;
    const inv = 1 / this.norm;
    const nc = this.nCand;
    for (let r = 0; r < nc; r++) {
      const i = cand[r]!;
      const c = unitClass[i]!;
      candField[r] = g[i]! * inv + classBases[c]! - state[i]! * selfByClass[c]!;
    }
    return nc;
  }

  /**
   * The smallest G in [lo, hi + 1] whose field (fieldOf) in class (c, s) reaches x: an estimate from the field's
   * linear form, corrected by evaluating the field itself (which is non-decreasing in G).
   */
  private firstAbove(x: number, c: number, s: number, lo: number, hi: number): number {
    const inv = 1 / this.norm;
    const base = this.classBases[c]!;
    const self = s * this.selfByClass[c]!;
    let est = Math.ceil((x - base + self) * this.norm);
    if (!(est >= lo)) est = lo; // (also NaN, and x = -Infinity)
    if (est > hi + 1) est = hi + 1;
    while (est > lo && (est - 1) * inv + base - self >= x) est--;
    while (est <= hi && !(est * inv + base - self >= x)) est++;
    return est;
  }


  /** Adds the change of each changed overlap since G was last up to date to G over its pattern's units. */
  private scatterChanged(): void {
    const { k, patterns, overlap, overlapAtG, g, changed } = this;
    let touched = 0;
    for (let r = 0; r < this.changedCount; r++) {
      const mu = changed[r]!;
      const d = overlap[mu]! - overlapAtG[mu]!;
      if (d === 0) continue;
      overlapAtG[mu] = overlap[mu]!;
      for (let q = mu * k, e = q + k; q < e; q++) g[patterns[q]!]! += d;
      touched++;
    }
    this.counters.columnUpdates += touched;
  }

  /** Sets the state (0/1 of length M) and computes its field. */
  setState(s: ArrayLike<number>): void {
    for (let i = 0; i < this.m; i++) this.state[i] = s[i]! !== 0 ? 1 : 0;
    this.recountOverlaps();
    this.noteStored();
    this.updateField();
  }

  /** Flips unit j (its overlaps follow at once; the field is brought up to date when next needed). */
  flip(j: number): void {
    this.toggle(j);
    this.noteStored();
  }

  /** Toggles unit j's state, its patterns' overlaps, T and the active count, and notes the changed patterns. */
  private toggle(j: number): void {
    const { state, unitPtr, unitPatterns, overlap, changed, changedMark } = this;
    const d = state[j] === 0 ? 1 : -1;
    state[j] = d > 0 ? 1 : 0;
    this.activeCount += d;
    const q0 = unitPtr[j]!;
    const e = unitPtr[j + 1]!;
    this.overlapSum += d * (e - q0);
    let nc = this.changedCount;
    for (let q = q0; q < e; q++) {
      const mu = unitPatterns[q]!;
      overlap[mu]! += d;
      if (changedMark[mu] === 0) {
        changedMark[mu] = 1;
        changed[nc++] = mu;
      }
    }
    this.changedCount = nc;
    this.fieldFresh = false;
    this.activeKnown = false;
  }

  /** Notes whether the state is exactly a stored pattern (S = k and o_mu = k), for the fixed points known at encoding. */
  private noteStored(): void {
    this.atStored = -1;
    if (this.activeCount !== this.k) return;
    const { p, k, overlap } = this;
    for (let mu = 0; mu < p; mu++)
      if (overlap[mu] === k) {
        this.atStored = mu;
        return;
      }
  }

  /** Applies the nf flips in this.flips (the field is computed by the next cycle's pass). */
  private applyFlips(nf: number): number {
    if (nf === 0) return 0;
    const flips = this.flips;
    for (let q = 0; q < nf; q++) this.toggle(flips[q]!);
    this.noteStored();
    return nf;
  }

  /**
   * One synchronous kWTA cycle: s <- the k units of largest field (ties to the lowest index). Returns the number of
   * flips. G is brought up to date if a flip left it stale, and the units whose field reaches a bar drawn from a
   * sample (the candidates, about 2k) are listed in the same pass; the field is computed for the candidates only. A
   * fixed point (exactly k active, min h over them above max h over the others) changes nothing; otherwise an exact
   * selection among the candidates decides (every unit is a candidate when the bar misses). A stored pattern known to
   * be a kWTA fixed point (learnt the first time a state equals it) is recognised without a pass.
   */
  kwtaStep(): number {
    this.counters.cycles++;
    const at = this.atStored;
    if (at >= 0) {
      const known = this.storedFixed[at]!;
      if (known & 1) return known & 4 ? 0 : this.kwtaSelect();
      const nf = this.kwtaSelect();
      this.storedFixed[at] = known | 1 | (nf === 0 ? 4 : 0);
      return nf;
    }
    return this.kwtaSelect();
  }

  /** The kWTA cycle itself (kwtaStep without the stored fixed points). */
  private kwtaSelect(): number {
    const { k, m, g, state, unitClass, actList, cand, candField: cf } = this;
    let bar: number;
    if (!this.fieldFresh && this.refreshG()) {
      // G gathered anew, and filtered against the bar (from the sample's G, summed from the overlaps) in the same pass
      this.setClassBases();
      this.fieldFresh = true;
      this.hFresh = false;
      bar = this.sampleBar(true);
      this.setKeyBars(bar);
      this.refineCandidates(this.gatherG(true));
    } else {
      if (!this.fieldFresh) {
        // (refreshG scattered the changed overlaps into G)
        this.setClassBases();
        this.fieldFresh = true;
        this.hFresh = false;
      }
      bar = this.sampleBar(false);
      this.filterCandidates(bar);
    }
    if (this.nCand < k) this.filterCandidates((bar = -Infinity));
    let nc = this.candidateFields();
    const tol = FIELD_TIE_TOLERANCE;
    if (this.activeCount === k) {
      // min h over the active units against max h over the others (the candidates' and the active units' below the bar)
      let minOn = Infinity;
      let maxOff = -Infinity;
      for (let r = 0; r < nc; r++) {
        const v = cf[r]!;
        if (state[cand[r]!] === 0) {
          if (v > maxOff) maxOff = v;
        } else if (v < minOn) minOn = v;
      }
      for (let r = 0; r < this.nActBelow; r++) minOn = Math.min(minOn, this.fieldOf(g[actList[r]!]!, unitClass[actList[r]!]!, 1));
      if (maxOff === -Infinity && m > k && !(minOn >= bar + tol)) {
        // every inactive unit is below the bar: their largest field exactly (rare)
        for (let i = 0; i < m; i++) if (state[i] === 0) maxOff = Math.max(maxOff, this.fieldOf(g[i]!, unitClass[i]!, 0));
      }
      if (minOn > maxOff + tol) return 0;
    }
    this.counters.selections++;
    const vals = this.scratch;
    for (let r = 0; r < nc; r++) vals[r] = cf[r]!;
    let t = selectRank(vals, nc - k, nc);
    if (t - tol < bar) {
      // the k-th largest's ties may reach below the bar: every unit is a candidate
      this.filterCandidates(-Infinity);
      nc = this.candidateFields();
      for (let r = 0; r < nc; r++) vals[r] = cf[r]!;
      t = selectRank(vals, nc - k, nc);
    }
    // The candidates in index order: the k largest fields win, those within the tolerance of the k-th largest are tied
    // and the lowest indices among them win; the active units below the bar lose.
    const { flips } = this;
    let greater = 0;
    for (let r = 0; r < nc; r++) greater += +(cf[r]! > t + tol);
    let ties = k - greater;
    let nf = 0;
    let nw = 0;
    const winners = this.winners;
    for (let r = 0; r < nc; r++) {
      const i = cand[r]!;
      const v = cf[r]!;
      const tie = +(v >= t - tol && v <= t + tol) & +(ties > 0);
      ties -= tie;
      const on = +(v > t + tol) | tie;
      flips[nf] = i;
      nf += on ^ state[i]!;
      winners[nw] = i;
      nw += on;
    }
    for (let r = 0; r < this.nActBelow; r++) flips[nf++] = actList[r]!;
    this.applyFlips(nf);
    if (nw === this.activeCount) {
      this.activeSet.set(winners.subarray(0, nw));
      this.activeKnown = true;
    }
    return nf;
  }

  /** One synchronous fixed-threshold cycle: s_i <- [h_i >= U] (within FIELD_TIE_TOLERANCE). Returns the number of flips. */
  thresholdStep(): number {
    this.counters.cycles++;
    const at = this.atStored;
    if (at >= 0) {
      const known = this.storedFixed[at]!;
      if (known & 2) return known & 8 ? 0 : this.thresholdSelect();
      const nf = this.thresholdSelect();
      this.storedFixed[at] = known | 2 | (nf === 0 ? 8 : 0);
      return nf;
    }
    return this.thresholdSelect();
  }

  /** The threshold cycle itself (thresholdStep without the stored fixed points). */
  private thresholdSelect(): number {
    const uTol = this.params.u - FIELD_TIE_TOLERANCE;
    this.updateField();
    const { m, state, flips, h } = this;
    let nf = 0;
    for (let i = 0; i < m; i++) {
      flips[nf] = i;
      nf += +(h[i]! >= uTol) ^ state[i]!;
    }
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
    let sum = 0;
    for (let r = 0; r < this.k; r++) {
      const j = seedUnits[r]!;
      const e = unitPtr[j + 1]!;
      for (let q = unitPtr[j]!; q < e; q++) overlap[unitPatterns[q]!]!++;
      sum += e - unitPtr[j]!;
    }
    this.activeCount = this.k;
    this.overlapSum = sum;
    this.gFresh = false;
    this.fieldFresh = false;
    this.activeSet.set(seedUnits);
    this.activeKnown = true;
    this.noteStored();
  }

  /**
   * How `seedRandom` draws: `drawSparseInto` with the generator of `seed` on stream `stream` (index slot, tick epoch).
   * For kernels that draw the seeds themselves (backends/cpu/wasm/notebook-lanes.ts).
   */
  get seedDraw(): { readonly seed: number; readonly stream: number } {
    return { seed: this.rng.seed, stream: this.seedStream };
  }

  /**
   * Whether stored pattern mu is a fixed point of a kWTA cycle (bit 0) and of a fixed-threshold cycle (bit 1): one
   * cycle of each from the pattern itself. Leaves the notebook in pattern mu's state.
   */
  storedFixedPoint(mu: number): number {
    const s = this.pattern(mu);
    this.setState(s);
    const kwta = this.kwtaStep() === 0 ? 1 : 0;
    this.setState(s);
    const threshold = this.thresholdStep() === 0 ? 2 : 0;
    return kwta | threshold;
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
    return readoutState(this, this.state, this.activeUnits, outX, offset);
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
   * The end of a reactivation whose kWTA phase ran elsewhere (backends/cpu/wasm/notebook-lanes.ts): from `state`,
   * the state that phase ended in after `kwtaCycles` changing cycles, the fixed-threshold cycles and the
   * classification, as `settle` gives them.
   */
  settleFrom(state: ArrayLike<number>, kwtaCycles: number): Classification & { readonly kwtaCycles: number; readonly thresholdCycles: number } {
    this.setState(state);
    const th = this.runThreshold(this.params.thresholdCycles);
    return { ...this.classify(), kwtaCycles, thresholdCycles: th };
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
    return cueActivity(this.encoding, x, this.coef, out);
  }

  /**
   * Recall from a student cue x (length N): graded activity L^x x, one kWTA cycle on its field W L^x x, then up to
   * kwtaCycles - 1 kWTA cycles on the binary state; returns y^ and the pattern retrieved.
   */
  recall(x: ArrayLike<number>): Recall {
    this.recallStart(x);
    this.setState(this.next);
    this.runKwta(this.params.kwtaCycles - 1);
    const cls = this.classify();
    const y = cls.distance === 0 && cls.memory >= 0 ? this.patternY[cls.memory]! : this.readout();
    return { y, memory: cls.memory, distance: cls.distance };
  }

  /** The first cycle of `recall`: the k winners of the field of the cue's graded activity, into `next` (0/1). */
  private recallStart(x: ArrayLike<number>): void {
    const cue = this.cue(x);
    const h0 = this.lowRankField(cue);
    kWinners(h0, this.k, this.next, this.scratch);
  }

  /**
   * The k units active after the first cycle of `recall(x)` (ascending), into `out`, for kernels that run the rest
   * of the recall elsewhere (backends/cpu/wasm/notebook-lanes.ts). The notebook's state is untouched.
   */
  recallFirstCycle(x: ArrayLike<number>, out: Int32Array): void {
    this.recallStart(x);
    for (let i = 0, r = 0; i < this.m; i++) if (this.next[i] !== 0) out[r++] = i;
  }

  /**
   * Mean squared error (no 1/2) of recall over a data set: (1/count) sum (y - y^(x))^2, and how many recalls ended
   * exactly on pattern mu for row mu (meaningful for the stored set).
   */
  recallError(data: Dataset): { error: number; exact: number } {
    return recallErrorOver(data, (x) => this.recall(x));
  }

  /** Recalls every row of `data` (as `recall`) and keeps where each ended (RecallStates). */
  recallStates(data: Dataset): RecallStates {
    const memory = new Int32Array(data.count);
    const distance = new Int32Array(data.count);
    const ends: Array<{ row: number; units: Int32Array }> = [];
    for (let r = 0; r < data.count; r++) {
      const got = this.recall(data.x.subarray(r * data.n, r * data.n + data.n));
      memory[r] = got.memory;
      distance[r] = got.distance;
      if (got.distance === 0 && got.memory >= 0) continue;
      const units: number[] = [];
      for (let i = 0; i < this.m; i++) if (this.state[i] !== 0) units.push(i);
      ends.push({ row: r, units: Int32Array.from(units) });
    }
    return packRecallStates(data, memory, distance, ends);
  }

  /**
   * `recallError(data)` from the states a notebook with the same index patterns and inputs reached (`recallStates`):
   * the same numbers, read out through this notebook's links (y^ of an exact stored pattern is its readout, of any
   * other state the readout of its active units, as `recall` gives them).
   * @throws RangeError when the states are of another data set (row count or inputs).
   */
  recallErrorFrom(data: Dataset, states: RecallStates): { error: number; exact: number } {
    if (states.count !== data.count || states.xSum !== inputSum(data)) throw new RangeError(`notebook: recall states of ${states.count} rows do not belong to this data set of ${data.count}`);
    const scratch = new Float64Array(this.n);
    let row = 0;
    return recallErrorOver(data, () => {
      const r = row++;
      const mu = states.memory[r]!;
      const distance = states.distance[r]!;
      const start = states.unitStart[r]!;
      const y =
        distance === 0 && mu >= 0
          ? this.patternY[mu]!
          : readoutUnits(this.encoding, start < 0 ? new Int32Array(0) : states.units.subarray(start, start + states.activeCount[r]!), start < 0 ? 0 : states.activeCount[r]!, scratch);
      return { y, memory: mu, distance };
    });
  }

  toString(): string {
    return `<Notebook M=${this.m} k=${this.k} P=${this.p} gamma=${this.params.gamma} U=${this.params.u}>`;
  }
}
