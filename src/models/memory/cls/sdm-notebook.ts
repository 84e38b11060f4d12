/**
 * The notebook as a Kanerva Sparse Distributed Memory (ours; Kanerva 1988, "Sparse Distributed Memory", MIT Press):
 * the memory the cerebellum implements (models/memory/sdm) put in the hippocampus's place in the complementary
 * learning systems of Sun et al. 2023. Only the auto-associative memory differs from the Hopfield notebook
 * (notebook.ts): the one-shot encoding is the same, so are the student, the readout and the replay schedule.
 *
 * Encoding (as notebook.ts, the same numbers from the same seed): memory mu gets the index pattern xi^mu of exactly
 * k = M a active units (stream 'cls:notebook:index', units relabelled in order of increasing pattern count); links
 * L^x, L^y and their normalisation n = M a (1 - a) are the Hopfield notebook's, so a state reads out the same
 * (x^, y^) through them.
 *
 * The memory. H hard locations; location j's address is c distinct random notebook units (stream
 * 'cls:notebook:sdm-address', index j): a sparse address, as a granule cell samples a few mossy fibres. A binary
 * state s activates
 *   radius   A(s) = { j : |addr_j ∩ s| >= theta }                  (`threshold` theta)
 *   top-k    A(s) = the K locations of largest overlap |addr_j ∩ s|, ties to the lowest location index   (`topK` K)
 * For a state of exactly k active units, |addr_j ∩ s| >= theta is Hamming distance <= k + c - 2 theta between s and
 * the address as M-bit vectors, so these are BinarySdm's radius and top-k activations (binary.ts) on those addresses.
 * Writes (one shot): the index pattern is written at its own address, with Kanerva's counters (`counters: 'plain'`)
 *   C_{j,i} += 2 xi_i^mu - 1    for every j in A(xi^mu) and every unit i          (BinarySdm.write(xi^mu, xi^mu)),
 * or the covariance rule (`counters: 'covariance'`, the default; ActivitySdm with `centered`, docs/DECISIONS.md 33)
 *   C_{j,i} += (2 xi_i^mu - 1)(1[j in A(xi^mu)] - |A(xi^mu)| / H)   for every j,
 * whose reads carry no interference from the mean overlap of the active sets: with plain counters a random seed's
 * read favours the units of many patterns, and replay returns to some memories far more often than to others
 * (docs/DECISIONS.md 49).
 * Read at s: the counter sums h_i = sum_{j in A(s)} C_{j,i}, and the next state is the k units of largest sum
 * (kWinners: the Hopfield notebook's k-WTA and tie rule, FIELD_TIE_TOLERANCE, lowest index) instead of Kanerva's
 * [h_i > 0], which a sparse code would never pass: with 2 xi - 1 = 2 (xi - a) + (2 a - 1) the counters are the
 * covariance counters 2 (xi - a) plus a term equal for every unit, which no k-WTA sees. A state that activates no
 * location reads nothing: the notebook falls silent.
 * Computed in the pattern-based form (patterns.ts; Bricken & Pehlevan 2021) with the exact intersections, not their
 * expectation: h_i = sum_mu c_mu (2 xi_i^mu - 1), c_mu = n_mu = |A(s) ∩ A(xi^mu)| (plain) or n_mu - |A(s)| |A(xi^mu)|
 * / H (covariance), from the lists unit -> locations and location -> patterns written there, at cost k H c / M +
 * sum_{j in A(s)} |patterns at j| + P k + M per read instead of H M counters (160 MB at H = 20,000, M = 2000). Plain
 * sums are integers and equal the counters' exactly; covariance sums to rounding (test/models/memory/cls/sdm-notebook
 * checks both against BinarySdm and ActivitySdm).
 *
 * Reactivation (offline replay): the Hopfield notebook's random seed of k units (stream 'cls:notebook:seed', index
 * slot, tick epoch), then up to `kwtaCycles` reads, each the next state, stopping at a fixed point (the state it
 * reads back) or silence; then the readout. No fixed-threshold phase (gamma, u, thresholdCycles are the Hopfield
 * network's). Recall from a student cue x: the cue's notebook activity L^x x (Notebook.cue), its k largest units
 * (kWinners) as the first state, then up to `kwtaCycles` reads.
 */
