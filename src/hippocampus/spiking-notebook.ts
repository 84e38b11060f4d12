/**
 * The CLS notebook on the engine: the sparse Hopfield notebook of models/memory/cls/notebook.ts as a circuit of
 * `kwta_unit` neurons (models/neurons/kwta.ts) whose reactivations are spike events, equal to the algebraic
 * notebook's states cycle for cycle, bit for bit, on the same seed (docs/DECISIONS.md 50).
 *
 *   seed (external, M) --one_to_one, 'seed'--------------------+
 *   kwta_clock (external, 1) --all_to_all, 'kwta'---------------+--> notebook (kwta_unit, M) --+
 *   threshold_clock (external, 1) --all_to_all, 'threshold'-----+        ^                     |
 *                                                                        +---- 'hebb' ---------+  weight n_ij
 *
 * Every projection has a delay of one tick. A reactivation (epoch, slot) starting at tick t0:
 *   tick t0             the seed source fires the k seed units (stream 'cls:notebook:seed', index slot, tick epoch:
 *                       the algebraic notebook's own draw);
 *   update t0 + 1       seed cycle: the notebook fires exactly the seed (spike tick t0 + 2): state s^0;
 *   tick t0 + 2c        a clock spike (kwta, then threshold) opens cycle c = 1, 2, ...;
 *   update t0 + 2c + 1  the notebook sees H = (n_ij) s^{c-1} and the clock, and fires s^c (spike tick t0 + 2c + 2).
 * The controller here closes the loop like the SDM protocol's iterative reads: after each cycle it compares s^c with
 * s^{c-1} (the spikes of the two cycles) and, as the algebraic notebook does, ends the k-winners phase at the first
 * cycle that changes nothing (or after `kwtaCycles`), then the fixed-threshold phase likewise. The final state is
 * classified against the stored patterns with the algebraic notebook's rule. Events 'reactivation-start' (at t0) and
 * 'reactivation-end' (at the last spike tick), id = epoch, mark each reactivation in the run's event log.
 *
 * `SpikingNotebook` is a ReplaySource (models/memory/cls/replay.ts): a ReplaySchedule filled by it, and a CLS run
 * replaying that schedule (runCls with RunOptions.schedule), use the spiking notebook instead of the algebraic one.
 */
import { CpuBackend } from '../backends/cpu/index.ts';
import { CounterRng, streamId } from '../core/rng.ts';
import { InputError } from '../core/errors.ts';
import { Simulator } from '../engine/simulator.ts';
import { drawSparsePatterns, FIELD_TIE_TOLERANCE, type Classification, type Notebook, type NotebookCounters } from '../models/memory/cls/notebook.ts';
import type { ReplaySource } from '../models/memory/cls/replay.ts';
import { Network, Projection, buildNetwork, type NetworkSpec } from '../network/network.ts';

/** Population names of the circuit. */
export const NOTEBOOK_POPULATIONS = Object.freeze({ notebook: 'notebook', seed: 'seed', kwtaClock: 'kwta_clock', thresholdClock: 'threshold_clock' });

export type CyclePhase = 'seed' | 'kwta' | 'threshold';

/** One cycle of a reactivation: its phase and the units that fired (ascending). */
export interface CycleState {
  readonly phase: CyclePhase;
  readonly units: Int32Array;
}

export interface SpikingNotebookOptions {
  /** Tick length (default 5 ms: a cycle, a clock tick plus the recurrent delay, lasts 10 ms, a fast gamma cycle). */
  readonly dtMs?: number;
  /** Ticks of silence between reactivations (default 2). */
  readonly gapTicks?: number;
  /** Keep every cycle's state of the last reactivation in `trace` (tests). */
  readonly trace?: boolean;
  /**
   * Parameter overrides of the kwta_unit population (k, u, ...), for negative controls: a circuit that should then
   * disagree with the notebook.
   */
  readonly unitOverrides?: Readonly<Record<string, number>>;
  /**
   * Engine threads (default 1). The kwta_unit population is never cut into thread slices (its model is
   * `wholePopulation`), so more threads only share the delivery of the recurrent spikes.
   */
  readonly threads?: number;
}

