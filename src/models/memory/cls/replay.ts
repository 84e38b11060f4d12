/**
 * The replay schedule: what the notebook reactivates, epoch by epoch, kept apart from what those states read out.
 *
 * A reactivation's final state depends on the index patterns, the recurrent weights (both drawn from the run's seed
 * and the notebook parameters alone) and its random seed (seed, epoch, slot); it never depends on the stored examples
 * (x^mu, y^mu). Its readout is linear in them: a state with overlaps o_mu and S active units reads out
 * (x^, y^) = sum_mu beta_mu (x^mu, y^mu), beta_mu = (o_mu - a S) / (M a (1 - a)) (notebook.ts). So a schedule records,
 * for each (epoch, slot), the outcome, the memory reached and its distance, the cycles, and, when the state is not
 * exactly a stored pattern, its active units (for an exact pattern the memory index is enough; beta is computed
 * from the active units when read: the notebook's overlaps with them). Runs of one seed that differ only in
 * the teacher (SNR, complex or partially observed teacher), the regime or a lesion then share one schedule: the
 * reactivations, the costly part of a run, are computed once (common random numbers: each run is still a correct
 * draw of its own condition, and differences between conditions are not blurred by different notebooks).
 * A schedule is computed lazily from a notebook (`ensure`), or moved as plain typed arrays (`toData`, and the
 * constructor's `{ data }`, e.g. from a worker thread).
 */
import type { NotebookParams } from './params.ts';
import type { Classification, NotebookCounters, ReactivationOutcome } from './notebook.ts';
import type { Dataset } from './teacher.ts';

/**
 * What a schedule needs from the notebook that computes it: any dynamics (the algebraic Hopfield notebook, an SDM
 * notebook, the notebook on the spiking engine) that settles a reactivation (epoch, slot) from its own seed and
 * leaves the final binary state in `state`.
 */
export interface ReplaySource {
  readonly m: number;
  readonly p: number;
  readonly state: Uint8Array;
  readonly counters: Readonly<NotebookCounters>;
  settle(epoch: number, slot: number): Classification & { readonly kwtaCycles: number; readonly thresholdCycles: number };
  /**
   * Optional: settles every reactivation of epochs from..to (inclusive) in any order, calling `record` once for each;
   * for a reactivation that did not end exactly on a stored pattern, `state` holds its final state during the call
   * (for one that did, the memory index says it all and `state` may hold anything). A source that runs many reactivations
   * together (backends/cpu/wasm/notebook-lanes.ts) gives the schedule `settle`'s results this way.
   */
  settleEpochs?(from: number, to: number, record: (epoch: number, slot: number, r: SettleResult) => void): void;
}

/** What one reactivation's settling gives a schedule. */
export type SettleResult = Classification & { readonly kwtaCycles: number; readonly thresholdCycles: number };

/**
 * What reading a reactivation out needs: the one-shot encoding (index patterns as unit -> pattern lists, the stored
 * examples, the readouts of the stored patterns themselves and the link normalisation). Every notebook kind shares it.
 */
export interface ReplayEncoding {
  readonly params: { readonly a: number };
  readonly norm: number;
  readonly memories: Dataset;
  readonly patternX: Float64Array;
  readonly patternY: Float64Array;
  readonly unitPtr: Int32Array;
  readonly unitPatterns: Int32Array;
}

/**
 * Everything a schedule depends on, as a string: equal keys give identical schedules. Every notebook parameter takes
 * part (in sorted order), so notebook kinds and their own parameters (NotebookParams may grow) keep schedules apart.
 */