import { CounterRng, streamId } from '../../../core/rng.ts';
import { InputError } from '../../../core/errors.ts';
import { cueActivity, encodeMemories, invertSets, readoutState, type NotebookEncoding } from './encoding.ts';
import { kWinners, recallErrorOver, type Classification, type NotebookCounters, type Recall } from './notebook.ts';
import { drawSparsePatterns } from './sparse.ts';
import { validateNotebookParams, withSdmDefaults, type NotebookParams } from './params.ts';
import type { ReplayEncoding, ReplaySource } from './replay.ts';
import type { Dataset } from './teacher.ts';

export class SdmNotebook implements ReplaySource, ReplayEncoding {
  readonly params: NotebookParams & { readonly locations: number; readonly addressUnits: number };
  /** Units M, active units per pattern k = M a, memories P, student inputs N. */
  readonly m: number;
  readonly k: number;
  readonly p: number;
  readonly n: number;
  /** Normalisation n = M a (1 - a) of the notebook -> student links. */
  readonly norm: number;
  /** Hard locations H, units per address c, and the activation: radius theta or top-K (the other is null). */
  readonly h: number;
  readonly c: number;
  readonly threshold: number | null;
  readonly topK: number | null;
  /** Covariance counters (ActivitySdm's `centered`): C_{j,i} += (2 xi_i - 1)(1 - |A(xi)| / H) at j in A(xi), else (2 xi_i - 1)(-|A(xi)| / H). */
  readonly covariance: boolean;
  /** Index patterns, pattern mu's active units (sorted) at [mu k, mu k + k); unit -> patterns as CSR. */
  readonly patterns: Int32Array;
  readonly unitPtr: Int32Array;
  readonly unitPatterns: Int32Array;
  /** Hard-location addresses: location j's c units (sorted) at [j c, j c + c). */
  readonly addresses: Int32Array;
  /** Unit -> locations whose address holds it (CSR). */
  readonly unitLocPtr: Int32Array;
  readonly unitLocs: Int32Array;
  /** Location -> the patterns written there, ascending (CSR): the counters are C_{j,i} = sum over them of 2 xi_i - 1. */
  readonly locPtr: Int32Array;
  readonly locPatterns: Int32Array;
  /** |A(xi^mu)|: locations each pattern was written to. */
  readonly written: Int32Array;
  /** Hebbian links L^x (M x N, row-major) and L^y (M), as notebook.ts. */
  readonly linkX: Float64Array;
  readonly linkY: Float64Array;
  readonly memories: Dataset;
  readonly patternX: Float64Array;
  readonly patternY: Float64Array;
  /** The one-shot encoding (patterns, links, readouts) every notebook kind shares. */
  readonly encoding: NotebookEncoding;
  /** Current binary state and the counter sums of the last read. */
  readonly state: Uint8Array;
  readonly field: Float64Array;
  /** A reactivated state counts as 'stored' when within storedTolerance * k bits of a stored pattern. */
  storedTolerance = 0.1;
  /** cycles and selections: reads; recomputes: reads that summed counters (an active location); columnUpdates: 0. */
  readonly counters: NotebookCounters = { columnUpdates: 0, recomputes: 0, selections: 0, cycles: 0 };

  private readonly rng: CounterRng;
  private readonly seedStream = streamId('cls:notebook:seed');
  private readonly locOverlap: Int32Array;
  private readonly touched: Int32Array;
  private readonly active: Int32Array;
  private readonly units: Int32Array;
  private readonly inter: Int32Array;
  private readonly overlap: Int32Array;
  private readonly coef: Float64Array;
  private readonly next: Uint8Array;
  private readonly scratch: Float64Array;
  private readonly cueActivity: Float64Array;
  /** fixedPattern[mu] = 1 when pattern mu reads itself back; onFixedPattern: the last read ended on such a pattern. */
  private readonly fixedPattern: Uint8Array;
  private onFixedPattern = false;