/**
 * The circuit of a notebook: populations, the three input projections and the recurrent Hebbian projection built from
 * the notebook's index patterns (weight n_ij, the patterns that hold both units; synapses only where n_ij > 0, i != j).
 */
export function buildNotebookNetwork(nb: Notebook, seed: number, dtMs: number, unitOverrides: Readonly<Record<string, number>> = {}): Network {
  const { m, k, p } = nb;
  const a = nb.params.a;
  const P = NOTEBOOK_POPULATIONS;
  const spec: NetworkSpec = {
    name: 'cls-notebook',
    origin: 'cls-notebook (built from the notebook)',
    populations: [
      {
        name: P.notebook,
        size: m,
        model: 'kwta_unit',
        params: { k, coding: a, norm: m * a * (1 - a), baseline: p * a * a, inhibition: nb.params.gamma / (m * a), u: nb.params.u, tie: FIELD_TIE_TOLERANCE, ...unitOverrides },
      },
      { name: P.seed, size: m, source: { kind: 'external' } },
      { name: P.kwtaClock, size: 1, source: { kind: 'external' } },
      { name: P.thresholdClock, size: 1, source: { kind: 'external' } },
    ],
    projections: [
      { name: 'seed', source: P.seed, target: P.notebook, receptor: 'seed', connectivity: { rule: 'one_to_one' }, weight: 1, delay_ms: dtMs },
      { name: 'kwta_clock', source: P.kwtaClock, target: P.notebook, receptor: 'kwta', connectivity: { rule: 'all_to_all' }, weight: 1, delay_ms: dtMs },
      { name: 'threshold_clock', source: P.thresholdClock, target: P.notebook, receptor: 'threshold', connectivity: { rule: 'all_to_all' }, weight: 1, delay_ms: dtMs },
    ],
  };
  const base = buildNetwork(spec, seed, dtMs);
  const pop = base.population(P.notebook)!;
  // unit -> patterns (the notebook's own lists), and each unit's load n_i (the patterns that hold it)
  const { patterns, unitPtr: ptr, unitPatterns: lists } = nb;
  const load = pop.state.load!;
  for (let i = 0; i < m; i++) load[i] = ptr[i + 1]! - ptr[i]!;
  // Rows of the Hebbian projection: for unit i, every j != i sharing a pattern, with n_ij = the patterns shared.
  const shared = new Int32Array(m);
  const touched = new Int32Array(m);
  const rowPtr = new Uint32Array(m + 1);
  let col = new Uint32Array(1024);
  let weights = new Float32Array(1024);
  let nSyn = 0;
  for (let i = 0; i < m; i++) {
    let nt = 0;
    for (let z = ptr[i]!; z < ptr[i + 1]!; z++) {
      const mu = lists[z]!;
      for (let q = mu * k; q < mu * k + k; q++) {
        const j = patterns[q]!;
        if (j === i) continue;
        if (shared[j] === 0) touched[nt++] = j;
        shared[j]!++;
      }
    }
    const row = touched.subarray(0, nt).sort();
    if (nSyn + nt > col.length) {
      const size = Math.max(2 * col.length, nSyn + nt);
      const c2 = new Uint32Array(size);
      c2.set(col.subarray(0, nSyn));
      col = c2;
      const w2 = new Float32Array(size);
      w2.set(weights.subarray(0, nSyn));
      weights = w2;
    }
    for (let r = 0; r < nt; r++) {
      const j = row[r]!;
      col[nSyn] = j;
      weights[nSyn++] = shared[j]!;
      shared[j] = 0;
    }
    rowPtr[i + 1] = nSyn;
  }
  const hebb = new Projection(base.projections.length, 'hebb', pop, pop, 'hebb', pop.model!.receptors.indexOf('hebb'), {
    nPre: m,
    nPost: m,
    rowPtr,
    col: col.slice(0, nSyn),
    weights: weights.slice(0, nSyn),
    weight: 0,
    delays: null,
    delay: 1,
  });
  return new Network(base.name, dtMs, seed, base.populations, [...base.projections, hebb]);
}

