/**
 * Every core: the neuron updates and spike deliveries of a tick, spread over worker threads that share the network's
 * memory (SharedArrayBuffer), NEST-style: each thread owns a slice of every large population (engine/partition.ts),
 * updates it, and writes into its own targets' ring slots only. The calling thread is thread 0.
 *
 * A tick in which a thread team helps has two barriers:
 *   update   every thread steps its slices; thread 0 then merges the slices' spikes (ascending) and rest flags;
 *   deliver  every thread walks all spikes of the tick into the targets it owns (sorted CSR rows, so the order of
 *            additions into each target is the single-threaded engine's).
 * Stimuli, plasticity, recording and the (tick, sequence) queue stay on thread 0, between the barriers, while the
 * other threads wait. The minimum delay here is one tick, so the synchronisation window is one tick.
 *
 * Threads wait by spinning for a few tens of microseconds (a tick of a small network is shorter than a futex wake-up)
 * and then block in Atomics.wait, so an idle team costs nothing. Nothing a thread computes depends on how many
 * threads there are: same seed, same spikes and state, bit for bit (test/engine/threads.test.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Backend, LinearMemory, PopulationKernel } from '../kernels/index.ts';
import { KernelRegistry, updateKernelName } from '../kernels/index.ts';
import { cpuKernel } from '../backends/cpu/index.ts';
import { NEURON_MODELS } from '../models/neurons/registry.ts';
import type { FloatArray, StateArrays, StepIO } from '../models/neurons/types.ts';
import { type DeliveryCsr, deliverPart, markWords } from './partition.ts';

/** One outgoing projection of a population, as a thread delivers it. */
export interface OutSetup {
  readonly target: number;
  readonly receptor: number;
  readonly csr: DeliveryCsr;
  /** engine/partition.ts rowSplits over the target's bounds (shared memory); null when the target is not split. */
  readonly splits: Uint32Array | null;
}

/** A neuron population's shared arrays and slicing. */
export interface PopSetup {
  readonly model: string;
  readonly params: Readonly<Record<string, number>>;
  readonly n: number;
  readonly slots: number;
  readonly bounds: Uint32Array;
  readonly state: StateArrays;
  readonly rings: readonly FloatArray[];
  /** The tick's spikes of the whole population, ascending (written by thread 0 after the merge). */
  readonly spikes: Uint32Array;
  /** Each slice's spikes (indices local to the slice) at offset bounds[t]. */
  readonly sliceSpikes: Uint32Array;
  /** External drive of the whole population (valid when the tick's control says so). */
  readonly ext: FloatArray;
  readonly dirty: Uint8Array;
  /** Input-mark bitmaps (partition.ts deliverMarked) when the population's kernel skips resting neurons. */
  readonly marks: Int32Array | null;
  readonly out: readonly OutSetup[];
}

export interface TeamSetup {
  readonly threads: number;
  readonly dtMs: number;
  readonly compiled: boolean;
  readonly wasmSimd: boolean;
  readonly precision: 32 | 64;
  readonly skipRest: boolean;
  /** The engine's arena (arena.ts) when the arrays live in one linear memory. */
  readonly memory: LinearMemory | undefined;
  readonly ctl: Int32Array;
  /** [0]: the spike tick s of the delivery phase. */
  readonly tick: Float64Array;
  /** Error text of a failed thread (UTF-8, zero-terminated). */
  readonly error: Uint8Array;
  /** By population index; null for spike sources. */
  readonly pops: ReadonlyArray<PopSetup | null>;
}

// Control words.
const GEN = 0;
const PHASE = 1;
const DONE = 2;
const FAILED = 3;
const POP = 8;
const POP_WORDS = 5; // run, slot, hasInput, hasExt, count (merged, for delivery)
export const PHASE_UPDATE = 1;
export const PHASE_DELIVER = 2;
export const PHASE_STOP = 3;

/** Control words for a network of `pops` populations and `threads` threads. */
export function controlWords(pops: number, threads: number): number {
  return POP + pops * POP_WORDS + pops * threads * 2;
}

/** Spin iterations before blocking (about 30-60 us). */
const SPIN = 20000;

/** Waits until ctl[i] differs from `value` (spins, then blocks). */
export function waitChange(ctl: Int32Array, i: number, value: number): number {
  for (let spin = 0; ; spin++) {
    const v = Atomics.load(ctl, i);
    if (v !== value) return v;
    if (spin >= SPIN) Atomics.wait(ctl, i, value, 1000);
  }
}