  /**
   * Stores `memories` (one shot). `seed` draws the index patterns, the addresses and the reactivation seeds.
   * @throws InputError on invalid parameters.
   */
  constructor(params: NotebookParams, memories: Dataset, seed: number) {
    const full = withSdmDefaults({ ...params, kind: 'sdm' });
    validateNotebookParams(full);
    if (memories.count < 1) throw new InputError('cls: notebook memories', 'must hold at least one example');
    const h = full.locations!;
    const c = full.addressUnits!;
    this.params = { ...full, locations: h, addressUnits: c };
    const m = full.m;
    const a = full.a;
    const k = Math.round(m * a);
    const p = memories.count;
    const n = memories.n;
    this.m = m;
    this.k = k;
    this.p = p;
    this.n = n;
    this.h = h;
    this.c = c;
    this.threshold = full.topK === undefined ? full.threshold! : null;
    this.topK = full.topK ?? null;
    this.covariance = full.counters === 'covariance';
    this.norm = m * a * (1 - a);
    this.memories = memories;
    this.rng = new CounterRng(seed);

    // The encoding: notebook.ts's (encoding.ts), the same numbers from the same seed.
    const enc = encodeMemories(m, a, memories, this.rng);
    this.encoding = enc;
    this.patterns = enc.patterns;
    this.unitPtr = enc.unitPtr;
    this.unitPatterns = enc.unitPatterns;
    this.linkX = enc.linkX;
    this.linkY = enc.linkY;
    this.patternX = enc.patternX;
    this.patternY = enc.patternY;

    // The hard locations and the one-shot writes.
    this.addresses = drawSparsePatterns(this.rng, m, c, h, streamId('cls:notebook:sdm-address'), 0, 0);
    [this.unitLocPtr, this.unitLocs] = invertSets(this.addresses, h, c, m);
    this.state = new Uint8Array(m);
    this.field = new Float64Array(m);
    this.locOverlap = new Int32Array(h);
    this.touched = new Int32Array(h);
    this.active = new Int32Array(h);
    this.units = new Int32Array(m);
    this.inter = new Int32Array(p);
    this.overlap = new Int32Array(p);
    this.coef = new Float64Array(p);
    this.next = new Uint8Array(m);
    this.scratch = new Float64Array(m);
    this.cueActivity = new Float64Array(m);
    this.written = new Int32Array(p);
    const perLoc = new Int32Array(h);
    const lists: Int32Array[] = [];
    for (let mu = 0; mu < p; mu++) {
      const na = this.activate(this.patterns.subarray(mu * k, mu * k + k), k);
      const list = this.active.slice(0, na);
      lists.push(list);
      this.written[mu] = na;
      for (const j of list) perLoc[j]!++;
    }
    this.locPtr = new Int32Array(h + 1);
    for (let j = 0; j < h; j++) this.locPtr[j + 1] = this.locPtr[j]! + perLoc[j]!;
    this.locPatterns = new Int32Array(this.locPtr[h]!);
    const fill = this.locPtr.slice(0, h);
    for (let mu = 0; mu < p; mu++) for (const j of lists[mu]!) this.locPatterns[fill[j]!++] = mu;
    this.fixedPattern = new Uint8Array(p);
    for (let mu = 0; mu < p; mu++) {
      this.state.set(this.pattern(mu));
      this.fixedPattern[mu] = this.readStep() === 0 ? 1 : 0;
    }
    this.state.fill(0);
    this.field.fill(0);
    this.counters.cycles = this.counters.selections = this.counters.recomputes = 0;
  }