export function replayKey(seed: number, p: number, notebook: NotebookParams): string {
  const sorted = Object.fromEntries(Object.entries(notebook).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return JSON.stringify({ seed, p, notebook: sorted });
}

const OUTCOMES: readonly ReactivationOutcome[] = ['stored', 'spurious', 'silent'];

/** A schedule as plain data (typed arrays; transferable). Entry (epoch e >= 1, slot) is at (e - 1) P + slot. */
export interface ReplayData {
  readonly key: string;
  readonly epochs: number;
  readonly p: number;
  /** Epochs computed so far (entries beyond are undefined). */
  readonly computed: number;
  readonly outcome: Uint8Array;
  readonly memory: Int32Array;
  readonly distance: Int32Array;
  readonly active: Int32Array;
  readonly kwtaCycles: Uint16Array;
  readonly thresholdCycles: Uint16Array;
  /** Where this entry's active units start in `units` (`active` of them), or -1 (an exact stored pattern or silent). */
  readonly unitStart: Int32Array;
  readonly units: Int32Array;
  readonly work: { cycles: number; selections: number; recomputes: number; columnUpdates: number };
}

export interface ReplayEntry {
  readonly outcome: ReactivationOutcome;
  readonly memory: number;
  readonly distance: number;
  readonly active: number;
  readonly kwtaCycles: number;
  readonly thresholdCycles: number;
}

export class ReplaySchedule {
  readonly key: string;
  readonly epochs: number;
  readonly p: number;
  private computedEpochs: number;
  private readonly outcome: Uint8Array;
  private readonly memory: Int32Array;
  private readonly distance: Int32Array;
  private readonly active: Int32Array;
  private readonly kwta: Uint16Array;
  private readonly threshold: Uint16Array;
  private readonly unitStart: Int32Array;
  private units: Int32Array;
  private unitCount: number;
  private readonly overlap: Int32Array;
  private readonly work: ReplayData['work'];
  /** outcomeOf's answer (one object, overwritten by the next call). */
  private readonly last: { outcome: ReactivationOutcome; memory: number } = { outcome: 'stored', memory: -1 };
  /** The notebook that computes further epochs (released once every epoch is computed). */
  private source: ReplaySource | undefined;

  /**
   * An empty schedule of `epochs` epochs that `source` (the notebook of `key`) fills on demand, or a finished one
   * from `data`.
   */
  constructor(init: { readonly key: string; readonly epochs: number; readonly source: ReplaySource } | { readonly data: ReplayData }) {
    if ('data' in init) {
      const d = init.data;
      this.key = d.key;
      this.epochs = d.epochs;
      this.p = d.p;
      this.computedEpochs = d.computed;
      this.outcome = d.outcome;
      this.memory = d.memory;
      this.distance = d.distance;
      this.active = d.active;
      this.kwta = d.kwtaCycles;
      this.threshold = d.thresholdCycles;
      this.unitStart = d.unitStart;
      this.units = d.units;
      this.unitCount = d.units.length;
      this.work = { ...d.work };
      this.source = undefined;
    } else {
      const p = init.source.p;
      const size = init.epochs * p;
      this.key = init.key;
      this.epochs = init.epochs;
      this.p = p;
      this.computedEpochs = 0;
      this.outcome = new Uint8Array(size);
      this.memory = new Int32Array(size);
      this.distance = new Int32Array(size);
      this.active = new Int32Array(size);
      this.kwta = new Uint16Array(size);
      this.threshold = new Uint16Array(size);
      this.unitStart = new Int32Array(size).fill(-1);
      this.units = new Int32Array(1024);
      this.unitCount = 0;
      this.work = { cycles: 0, selections: 0, recomputes: 0, columnUpdates: 0 };
      this.source = init.source;
    }
    this.overlap = new Int32Array(this.p);
  }

  /** Epochs computed so far. */
  get computed(): number {
    return this.computedEpochs;
  }

  /** Work of the notebook's field maintenance for the epochs computed so far. */
  get counters(): Readonly<ReplayData['work']> {
    return this.work;
  }

  /** Computes the reactivations of epochs up to `epoch` (no-op when done). Throws when no notebook can compute them. */
  ensure(epoch: number): void {
    if (epoch <= this.computedEpochs) return;
    if (epoch > this.epochs) throw new RangeError(`replay schedule: epoch ${epoch} beyond its ${this.epochs} epochs`);
    const nb = this.source;
    if (!nb) throw new RangeError(`replay schedule: epoch ${epoch} was not computed (${this.computedEpochs} were) and no notebook is attached`);
    const c0 = { ...nb.counters };
    const from = this.computedEpochs + 1;
    if (nb.settleEpochs) {
      // reactivations come in any order: their entries go to their places, and the active units of those that are
      // not exact stored patterns are appended afterwards in (epoch, slot) order, as the one-by-one path appends them
      const pending = new Map<number, Int32Array>();
      nb.settleEpochs(from, epoch, (e, slot, r) => {
        const q = (e - 1) * this.p + slot;
        if (this.record(q, r)) pending.set(q, activeUnits(nb.state, r.active));
      });
      for (const q of [...pending.keys()].sort((x, y) => x - y)) this.appendUnits(q, pending.get(q)!);
      this.computedEpochs = epoch;
    } else {
      for (let e = from; e <= epoch; e++) {
        for (let slot = 0; slot < this.p; slot++) {
          const q = (e - 1) * this.p + slot;
          const r = nb.settle(e, slot);
          if (this.record(q, r)) this.appendUnits(q, activeUnits(nb.state, r.active));
        }
        this.computedEpochs = e;
      }
    }
    const c = nb.counters;
    this.work.cycles += c.cycles - c0.cycles;
    this.work.selections += c.selections - c0.selections;
    this.work.recomputes += c.recomputes - c0.recomputes;
    this.work.columnUpdates += c.columnUpdates - c0.columnUpdates;
    if (this.computedEpochs === this.epochs) this.source = undefined;
  }

  /** Writes entry q; returns whether its active units are to be kept (not an exact stored pattern, not silent). */
  private record(q: number, r: SettleResult): boolean {
    this.outcome[q] = OUTCOMES.indexOf(r.outcome);
    this.memory[q] = r.memory;
    this.distance[q] = r.distance;
    this.active[q] = r.active;
    this.kwta[q] = r.kwtaCycles;
    this.threshold[q] = r.thresholdCycles;
    return !(r.distance === 0 && r.memory >= 0) && r.active > 0;
  }

  /** Appends entry q's active units. */
  private appendUnits(q: number, units: Int32Array): void {
    if (this.unitCount + units.length > this.units.length) {
      const grown = new Int32Array(Math.max(2 * this.units.length, this.unitCount + units.length));
      grown.set(this.units.subarray(0, this.unitCount));
      this.units = grown;
    }
    this.unitStart[q] = this.unitCount;
    this.units.set(units, this.unitCount);
    this.unitCount += units.length;
  }

  /** How reactivation (epoch, slot) ended and the memory it reached (`entry` without the rest), computing it if needed. */
  outcomeOf(epoch: number, slot: number): { readonly outcome: ReactivationOutcome; readonly memory: number } {
    this.ensure(epoch);
    const q = this.index(epoch, slot);
    this.last.outcome = OUTCOMES[this.outcome[q]!]!;
    this.last.memory = this.memory[q]!;
    return this.last;
  }

  /** The reactivation of (epoch, slot), computing it first if needed. */
  entry(epoch: number, slot: number): ReplayEntry {
    this.ensure(epoch);
    const q = this.index(epoch, slot);
    return {
      outcome: OUTCOMES[this.outcome[q]!]!,
      memory: this.memory[q]!,
      distance: this.distance[q]!,
      active: this.active[q]!,
      kwtaCycles: this.kwta[q]!,
      thresholdCycles: this.threshold[q]!,
    };
  }

  /**
   * The readout of reactivation (epoch, slot) through the links of `notebook` (a notebook with this schedule's key,
   * storing any examples): x^ into outX[offset .. offset + N), returns y^. An exact stored pattern mu reads out the
   * notebook's own readout of that pattern (`Notebook.readoutPattern`); any other state sum_mu beta_mu (x^mu, y^mu);
   * a silent state zero.
   */
  read(epoch: number, slot: number, notebook: ReplayEncoding, outX: Float64Array, offset = 0): number {
    this.ensure(epoch);
    const q = this.index(epoch, slot);
    const memories = notebook.memories;
    const n = memories.n;
    const mu = this.memory[q]!;
    if (this.distance[q] === 0 && mu >= 0) {
      const px = notebook.patternX;
      for (let j = 0, r = mu * n; j < n; j++) outX[offset + j] = px[r + j]!;
      return notebook.patternY[mu]!;
    }
    outX.fill(0, offset, offset + n);
    const start = this.unitStart[q]!;
    if (start < 0) return 0; // silent
    // beta_nu = (o_nu - a S) / (M a (1 - a)), o_nu = |xi^nu ∩ s| from the notebook's unit -> pattern lists
    const total = this.active[q]!;
    const o = this.overlap;
    o.fill(0);
    const { unitPtr, unitPatterns } = notebook;
    for (let r = start; r < start + total; r++) {
      const i = this.units[r]!;
      for (let z = unitPtr[i]!, e = unitPtr[i + 1]!; z < e; z++) o[unitPatterns[z]!]!++;
    }
    const a = notebook.params.a;
    const inv = 1 / notebook.norm;
    const mx = memories.x;
    let y = 0;
    for (let nu = 0; nu < this.p; nu++) {
      const b = (o[nu]! - a * total) * inv;
      y += b * memories.y[nu]!;
      for (let j = 0, r = nu * n; j < n; j++) outX[offset + j]! += b * mx[r + j]!;
    }
    return y;
  }

  /**
   * One finished schedule from consecutive epoch ranges of one key (`computeReplayRange`, in order, the first from
   * epoch 1): the entries, active units and work of the ranges, joined. The result equals the schedule computed in one
   * piece, array for array (each reactivation depends on its (epoch, slot) and the notebook only).
   */
  static join(parts: readonly ReplayRange[]): ReplaySchedule {
    if (parts.length === 0) throw new RangeError('replay schedule: nothing to join');
    const first = parts[0]!.data;
    let epochs = 0;
    let unitTotal = 0;
    for (const part of parts) {
      const d = part.data;
      if (d.key !== first.key || d.p !== first.p) throw new RangeError(`replay schedule: cannot join ${d.key} (P ${d.p}) to ${first.key} (P ${first.p})`);
      if (part.from !== epochs + 1 || d.computed !== d.epochs) throw new RangeError(`replay schedule: range from epoch ${part.from} (${d.computed} of ${d.epochs} epochs computed) does not follow epoch ${epochs}`);
      epochs += d.epochs;
      unitTotal += d.units.length;
    }
    const size = epochs * first.p;
    const out = {
      key: first.key,
      epochs,
      p: first.p,
      computed: epochs,
      outcome: new Uint8Array(size),
      memory: new Int32Array(size),
      distance: new Int32Array(size),
      active: new Int32Array(size),
      kwtaCycles: new Uint16Array(size),
      thresholdCycles: new Uint16Array(size),
      unitStart: new Int32Array(size),
      units: new Int32Array(unitTotal),
      work: { cycles: 0, selections: 0, recomputes: 0, columnUpdates: 0 },
    };
    let at = 0;
    let unitAt = 0;
    for (const { data: d } of parts) {
      const n = d.epochs * d.p;
      out.outcome.set(d.outcome.subarray(0, n), at);
      out.memory.set(d.memory.subarray(0, n), at);
      out.distance.set(d.distance.subarray(0, n), at);
      out.active.set(d.active.subarray(0, n), at);
      out.kwtaCycles.set(d.kwtaCycles.subarray(0, n), at);
      out.thresholdCycles.set(d.thresholdCycles.subarray(0, n), at);
      for (let q = 0; q < n; q++) out.unitStart[at + q] = d.unitStart[q]! < 0 ? -1 : d.unitStart[q]! + unitAt;
      out.units.set(d.units, unitAt);
      at += n;
      unitAt += d.units.length;
      out.work.cycles += d.work.cycles;
      out.work.selections += d.work.selections;
      out.work.recomputes += d.work.recomputes;
      out.work.columnUpdates += d.work.columnUpdates;
    }
    return new ReplaySchedule({ data: out });
  }

  /** The schedule as plain data (shares the arrays; `units` trimmed to those in use). */
  toData(): ReplayData {
    return {
      key: this.key,
      epochs: this.epochs,
      p: this.p,
      computed: this.computedEpochs,
      outcome: this.outcome,
      memory: this.memory,
      distance: this.distance,
      active: this.active,
      kwtaCycles: this.kwta,
      thresholdCycles: this.threshold,
      unitStart: this.unitStart,
      units: this.units.slice(0, this.unitCount),
      work: { ...this.work },
    };
  }

  private index(epoch: number, slot: number): number {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.p)) throw new RangeError(`replay schedule: slot ${slot} outside 0..${this.p - 1}`);
    return (epoch - 1) * this.p + slot;
  }
}