export class SpikingNotebook implements ReplaySource {
  readonly m: number;
  readonly k: number;
  readonly p: number;
  /** The state after the last cycle (0/1 per unit). */
  readonly state: Uint8Array;
  /** cycles: k-winners and threshold cycles run; selections: k-winners cycles (no field maintenance on the engine). */
  readonly counters: NotebookCounters = { columnUpdates: 0, recomputes: 0, selections: 0, cycles: 0 };
  /** Reactivations settled so far. */
  reactivations = 0;
  /** Every cycle's state of the last reactivation (with options.trace). */
  readonly trace: CycleState[] = [];
  private readonly keepTrace: boolean;
  private readonly gap: number;
  private readonly rng: CounterRng;
  private readonly seedStream = streamId('cls:notebook:seed');
  private readonly ptr: Int32Array;
  private readonly lists: Int32Array;
  private readonly overlap: Int32Array;
  /** Units of the current state (ascending) and of the cycle just run. */
  private current: Int32Array;
  private currentCount = 0;
  private fired: Int32Array;
  private firedCount = 0;

  private constructor(
    readonly notebook: Notebook,
    readonly network: Network,
    readonly sim: Simulator,
    seed: number,
    options: SpikingNotebookOptions,
  ) {
    this.m = notebook.m;
    this.k = notebook.k;
    this.p = notebook.p;
    this.state = new Uint8Array(this.m);
    this.keepTrace = options.trace === true;
    this.gap = options.gapTicks ?? 2;
    this.rng = new CounterRng(seed);
    const { m, k, p } = this;
    const count = new Int32Array(m);
    for (let q = 0; q < p * k; q++) count[notebook.patterns[q]!]!++;
    this.ptr = new Int32Array(m + 1);
    for (let i = 0; i < m; i++) this.ptr[i + 1] = this.ptr[i]! + count[i]!;
    this.lists = new Int32Array(p * k);
    const fill = this.ptr.slice(0, m);
    for (let mu = 0; mu < p; mu++) for (let q = 0; q < k; q++) this.lists[fill[notebook.patterns[mu * k + q]!]!++] = mu;
    this.overlap = new Int32Array(p);
    this.current = new Int32Array(m);
    this.fired = new Int32Array(m);
    const pop = network.population(NOTEBOOK_POPULATIONS.notebook)!;
    sim.onSpikes((_tick, population, indices) => {
      if (population !== pop) return;
      this.fired.set(indices);
      this.firedCount = indices.length;
    });
  }

  /**
   * The spiking circuit of `notebook` (an algebraic notebook of the Hopfield kind, built with `seed`: its index
   * patterns become the synapses, and the same seed draws the reactivation seeds). Runs on the cpu backend in float64,
   * on `options.threads` engine threads (default 1).
   */
  static async create(notebook: Notebook, seed: number, options: SpikingNotebookOptions = {}): Promise<SpikingNotebook> {
    const kind = (notebook.params as { readonly kind?: string }).kind ?? 'hopfield';
    if (kind !== 'hopfield') throw new InputError('cls: /notebook/kind', `'hopfield' for the spiking notebook, got '${kind}'`);
    const dtMs = options.dtMs ?? 5;
    if (!(dtMs > 0 && Number.isFinite(dtMs))) throw new InputError('spiking notebook: dtMs', `must be a time > 0 ms, got ${dtMs}`);
    const gap = options.gapTicks ?? 2;
    if (!(Number.isInteger(gap) && gap >= 0)) throw new InputError('spiking notebook: gapTicks', `must be an integer >= 0, got ${gap}`);
    const network = buildNotebookNetwork(notebook, seed, dtMs, options.unitOverrides);
    const sim = await Simulator.create(network, { seed, backend: new CpuBackend(), threads: options.threads ?? 1 });
    return new SpikingNotebook(notebook, network, sim, seed, options);
  }