  /**
   * The active locations of the state whose active units are units[0 .. count), into this.active (unsorted); returns
   * their number.
   */
  private activate(units: Int32Array, count: number): number {
    const { unitLocPtr, unitLocs, locOverlap, touched, active } = this;
    let nt = 0;
    for (let r = 0; r < count; r++) {
      const i = units[r]!;
      for (let q = unitLocPtr[i]!, e = unitLocPtr[i + 1]!; q < e; q++) {
        const j = unitLocs[q]!;
        if (locOverlap[j] === 0) touched[nt++] = j;
        locOverlap[j]!++;
      }
    }
    let na = 0;
    if (this.threshold !== null) {
      const theta = this.threshold;
      for (let r = 0; r < nt; r++) if (locOverlap[touched[r]!]! >= theta) active[na++] = touched[r]!;
    } else {
      // top-K: overlaps are 0..c; take every location above the K-th largest overlap t, then those at t by index.
      const want = this.topK!;
      const hist = new Int32Array(this.c + 1);
      for (let r = 0; r < nt; r++) hist[locOverlap[touched[r]!]!]!++;
      hist[0] = this.h - nt;
      let t = this.c;
      let above = 0;
      while (t > 0 && above + hist[t]! < want) above += hist[t--]!;
      const tied: number[] = [];
      for (let r = 0; r < nt; r++) {
        const j = touched[r]!;
        const o = locOverlap[j]!;
        if (o > t) active[na++] = j;
        else if (o === t && t > 0) tied.push(j);
      }
      if (t > 0) {
        tied.sort((x, y) => x - y);
        for (let r = 0; na < want; r++) active[na++] = tied[r]!;
      } else for (let j = 0; na < want; j++) if (locOverlap[j] === 0) active[na++] = j;
    }
    for (let r = 0; r < nt; r++) locOverlap[touched[r]!] = 0;
    return na;
  }

  /** The active units of a 0/1 vector, ascending. */
  private unitsOf(s: ArrayLike<number>): Int32Array {
    const units: number[] = [];
    for (let i = 0; i < this.m; i++) if (s[i]! !== 0) units.push(i);
    return Int32Array.from(units);
  }

  /** The locations a binary state (0/1 of length M) activates, sorted. */
  activeLocations(s: ArrayLike<number>): Int32Array {
    const units = this.unitsOf(s);
    return this.active.slice(0, this.activate(units, units.length)).sort();
  }

  /**
   * The counter sums of a read at the active locations active[0 .. na) into this.field: h_i = sum_mu n_mu (2 xi_i^mu
   * - 1), n_mu = |A(s) ∩ A(xi^mu)|.
   */
  private sumCounters(na: number): void {
    const { p, m, active, locPtr, locPatterns, inter, coef, unitPtr, unitPatterns, field } = this;
    inter.fill(0);
    for (let r = 0; r < na; r++) {
      const j = active[r]!;
      for (let q = locPtr[j]!, e = locPtr[j + 1]!; q < e; q++) inter[locPatterns[q]!]!++;
    }
    // covariance counters: n_mu - |A(s)| |A(xi^mu)| / H (ActivitySdm's centred read)
    const centre = this.covariance ? na / this.h : 0;
    const written = this.written;
    let total = 0;
    for (let mu = 0; mu < p; mu++) {
      const v = inter[mu]! - centre * written[mu]!;
      total += v;
      coef[mu] = 2 * v;
    }
    let q = 0;
    for (let i = 0; i < m; i++) {
      let g = -total;
      for (const e = unitPtr[i + 1]!; q < e; q++) g += coef[unitPatterns[q]!]!;
      field[i] = g;
    }
  }

  /** The counter sums h_i of a read at a binary state s (0/1 of length M): BinarySdm.read(s).sums. */
  sums(s: ArrayLike<number>): Float64Array {
    const units = this.unitsOf(s);
    this.sumCounters(this.activate(units, units.length));
    return this.field.slice();
  }

  /**
   * One read of the current state: the k units of largest counter sum become the state (silent when no location is
   * active). Returns the number of units that changed.
   */
  readStep(): number {
    const { m, k, state, units, next } = this;
    let count = 0;
    for (let i = 0; i < m; i++) if (state[i] !== 0) units[count++] = i;
    this.counters.cycles++;
    this.counters.selections++;
    const na = count === 0 ? 0 : this.activate(units, count);
    if (na === 0) {
      state.fill(0);
      this.field.fill(0);
      return count;
    }
    this.counters.recomputes++;
    this.sumCounters(na);
    kWinners(this.field, k, next, this.scratch);
    let flips = 0;
    for (let i = 0; i < m; i++) flips += next[i]! ^ state[i]!;
    state.set(next);
    this.onFixedPattern = flips > 0 && this.isFixedPattern(this.strongest());
    return flips;
  }

  /** The pattern with the largest (centred) intersection in the last read. */
  private strongest(): number {
    const coef = this.coef;
    let best = 0;
    for (let mu = 1; mu < this.p; mu++) if (coef[mu]! > coef[best]!) best = mu;
    return best;
  }