/** A slice of a population as one thread steps it. */
interface Slice {
  readonly kernel: PopulationKernel;
  readonly io: StepIO & { slotOffset: number; slotHasInput: boolean; iExt: FloatArray | null; marksOffset: number };
  readonly a: number;
  readonly ext: FloatArray;
}

/** What one thread (0 = the caller) does in each phase. */
export class ThreadPart {
  private constructor(
    private readonly setup: TeamSetup,
    readonly thread: number,
    private readonly slices: ReadonlyArray<Slice | null>,
  ) {}

  static async create(setup: TeamSetup, thread: number, backend: Backend): Promise<ThreadPart> {
    const registry = new KernelRegistry();
    backend.register(registry);
    const slices: Array<Slice | null> = [];
    for (const p of setup.pops) {
      const a = p?.bounds[thread] ?? 0;
      const b = p?.bounds[thread + 1] ?? 0;
      if (p === null || b === a) {
        slices.push(null);
        continue;
      }
      const model = NEURON_MODELS[p.model]!;
      const state: StateArrays = {};
      for (const [k, arr] of Object.entries(p.state)) state[k] = arr.subarray(a, b);
      const derived = model.derive(p.params, setup.dtMs);
      const factory = registry.get(updateKernelName(model.name)) ?? cpuKernel;
      const kernel = await factory({ model, params: p.params, derived, n: b - a, state, slotStride: p.n, ...(setup.memory ? { memory: setup.memory } : {}) });
      // A slice's ring view starts at its first neuron, so slot k of neuron a + i is still k * n + i of the view.
      const rings = p.rings.map((r) => r.subarray(a));
      // Slices start on multiples of 32 (partition.ts sliceBounds), so the marks of neuron a + i are bit i of the view.
      const marks = p.marks === null ? null : p.marks.subarray(a >>> 5);
      const io = { n: b - a, state, rings, slotOffset: 0, slotHasInput: false, iExt: null, spikes: p.sliceSpikes.subarray(a, b), status: new Int32Array(1), marks, marksOffset: 0 };
      slices.push({ kernel, io, a, ext: p.ext.subarray(a, b) });
    }
    return new ThreadPart(setup, thread, slices);
  }

  /** Steps this thread's slice of every population the control marks to run; writes counts and rest flags. */
  update(): void {
    const { ctl, threads } = this.setup;
    const outBase = POP + this.setup.pops.length * POP_WORDS;
    for (let p = 0; p < this.slices.length; p++) {
      const sl = this.slices[p];
      const c = POP + p * POP_WORDS;
      if (!sl || ctl[c] !== 1) continue;
      const pop = this.setup.pops[p]!;
      sl.io.slotOffset = ctl[c + 1]! * pop.n;
      sl.io.marksOffset = ctl[c + 1]! * markWords(pop.n);
      sl.io.slotHasInput = ctl[c + 2] === 1;
      sl.io.iExt = ctl[c + 3] === 1 ? sl.ext : null;
      const count = sl.kernel.step(sl.io) as number;
      const o = outBase + (p * threads + this.thread) * 2;
      ctl[o] = count;
      ctl[o + 1] = sl.io.status[0]!;
    }
  }

  /** Delivers every population's spikes of tick s into the targets this thread owns; returns the events. */
  deliver(): number {
    const { ctl, threads, pops } = this.setup;
    const s = this.setup.tick[0]!;
    let events = 0;
    for (let p = 0; p < pops.length; p++) {
      const pop = pops[p];
      const count = ctl[POP + p * POP_WORDS + 4]!;
      if (!pop || count === 0) continue;
      for (const o of pop.out) {
        const tgt = pops[o.target]!;
        events += deliverPart(o.csr, o.splits, threads, this.thread, pop.spikes, count, s, tgt.rings[o.receptor]!, tgt.n, tgt.slots, tgt.dirty, tgt.marks);
      }
    }
    return events;
  }

  dispose(): void {
    for (const s of this.slices) s?.kernel.dispose();
  }
}

/**
 * The loop a helper thread runs until told to stop (thread-worker.ts). It starts from generation 0: the first phase
 * may be posted before this thread gets here (right after it said it was ready).
 */