  /** Runs one cycle: the clock of `phase` (or the seed units) at the current tick, two ticks, the spikes collected. */
  private cycle(phase: CyclePhase, seedUnits?: Int32Array): void {
    const sim = this.sim;
    const P = NOTEBOOK_POPULATIONS;
    if (phase === 'seed') sim.injectSpikes(P.seed, sim.tick, seedUnits!);
    else sim.injectSpikes(phase === 'kwta' ? P.kwtaClock : P.thresholdClock, sim.tick, [0]);
    this.firedCount = 0;
    sim.advance(2);
    if (this.keepTrace) this.trace.push({ phase, units: this.fired.slice(0, this.firedCount) });
  }

  /** Takes the cycle's spikes as the new state; returns whether it changed. */
  private accept(): boolean {
    const n = this.firedCount;
    let changed = n !== this.currentCount;
    for (let r = 0; r < n && !changed; r++) if (this.fired[r] !== this.current[r]) changed = true;
    if (!changed) return false;
    const state = this.state;
    for (let r = 0; r < this.currentCount; r++) state[this.current[r]!] = 0;
    for (let r = 0; r < n; r++) state[this.fired[r]!] = 1;
    const t = this.current;
    this.current = this.fired;
    this.fired = t;
    this.currentCount = n;
    return true;
  }

  /**
   * One offline reactivation on the engine: seed (epoch, slot), k-winners cycles until one changes nothing (at most
   * kwtaCycles), then fixed-threshold cycles likewise (at most thresholdCycles); the final state stays in `state`.
   */
  settle(epoch: number, slot: number): Classification & { readonly kwtaCycles: number; readonly thresholdCycles: number } {
    const sim = this.sim;
    const t0 = sim.tick;
    this.trace.length = 0;
    sim.emitEvent({ tick: t0, kind: 'reactivation-start', id: epoch, data: { epoch, slot } });
    const seedUnits = drawSparsePatterns(this.rng, this.m, this.k, 1, this.seedStream, slot, epoch);
    this.cycle('seed', seedUnits);
    this.accept();
    const { kwtaCycles, thresholdCycles } = this.notebook.params;
    let kw = 0;
    for (let c = 0; c < kwtaCycles; c++) {
      this.cycle('kwta');
      this.counters.cycles++;
      this.counters.selections++;
      if (!this.accept()) break;
      kw++;
    }
    let th = 0;
    for (let c = 0; c < thresholdCycles; c++) {
      this.cycle('threshold');
      this.counters.cycles++;
      if (!this.accept()) break;
      th++;
    }
    const cls = this.classify();
    sim.emitEvent({ tick: sim.tick, kind: 'reactivation-end', id: epoch, data: { epoch, slot, outcome: cls.outcome, memory: cls.memory, distance: cls.distance, kwta_cycles: kw, threshold_cycles: th } });
    if (this.gap > 0) sim.advance(this.gap);
    this.reactivations++;
    return { ...cls, kwtaCycles: kw, thresholdCycles: th };
  }

  /** The current state against the stored patterns, by the algebraic notebook's rule (Notebook.classify). */
  classify(): Classification {
    const { p, k } = this;
    const total = this.currentCount;
    if (total === 0) return { outcome: 'silent', memory: -1, distance: k, active: 0 };
    const o = this.overlap;
    o.fill(0);
    for (let r = 0; r < total; r++) {
      const i = this.current[r]!;
      for (let z = this.ptr[i]!; z < this.ptr[i + 1]!; z++) o[this.lists[z]!]!++;
    }
    let best = 0;
    for (let mu = 1; mu < p; mu++) if (o[mu]! > o[best]!) best = mu;
    const distance = total + k - 2 * o[best]!;
    return { outcome: distance <= this.notebook.storedTolerance * k ? 'stored' : 'spurious', memory: best, distance, active: total };
  }

  /** Synaptic events delivered so far (the engine's count). */
  get synapticEvents(): number {
    return this.sim.synapticEvents;
  }

  dispose(): void {
    this.sim.dispose();
    this.sim.backend.dispose();
  }

  toString(): string {
    return `<SpikingNotebook M=${this.m} k=${this.k} P=${this.p} synapses=${this.network.synapses} tick=${this.sim.tick}>`;
  }
}