  /** Whether the state is stored pattern mu and mu reads itself back (so the next read would change nothing). */
  private isFixedPattern(mu: number): boolean {
    if (this.fixedPattern[mu] !== 1) return false;
    const { k, patterns, state } = this;
    for (let q = mu * k, e = q + k; q < e; q++) if (state[patterns[q]!] === 0) return false;
    return true;
  }

  /** Up to `cycles` reads, stopping at a fixed point or silence. Returns the reads that changed the state. */
  runReads(cycles: number): number {
    let changed = 0;
    for (let c = 0; c < cycles; c++) {
      if (this.readStep() === 0) break;
      changed++;
      // a stored pattern that reads itself back: the next read would change nothing (it is not made)
      if (this.onFixedPattern || !this.state.includes(1)) break;
    }
    return changed;
  }

  /** Sets the state (0/1 of length M). */
  setState(s: ArrayLike<number>): void {
    for (let i = 0; i < this.m; i++) this.state[i] = s[i]! !== 0 ? 1 : 0;
  }

  /** Pattern mu as a 0/1 vector of length M. */
  pattern(mu: number): Uint8Array {
    const s = new Uint8Array(this.m);
    for (let j = 0; j < this.k; j++) s[this.patterns[mu * this.k + j]!] = 1;
    return s;
  }

  /** The random seed state of (epoch, slot): the Hopfield notebook's k units (stream 'cls:notebook:seed'). */
  seedRandom(epoch: number, slot: number): void {
    this.state.fill(0);
    for (const i of drawSparsePatterns(this.rng, this.m, this.k, 1, this.seedStream, slot, epoch)) this.state[i] = 1;
  }

  /** Classifies the current state against the stored patterns, as Notebook.classify. */
  classify(): Classification {
    const { p, k, m, state, unitPtr, unitPatterns } = this;
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

  /** One offline reactivation without its readout: seed (epoch, slot) -> reads; the final state stays in `state`. */
  settle(epoch: number, slot: number): Classification & { readonly kwtaCycles: number; readonly thresholdCycles: number } {
    this.seedRandom(epoch, slot);
    const reads = this.runReads(this.params.kwtaCycles);
    return { ...this.classify(), kwtaCycles: reads, thresholdCycles: 0 };
  }

  /** Reads the current state out through the links: x^ into outX (if given); returns y^. */
  readout(outX?: Float64Array): number {
    return readoutState(this, this.state, this.units, outX ?? new Float64Array(this.n));
  }

  /** The readout of stored pattern mu itself: x^ into outX, returns y^. */
  readoutPattern(mu: number, outX: Float64Array): number {
    const n = this.n;
    outX.set(this.patternX.subarray(mu * n, mu * n + n));
    return this.patternY[mu]!;
  }

  /** The notebook activity L^x x a student input x evokes (Notebook.cue, the same low-rank form). */
  cue(x: ArrayLike<number>, out: Float64Array = new Float64Array(this.m)): Float64Array {
    return cueActivity(this.encoding, x, this.coef, out);
  }

  /** Recall from a student cue x: the k units the cue drives most, then up to kwtaCycles reads; y^ and the pattern. */
  recall(x: ArrayLike<number>): Recall {
    kWinners(this.cue(x, this.cueActivity), this.k, this.state, this.scratch);
    this.runReads(this.params.kwtaCycles);
    const cls = this.classify();
    const y = cls.distance === 0 && cls.memory >= 0 ? this.patternY[cls.memory]! : this.readout();
    return { y, memory: cls.memory, distance: cls.distance };
  }

  /** Mean squared error of recall over a data set and how many recalls ended exactly on pattern mu for row mu. */
  recallError(data: Dataset): { error: number; exact: number } {
    return recallErrorOver(data, (x) => this.recall(x));
  }

  toString(): string {
    const act = this.threshold !== null ? `theta=${this.threshold}` : `topK=${this.topK}`;
    return `<SdmNotebook M=${this.m} k=${this.k} P=${this.p} H=${this.h} c=${this.c} ${act}>`;
  }
}