export function serve(setup: TeamSetup, part: ThreadPart): void {
  const { ctl } = setup;
  let gen = 0;
  for (;;) {
    gen = waitChange(ctl, GEN, gen);
    const phase = Atomics.load(ctl, PHASE);
    if (phase === PHASE_STOP) return;
    try {
      if (phase === PHASE_UPDATE) part.update();
      else if (phase === PHASE_DELIVER) part.deliver();
    } catch (e) {
      // The first failure's text is kept (compareExchange: two failing threads do not interleave).
      if (Atomics.compareExchange(ctl, FAILED, 0, 1) === 0) {
        const text = `thread ${part.thread}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
        const { written } = new TextEncoder().encodeInto(text, setup.error.subarray(0, setup.error.length - 1));
        setup.error[written] = 0;
      }
    } finally {
      Atomics.add(ctl, DONE, 1);
      Atomics.notify(ctl, DONE);
    }
  }
}

/** The calling thread's side: starts the helpers, runs phases, reads their results. */
export class ThreadTeam {
  private readonly outBase: number;
  private closed = false;
  private constructor(
    readonly setup: TeamSetup,
    private readonly part: ThreadPart,
    private readonly workers: Worker[],
  ) {
    this.outBase = POP + setup.pops.length * POP_WORDS;
  }

  static async start(setup: TeamSetup, backend: Backend): Promise<ThreadTeam> {
    const part = await ThreadPart.create(setup, 0, backend);
    const entry = new URL('./thread-worker.mjs', import.meta.url);
    const workers: Worker[] = [];
    const ready: Array<Promise<void>> = [];
    for (let t = 1; t < setup.threads; t++) {
      const w = new Worker(entry, { workerData: { setup, thread: t } });
      workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.once('message', (m: unknown) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`engine thread ${t} exited with code ${code} before it was ready`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    // A simulator that is never disposed must not keep the process alive.
    for (const w of workers) w.unref();
    return new ThreadTeam(setup, part, workers);
  }

  get threads(): number {
    return this.setup.threads;
  }

  /** Marks population p to run this tick (or not) with its ring slot, input and drive flags. */
  plan(p: number, run: boolean, slot = 0, hasInput = false, hasExt = false): void {
    const c = POP + p * POP_WORDS;
    const ctl = this.setup.ctl;
    ctl[c] = run ? 1 : 0;
    ctl[c + 1] = slot;
    ctl[c + 2] = hasInput ? 1 : 0;
    ctl[c + 3] = hasExt ? 1 : 0;
  }

  /** Runs the update phase on every thread (this one included). */
  update(): void {
    this.phase(PHASE_UPDATE, () => this.part.update());
  }

  /** Spikes and rest flag of thread t's slice of population p after `update`. */
  sliceCount(p: number, t: number): number {
    return this.setup.ctl[this.outBase + (p * this.setup.threads + t) * 2]!;
  }
  sliceStatus(p: number, t: number): number {
    return this.setup.ctl[this.outBase + (p * this.setup.threads + t) * 2 + 1]!;
  }

  /** Runs the delivery phase of spike tick s, given each population's merged spike count. */
  deliver(s: number, counts: ArrayLike<number>): number {
    const ctl = this.setup.ctl;
    for (let p = 0; p < counts.length; p++) ctl[POP + p * POP_WORDS + 4] = counts[p]!;
    this.setup.tick[0] = s;
    let events = 0;
    this.phase(PHASE_DELIVER, () => (events = this.part.deliver()));
    return events;
  }

  private phase(kind: number, own: () => void): void {
    const ctl = this.setup.ctl;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, PHASE, kind);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    // Even when this thread's part throws, the others finish theirs before anything else touches the arrays.
    let failure: unknown = null;
    try {
      own();
    } catch (e) {
      failure = e ?? new Error('engine thread 0 failed');
    }
    const helpers = this.workers.length;
    let waited = 0;
    for (let spin = 0; ; spin++) {
      const d = Atomics.load(ctl, DONE);
      if (d >= helpers) break;
      if (spin >= SPIN) {
        if (Atomics.wait(ctl, DONE, d, 1000) === 'timed-out' && ++waited > 600) throw new Error('engine threads did not answer for 10 minutes');
      }
    }
    if (failure !== null) throw failure;
    if (Atomics.load(ctl, FAILED) === 1) {
      const e = this.setup.error;
      const end = e.indexOf(0);
      throw new Error(`an engine thread failed: ${new TextDecoder().decode(e.slice(0, end < 0 ? e.length : end))}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ctl = this.setup.ctl;
    Atomics.store(ctl, PHASE, PHASE_STOP);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    this.part.dispose();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Whether the team pays right now. Sharing a tick saves work only when the threads actually run side by side: on a
 * machine busy with other processes a barrier waits for a descheduled thread (milliseconds instead of microseconds),
 * and a small network's tick (microseconds) gains less than its cache lines cost to move between cores. Since the
 * results do not depend on it, the engine measures: it times windows of ticks (at least `windowMs` of wall time and
 * `minTicks` ticks; the first window after each switch warms the mode up and is not counted) with and without the
 * team, keeps the cost per unit of work (`done`) of each (a moving average while a mode is used; a try of the other
 * mode replaces that one's), uses the cheaper, and tries the other again after `minGap` windows, doubling that wait
 * each time the try loses (up to `maxGap`).
 */
export class TeamPolicy {
  private shared = true;
  private ticks = 0;
  private work = 0;
  private t0 = -1;
  private pausedAt = -1;
  /** Windows until the other mode is tried again; doubles each time a try loses (up to maxGap). */
  private gap: number;
  private untilProbe = 0;
  private probing = false;
  private readonly cost: [number, number] = [NaN, NaN]; // ms per tick: [alone, shared]
  private warm = false;

  constructor(
    private readonly now: () => number,
    readonly windowMs = 10,
    readonly minTicks = 4,
    readonly minGap = 8,
    readonly maxGap = 512,
    readonly smallTickMs = 0.02,
  ) {
    this.gap = minGap;
  }

  /** The run stops for a while (the event loop's turn between chunks): that time is not the ticks'. */
  pause(): void {
    this.pausedAt = this.now();
  }

  /** The run goes on: the window in progress continues without the pause. */
  resume(): void {
    if (this.pausedAt >= 0 && this.t0 >= 0) this.t0 += this.now() - this.pausedAt;
    this.pausedAt = -1;
  }

  /** Called once per tick, before it runs: whether to share it. */
  next(): boolean {
    const t = this.now();
    if (this.t0 < 0) this.t0 = t;
    else if (this.ticks >= this.minTicks && t - this.t0 >= this.windowMs) {
      this.record(this.shared, (t - this.t0) / Math.max(this.work, 1e-9), (t - this.t0) / this.ticks);
      this.t0 = t;
      this.ticks = 0;
      this.work = 0;
    }
    this.ticks++;
    return this.shared;
  }

  /**
   * The work the tick just run did (neurons updated plus a share of synaptic events): costs are compared per unit of
   * work, so windows that fall on a burst and windows that fall on a quiet spell compare fairly.
   */
  done(work: number): void {
    this.work += work;
  }

  private record(shared: boolean, msPerTick: number, msPerTickAlone: number): void {
    const m = shared ? 1 : 0;
    if (!this.warm) {
      // The first window after a switch warms the mode up (kernels compiled and optimised on first use; a thread that
      // slept, on a core the machine let idle, wakes slowly): not a measure.
      this.warm = true;
      return;
    }
    // A try replaces its mode's cost (the old one is stale: taken warming up, or under other load); a mode in use
    // keeps a moving average.
    this.cost[m] = Number.isNaN(this.cost[m]) || this.probing ? msPerTick : 0.5 * this.cost[m] + 0.5 * msPerTick;
    // The mode just measured stays unless the other is at least 10% cheaper (windows are noisy).
    const [alone, team] = this.cost;
    const best = Number.isNaN(alone) ? false : Number.isNaN(team) ? true : shared ? !(alone < 0.9 * team) : team < 0.9 * alone;
    if (this.probing) {
      // A try of the other mode: when it lost, wait twice as long before the next one.
      this.probing = false;
      this.gap = best === shared ? this.minGap : Math.min(this.maxGap, 2 * this.gap);
      this.untilProbe = this.gap;
    }
    const was = this.shared;
    if (Number.isNaN(this.cost[0]) || Number.isNaN(this.cost[1]) || --this.untilProbe <= 0) {
      this.probing = true;
      this.shared = Number.isNaN(this.cost[0]) ? false : Number.isNaN(this.cost[1]) ? true : !best;
    } else this.shared = best;
    // Ticks of a few microseconds alone: two barriers and the traffic of cache lines between cores cost about what
    // half the work would save, so the team waits the longest gap before its next try.
    if (!shared && msPerTickAlone < this.smallTickMs && Number.isFinite(this.cost[1])) {
      this.shared = false;
      this.probing = false;
      this.untilProbe = this.maxGap;
    }
    if (this.shared !== was) this.warm = false;
  }

  /** Measured ms per unit of work alone and shared (NaN before a window of each). */
  get costs(): { alone: number; shared: number } {
    return { alone: this.cost[0], shared: this.cost[1] };
  }
}