/** The active units of a binary state, in index order (`count`, the expected number, sizes the first buffer). */
function activeUnits(state: Uint8Array, count: number): Int32Array {
  let out = new Int32Array(count);
  let n = 0;
  for (let i = 0; i < state.length; i++) {
    if (state[i] === 0) continue;
    if (n === out.length) {
      const grown = new Int32Array(2 * n + 1);
      grown.set(out);
      out = grown;
    }
    out[n++] = i;
  }
  return n === out.length ? out : out.slice(0, n);
}

/** The reactivations of epochs `from` .. `from` + data.epochs - 1 of one schedule, as plain data (entry (e, slot) of
 * `data` is epoch from - 1 + e). */
export interface ReplayRange {
  readonly from: number;
  readonly data: ReplayData;
}

/**
 * The reactivations of epochs from..to (inclusive, from >= 1) that `source`, the notebook of `key`, makes, as plain
 * data (`ReplaySchedule.join` puts ranges together). Ranges of one schedule can be computed apart, each by its own
 * notebook of the same key (two threads, say): a reactivation depends on its (epoch, slot) and the notebook only.
 */
export function computeReplayRange(source: ReplaySource, key: string, from: number, to: number): ReplayRange {
  if (!(Number.isSafeInteger(from) && from >= 1 && Number.isSafeInteger(to) && to >= from - 1)) throw new RangeError(`replay schedule: bad epoch range ${from}..${to}`);
  const shifted: ReplaySource = {
    m: source.m,
    p: source.p,
    get state() {
      return source.state;
    },
    get counters() {
      return source.counters;
    },
    settle: (epoch, slot) => source.settle(from - 1 + epoch, slot),
  };
  const batch = source.settleEpochs?.bind(source);
  if (batch) shifted.settleEpochs = (f, t, record) => batch(from - 1 + f, from - 1 + t, (e, slot, r) => record(e - from + 1, slot, r));
  const part = new ReplaySchedule({ key, epochs: to - from + 1, source: shifted });
  part.ensure(to - from + 1);
  return { from, data: part.toData() };
}
