/**
 * The simulator. Time is an integer tick grid (tick k stands for k * dt ms). Each tick k runs the schedule:
 *
 *   1. stimuli    events of tick k leave the (tick, sequence) queue: source spikes (time k * dt) are emitted and
 *                 propagated; current steps switch on or off (they hold for the whole tick).
 *   2. update     each neuron population runs its `<model>.update` kernel: deliver (the ring slot of tick k enters the
 *                 synaptic state) -> integrate [k dt, (k+1) dt) -> threshold -> reset. Spikes get tick k + 1.
 *   3. propagate  each spike at tick s goes through its projections' CSR rows: weight w with delay d ticks is added
 *                 to the target's ring slot s + d. Only the targets of a spike are touched.
 *   4. plasticity hooks that change weights on spike events (the cf_gated rules of the network are bound here).
 *   5. record     spike listeners (recorders, streams) receive one batch per population and tick.
 *
 * So a spike at time t reaches its target's state at exactly t + delay, and not a tick before. A population that
 * ended a tick at its resting fixed point with no input pending is skipped until input arrives.
 *
 * With `threads` > 1 (cpu backend) the update and propagate phases of ticks with enough work are shared with helper
 * threads (threads.ts); everything else runs here, and the results are bit-identical to one thread.
 */
import type { Backend, LinearMemory, PopulationKernel, ResidentPlan, ResidentRunner } from '../kernels/index.ts';
import { KernelRegistry, updateKernelName } from '../kernels/index.ts';
import { CounterRng, streamId } from '../core/rng.ts';
import { cpuKernel } from '../backends/cpu/index.ts';
import { generatorTicks, nextPoissonTick } from '../models/neurons/sources.ts';
import type { FloatArray, StepIO } from '../models/neurons/types.ts';
import type { CfErrorSpec, CfGatedSpec, Network, Population, Projection } from '../network/network.ts';
import { EventQueue, type QueuedEvent } from './queue.ts';
import { CfGatedRule } from '../models/plasticity/cf-gated.ts';
import { CfErrorRule } from '../models/plasticity/cf-error.ts';
import { CpuBackend } from '../backends/cpu/index.ts';
import { deliverPart, markWords, MIN_SPLIT, rowEvents, rowSplits, sliceBounds } from './partition.ts';
import { Arena, arenaBytes, MAX_ARENA_BYTES, plainStorage, sharedStorage, type Storage } from './arena.ts';
import { controlWords, type PopSetup, TeamPolicy, ThreadTeam } from './threads.ts';

export const SCHEDULE = ['stimuli', 'update', 'propagate', 'plasticity', 'record'] as const;
export type Phase = (typeof SCHEDULE)[number];

/** Called once per population and tick with the indices that spiked (a view valid only during the call). */
export type SpikeListener = (tick: number, population: Population, indices: Uint32Array) => void;
/** A plasticity hook sees the same batches, after propagation. */
export type PlasticityHook = SpikeListener;

export interface CurrentStep {
  readonly population: string;
  /** Neuron indices, or null for the whole population. */
  readonly neurons: readonly number[] | null;
  readonly startTick: number;
  /** Exclusive. */
  readonly stopTick: number;
  /** Drive in the model's current unit (mV for lif, pA for lif_cond). */
  readonly amplitude: number;
}

type Event =
  | (QueuedEvent & { kind: 'spike'; pop: number; neuron: number; k: number })
  | (QueuedEvent & { kind: 'current'; pop: number; step: CurrentStep; on: boolean })
  | (QueuedEvent & { kind: 'call'; pop: number; fn: (tick: number) => void });

/** Called after the record phase of every tick with the tick just completed (state is at time tick * dt). */
export type TickListener = (tick: number) => void;

/**
 * A memory-model event in simulation time: an SDM write or read presentation, a recall, a replay, a consolidation
 * stop. `id` is a small integer the event is about (a pattern, an epoch); `data` carries the rest.
 */
export interface MemoryEvent {
  readonly tick: number;
  readonly kind: string;
  readonly id: number;
  readonly data?: Readonly<Record<string, unknown>>;
}
export type EventListener = (e: MemoryEvent) => void;

interface Runtime {
  readonly pop: Population;
  /** The population's update kernel; null for spike sources, and for every population on the device-resident path. */
  kernel: PopulationKernel | null;
  readonly io: StepIO | null;
  readonly slots: number;
  readonly dirty: Uint8Array;
  readonly rings: FloatArray[];
  readonly out: Projection[];
  readonly spikes: Uint32Array;
  /** Tick of each neuron's last spike (-Infinity before the first): the spike history plasticity rules read. */
  readonly lastSpike: Float64Array;
  readonly activeSteps: CurrentStep[];
  count: number;
  quiet: boolean;
  extChanged: boolean;
  spikesTotal: number;
  /** Poisson: probability per tick and stop tick. */
  poissonP: number;
  poissonStop: number;
  /** Thread slices (engine/partition.ts) when a thread team runs; null otherwise. */
  bounds: Uint32Array | null;
  /** External-drive array in the engine's storage (io.iExt points at it while a drive is on); null: plain arrays. */
  ext: FloatArray | null;
  /** Each thread's spikes at its slice's offset (thread team only). */
  sliceSpikes: Uint32Array | null;
  /** Spike sources: the tick each neuron last fired in the stimuli phase (-1 before). */
  firedAt: Float64Array | null;
  /** Input-mark bitmaps, one per ring slot, when the kernel skips resting neurons (PopulationKernel.inputMarks). */
  marks: Int32Array | null;
}

/** Adds a listener to a list; returns the function that removes it. */
function subscribe<L>(list: L[], listener: L): () => void {
  list.push(listener);
  return () => {
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  };
}

export interface SimulatorOptions {
  readonly seed: number;
  readonly backend: Backend;
  /**
   * Threads that share the update and delivery of each tick (default 1). Only the cpu backend uses more than one;
   * the results are the same, bit for bit, whatever the number.
   */
  readonly threads?: number;
  /**
   * When the threads share a tick: 'auto' (default) where measurement says it pays (engine/threads.ts TeamPolicy),
   * 'always' on every tick with enough work (tests use it; results are the same either way).
   */
  readonly share?: 'auto' | 'always';
}

/** A tick's deliveries are shared with the thread team from this many synaptic events on. */
const PARALLEL_DELIVERY_EVENTS = 2048;

export interface RunOptions {
  /** Ticks between calls of `afterChunk` (default 1000). */
  readonly chunkTicks?: number;
  /** Awaited after each chunk: sinks drain here (backpressure). */
  readonly afterChunk?: (tick: number) => void | Promise<void>;
  /** Stops the run at the next chunk boundary. */
  readonly signal?: AbortSignal;
}

/** Resolves after the event loop has had a turn (setImmediate in Node, a zero timeout elsewhere). */
function macrotask(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

export class Simulator {
  /** Current tick: the next tick to be simulated. */
  tick = 0;
  synapticEvents = 0;
  readonly kernelImplementations: Record<string, string> = {};
  private readonly rt: Runtime[];
  private readonly queue = new EventQueue<Event>();
  private readonly listeners: SpikeListener[] = [];
  private readonly plasticity: PlasticityHook[] = [];
  private readonly tickListeners: TickListener[] = [];
  private readonly eventListeners: EventListener[] = [];
  private readonly rng: CounterRng;
  private readonly async: boolean;
  private readonly rules = new Map<string, CfGatedRule>();
  private readonly errorRules = new Map<string, CfErrorRule>();
  /** Per population: spikes of the tick (for the thread team's delivery phase). */
  private readonly counts: Int32Array;
  /** Per population: its StepIO when it runs this tick (thread team), else null. */
  private readonly planned: Array<StepIO | null>;

  private constructor(
    readonly network: Network,
    readonly backend: Backend,
    seed: number,
    runtimes: Runtime[],
    private team: ThreadTeam | null,
    private readonly policy: TeamPolicy | null,
    private readonly resident: ResidentRunner | null,
  ) {
    this.rng = new CounterRng(seed);
    this.rt = runtimes;
    this.counts = new Int32Array(runtimes.length);
    this.planned = runtimes.map(() => null);
    this.async = runtimes.some((r) => r.kernel?.async === true);
    for (const r of runtimes) if (r.kernel) this.kernelImplementations[r.pop.name] = r.kernel.implementation;
    if (resident) for (const r of runtimes) this.kernelImplementations[r.pop.name] = resident.implementation;
    this.scheduleSources();
    for (const b of network.plasticity) {
      if (b.spec.rule === 'cf_gated') this.bindCfGated(b, b.spec);
      else this.bindCfError(b);
    }
  }

  get dtMs(): number {
    return this.network.dtMs;
  }

  /** Whether the thread team shares the tick in progress. */
  private sharing = false;
  /** Neurons updated in the tick in progress (for the sharing policy). */
  private updated = 0;
  /** Ticks whose update and propagate phases were shared with the thread team. */
  readonly sharedTicks = { update: 0, deliver: 0 };

  /** Threads that share the work of a tick (1: this thread alone). */
  get threads(): number {
    return this.team?.threads ?? 1;
  }

  /** Builds the runtime: registers the backend's kernels on this simulator's own registry and creates them. */
  static async create(network: Network, options: SimulatorOptions): Promise<Simulator> {
    const requested = options.threads ?? 1;
    if (!(Number.isInteger(requested) && requested >= 1)) throw new RangeError(`threads must be a whole number of at least 1, got ${requested}`);
    // A team only where a population is large enough to be split (partition.ts MIN_SPLIT).
    const threads = options.backend instanceof CpuBackend && network.populations.some((p) => p.model !== null && p.size >= MIN_SPLIT) ? requested : 1;
    const maxDelayInto = new Map<Population, number>();
    for (const pj of network.projections) maxDelayInto.set(pj.target, Math.max(maxDelayInto.get(pj.target) ?? 1, pj.maxDelay));
    const slotsOf = (pop: Population) => (maxDelayInto.get(pop) ?? 1) + 1;
    // Every population's arrays: state, rings, spikes, drive, and the threads' slice spikes.
    let need = 0;
    for (const pop of network.populations)
      if (pop.model) need += arenaBytes(8 * pop.size) * (pop.model.stateVars.length + pop.model.receptors.length * slotsOf(pop) + 1) + 2 * arenaBytes(4 * pop.size);
    let store: Storage = threads > 1 ? sharedStorage : plainStorage;
    if (options.backend.arena === true && need <= MAX_ARENA_BYTES) {
      try {
        store = new Arena(need);
      } catch {
        // The host refused the linear memory (an address-space limit, `ulimit -v`): the kernels fall back to JavaScript.
      }
    }
    if (threads > 1) shareSynapses(network);
    // The state moves into the chosen storage (a copy: the values are those the network was built with).
    // A cpu backend of precision 32 keeps every neuron population's state and rings in float32.
    const f32 = options.backend instanceof CpuBackend && options.backend.precision === 32;
    const float = (n: number): FloatArray => (f32 ? store.f32(n) : store.f64(n));
    if (store !== plainStorage || f32)
      for (const pop of network.populations)
        for (const k of Object.keys(pop.state)) {
          const a = float(pop.state[k]!.length);
          a.set(pop.state[k]!);
          pop.state[k] = a;
        }
    const registry = new KernelRegistry();
    options.backend.register(registry);
    // A network of neuron populations with static synapses may run whole on the backend's device (Backend.resident).
    const residentCandidate = options.backend.resident !== undefined && network.plasticity.length === 0 && network.populations.every((p) => p.model !== null);
    const runtimes: Runtime[] = [];
    const kernelArgs: Array<Parameters<typeof cpuKernel>[0] | null> = [];
    for (const pop of network.populations) {
      const slots = slotsOf(pop);
      const out = network.projections.filter((p) => p.source === pop);
      const spikes = pop.model ? store.u32(pop.size) : new Uint32Array(pop.size);
      const ext = pop.model && (store !== plainStorage || f32) ? float(pop.size) : null;
      let kernel: PopulationKernel | null = null;
      let io: StepIO | null = null;
      let marks: Int32Array | null = null;
      const rings: FloatArray[] = [];
      if (pop.model) {
        const derived = pop.model.derive(pop.params, network.dtMs);
        const factory = registry.get(updateKernelName(pop.model.name)) ?? cpuKernel;
        for (let r = 0; r < pop.model.receptors.length; r++) rings.push(float(slots * pop.size));
        // This simulator's own record of the arrays: a later simulator on the same network moves pop.state again.
        const state = { ...pop.state };
        const args = { model: pop.model, params: pop.params, derived, n: pop.size, state, ...(store.memory ? { memory: store.memory } : {}) };
        kernelArgs.push(args);
        kernel = residentCandidate ? null : await factory(args);
        const wantsMarks = kernel?.inputMarks === true;
        marks = wantsMarks ? (threads > 1 ? new Int32Array(new SharedArrayBuffer(4 * slots * markWords(pop.size))) : new Int32Array(slots * markWords(pop.size))) : null;
        io = { n: pop.size, state, rings, slotOffset: 0, slotHasInput: false, iExt: null, spikes, status: new Int32Array(1), marks, marksOffset: 0 };
      }
      else kernelArgs.push(null);
      const src = pop.source;
      runtimes.push({
        pop,
        kernel,
        io,
        slots,
        dirty: threads > 1 ? sharedStorage.u8(slots) : new Uint8Array(slots),
        rings,
        out,
        spikes,
        lastSpike: new Float64Array(pop.size).fill(-Infinity),
        activeSteps: [],
        count: 0,
        quiet: false,
        extChanged: false,
        spikesTotal: 0,
        poissonP: src?.kind === 'poisson' ? (src.rate_hz * network.dtMs) / 1000 : 0,
        poissonStop: src?.kind === 'poisson' && src.stop_ms !== undefined ? Math.round(src.stop_ms / network.dtMs) : Infinity,
        // a model whose step needs the whole population (wholePopulation, e.g. kwta_unit's k-th largest field) is never
        // cut: all of it is thread 0's, as a population below the smallest split is
        bounds: threads > 1 && pop.model ? sliceBounds(pop.size, threads, pop.model.wholePopulation === true ? Infinity : undefined) : null,
        ext,
        sliceSpikes: threads > 1 && pop.model ? store.u32(pop.size) : null,
        firedAt: pop.model ? null : new Float64Array(pop.size).fill(-1),
        marks,
      });
    }
    let resident: ResidentRunner | null = null;
    if (residentCandidate) {
      const plan: ResidentPlan = {
        populations: kernelArgs.map((a) => a!),
        projections: network.projections.map((pj) => ({ source: pj.source.index, target: pj.target.index, receptor: pj.receptorIndex, csr: pj.csr })),
      };
      resident = await options.backend.resident!(plan);
      // The backend declined (a model without a device kernel): per-population kernels, delivery on the host.
      if (resident === null)
        for (let p = 0; p < runtimes.length; p++) {
          const r = runtimes[p]!;
          r.kernel = await (registry.get(updateKernelName(r.pop.model!.name)) ?? cpuKernel)(kernelArgs[p]!);
        }
    }
    const team = threads > 1 ? await startTeam(network, runtimes, threads, options.backend as CpuBackend, store.memory) : null;
    const policy = team !== null && (options.share ?? 'auto') === 'auto' ? new TeamPolicy(() => performance.now()) : null;
    return new Simulator(network, options.backend, options.seed, runtimes, team, policy, resident);
  }

  private scheduleSources(): void {
    for (const r of this.rt) {
      const src = r.pop.source;
      if (!src) continue;
      if (src.kind === 'spike_generator') {
        src.spike_times_ms.forEach((times, neuron) => {
          for (const t of generatorTicks(times, this.dtMs)) this.queue.push({ tick: t, seq: 0, kind: 'spike', pop: r.pop.index, neuron, k: -1 });
        });
      } else if (src.kind === 'poisson') {
        const start = Math.round((src.start_ms ?? 0) / this.dtMs);
        const stream = streamId(`poisson:${r.pop.name}`);
        for (let i = 0; i < r.pop.size; i++) {
          const t = nextPoissonTick(this.rng, stream, i, 0, start - 1, r.poissonP, r.poissonStop);
          if (t !== Infinity) this.queue.push({ tick: t, seq: 0, kind: 'spike', pop: r.pop.index, neuron: i, k: 0 });
        }
      }
    }
  }

  /** Registers a listener for spike batches (record phase). Returns a function that removes it. */
  onSpikes(listener: SpikeListener): () => void {
    return subscribe(this.listeners, listener);
  }

  /** Registers a plasticity hook (plasticity phase). */
  onPlasticity(hook: PlasticityHook): void {
    this.plasticity.push(hook);
  }

  /**
   * Wires a climbing-fibre-gated rule (models/plasticity/cf-gated.ts) to spike events: PF spikes of the projection's
   * source enter the rule's history; teacher (climbing fibre) spikes trigger LTD at the end of their tick, when every
   * PF spike of that tick has been seen. Write windows open and close through `plasticityWindow`.
   */
  private bindCfGated(b: Network['plasticity'][number], spec: CfGatedSpec): void {
    const { projection } = b;
    const rule = new CfGatedRule(
      { ltp: spec.ltp, ltd: spec.ltd, windowTicks: b.windowTicks, wMin: spec.w_min ?? -Infinity, wMax: spec.w_max ?? Infinity, normalize: spec.normalize === true },
      { rowPtr: projection.csr.rowPtr, col: projection.csr.col, weights: projection.csr.weights! },
      projection.target.size,
    );
    this.rules.set(b.name, rule);
    const pending: number[] = [];
    this.onPlasticity((tick, pop, idx) => {
      if (!rule.isOpen) return;
      if (pop === projection.source) for (const j of idx) rule.parallelFibreSpike(tick, j);
      if (pop === b.teacher) for (const k of idx) pending.push(tick, k);
    });
    this.onTickEnd(() => {
      for (let q = 0; q < pending.length; q += 2) rule.climbingFibreSpike(pending[q]!, pending[q + 1]!);
      pending.length = 0;
    });
  }

  /**
   * Wires an error-driven rule (models/plasticity/cf-error.ts), always on: PF spikes are potentiated as they arrive;
   * climbing-fibre spikes depress at the end of their tick, when every PF spike of that tick is in the kernel.
   */
  private bindCfError(b: Network['plasticity'][number]): void {
    const spec = b.spec as CfErrorSpec;
    const { projection } = b;
    const rule = new CfErrorRule(
      { ltp: spec.ltp, ltd: spec.ltd, tauTicks: b.tauTicks, windowTicks: b.windowTicks, delayTicks: b.delayTicks, wMin: spec.w_min ?? -Infinity, wMax: spec.w_max ?? Infinity },
      { rowPtr: projection.csr.rowPtr, col: projection.csr.col, weights: projection.csr.weights! },
    );
    this.errorRules.set(b.name, rule);
    const pending: number[] = [];
    this.onPlasticity((tick, pop, idx) => {
      if (pop === projection.source) for (const j of idx) rule.parallelFibreSpike(tick, j);
      if (pop === b.teacher) for (const k of idx) pending.push(tick, k);
    });
    this.onTickEnd(() => {
      for (let q = 0; q < pending.length; q += 2) rule.climbingFibreSpike(pending[q]!, pending[q + 1]!);
      pending.length = 0;
    });
  }

  /** The climbing-fibre-gated (cf_gated) rule of that name (see Network.plasticity). */
  plasticityRule(name: string): CfGatedRule {
    const r = this.rules.get(name);
    if (!r) throw new RangeError(`no cf_gated plasticity rule '${name}' (have: ${[...this.rules.keys()].join(', ') || 'none'})`);
    return r;
  }

  /** The error-driven (cf_error) rule of that name. */
  errorRule(name: string): CfErrorRule {
    const r = this.errorRules.get(name);
    if (!r) throw new RangeError(`no cf_error plasticity rule '${name}' (have: ${[...this.errorRules.keys()].join(', ') || 'none'})`);
    return r;
  }

  /**
   * Opens the rule's write window in the stimuli phase of `startTick` and closes it (LTP) in that of `stopTick`. With
   * `plastic` (one entry per target), only targets k with plastic[k] != 0 change in that window (CfGatedRule.openWindow).
   */
  plasticityWindow(name: string, startTick: number, stopTick: number, plastic?: Uint8Array): void {
    const rule = this.plasticityRule(name);
    this.at(startTick, () => rule.openWindow(plastic));
    this.at(stopTick, () => rule.closeWindow());
  }

  /** Registers a listener called at the end of every tick (after the record phase). */
  onTickEnd(listener: TickListener): void {
    this.tickListeners.push(listener);
  }

  /** Registers a listener for memory-model events (see MemoryEvent). Returns a function that removes it. */
  onEvent(listener: EventListener): () => void {
    return subscribe(this.eventListeners, listener);
  }

  /** Publishes a memory-model event to the event listeners (protocols and memory models call this). */
  emitEvent(e: MemoryEvent): void {
    for (const l of this.eventListeners) l(e);
  }

  /**
   * Schedules spikes of an `external` source population at a tick (not before the current one): the protocol's way
   * of presenting an address on mossy fibres or a value on climbing fibres.
   */
  injectSpikes(population: string, tick: number, neurons: ArrayLike<number>): void {
    const r = this.rt.find((x) => x.pop.name === population);
    if (!r || r.pop.source?.kind !== 'external') throw new RangeError(`spikes can be injected only into external sources, got '${population}'`);
    if (!Number.isInteger(tick) || tick < this.tick) throw new RangeError(`cannot inject spikes at tick ${tick}: the simulation is at tick ${this.tick}`);
    for (let q = 0; q < neurons.length; q++) {
      const i = neurons[q]!;
      if (!(Number.isInteger(i) && i >= 0 && i < r.pop.size)) throw new RangeError(`neuron ${i} is outside '${population}' (size ${r.pop.size})`);
      this.queue.push({ tick, seq: 0, kind: 'spike', pop: r.pop.index, neuron: i, k: -1 });
    }
  }

  /** Calls `fn(tick)` in the stimuli phase of `tick` (ordered with the other events of that tick by insertion). */
  at(tick: number, fn: (tick: number) => void): void {
    if (!Number.isInteger(tick) || tick < this.tick) throw new RangeError(`cannot schedule at tick ${tick}: the simulation is at tick ${this.tick}`);
    this.checkHorizon(tick);
    this.queue.push({ tick, seq: 0, kind: 'call', pop: 0, fn });
  }

  /** Ticks in which a population's kernel stepped only its neurons away from rest or with input (this thread's). */
  sparseTicks(population: string): number {
    const r = this.rt.find((x) => x.pop.name === population);
    if (!r) throw new RangeError(`no population '${population}'`);
    return r.kernel?.sparseTicks ?? 0;
  }

  /** Last spike tick of every neuron of a population (-Infinity before its first spike). Read-only view. */
  lastSpikeTicks(population: string): Float64Array {
    const r = this.rt.find((x) => x.pop.name === population);
    if (!r) throw new RangeError(`no population '${population}'`);
    return r.lastSpike;
  }

  /** Schedules a current step (the drive is held for whole ticks in [startTick, stopTick)). */
  addCurrentStep(step: CurrentStep): void {
    const r = this.rt.find((x) => x.pop.name === step.population);
    if (!r || !r.pop.model) throw new RangeError(`current steps need a neuron population, got '${step.population}'`);
    this.checkHorizon(step.startTick);
    this.queue.push({ tick: step.startTick, seq: 0, kind: 'current', pop: r.pop.index, step, on: true });
    this.queue.push({ tick: step.stopTick, seq: 0, kind: 'current', pop: r.pop.index, step, on: false });
  }

  /** Spikes so far, per population name. */
  spikeCounts(): Record<string, number> {
    return Object.fromEntries(this.rt.map((r) => [r.pop.name, r.spikesTotal]));
  }

  /** Brings host state arrays up to date with the backend (needed before reading state on a device backend). */
  async syncState(): Promise<void> {
    await this.resident?.download();
    for (const r of this.rt) await r.kernel?.download();
  }

  /** The end of the batch the device-resident path is replaying (events may not be scheduled before it). */
  private horizon = 0;

  private checkHorizon(tick: number): void {
    if (tick < this.horizon)
      throw new RangeError(`cannot schedule at tick ${tick}: the device has already simulated up to tick ${this.horizon} (on the resident path, schedule events before the run reaches them)`);
  }

  /** Simulates `ticks` ticks. Resolves when done or aborted (check `this.tick`). */
  async run(ticks: number, options: RunOptions = {}): Promise<void> {
    const end = this.tick + ticks;
    const chunk = Math.max(1, options.chunkTicks ?? 1000);
    while (this.tick < end) {
      if (options.signal?.aborted) return;
      const stop = Math.min(end, this.tick + chunk);
      if (this.resident) await this.runResident(this.resident, stop);
      else if (this.async) await this.runAsync(stop);
      else this.runSync(stop);
      await options.afterChunk?.(this.tick);
      // Let the event loop run between chunks: signal handlers, timers and I/O wait for it. Awaiting only promises
      // that are already resolved (a sink writing to a file on stdout) would starve it, and Ctrl-C went unseen.
      await macrotask();
    }
  }

  /**
   * Simulates `ticks` ticks now, synchronously (no chunks, no turns of the event loop): for protocols that drive the
   * engine from synchronous code between injections (a notebook reactivation as a replay source). Only where every
   * kernel is synchronous and runs on the host; `run` otherwise.
   */
  advance(ticks: number): void {
    if (this.resident !== null || this.async) throw new RangeError('advance needs synchronous host kernels; use run');
    if (!(Number.isInteger(ticks) && ticks >= 0)) throw new RangeError(`ticks must be a whole number >= 0, got ${ticks}`);
    this.runSync(this.tick + ticks);
  }

  /** The tick loop (see the schedule at the top of this file). */
  private runSync(stop: number): void {
    const rt = this.rt;
    const policy = this.policy;
    policy?.resume();
    for (let k = this.tick; k < stop; k++) {
      this.stimuli(k);
      this.sharing = this.team !== null && (policy === null || policy.next());
      const events = this.synapticEvents;
      this.updated = 0;
      if (!(this.sharing && this.updateTeam(this.team!, k)))
        for (let p = 0; p < rt.length; p++) {
          const r = rt[p]!;
          const io = this.prepare(r, k);
          if (io === null) continue;
          r.count = r.kernel!.step(io) as number;
          this.updated += r.pop.size;
          this.afterStep(r, io.slotOffset / r.pop.size);
        }
      this.endTick(k);
      // Work of the tick for the sharing policy: a synaptic event costs about a quarter of a neuron update.
      policy?.done(this.updated + (this.synapticEvents - events) / 4);
    }
    policy?.pause();
  }

  /** The same loop, awaiting kernels whose step is asynchronous (WebGPU readback). */
  private async runAsync(stop: number): Promise<void> {
    const rt = this.rt;
    for (let k = this.tick; k < stop; k++) {
      this.stimuli(k);
      for (let p = 0; p < rt.length; p++) {
        const r = rt[p]!;
        const io = this.prepare(r, k);
        if (io === null) continue;
        r.count = await r.kernel!.step(io);
        this.afterStep(r, io.slotOffset / r.pop.size);
      }
      this.endTick(k);
    }
  }

  /**
   * The device-resident loop: the backend runs whole batches of ticks (every phase but stimuli and record on its
   * device) up to the next event of the queue; then each tick's spikes are replayed here, in tick order, to the
   * plasticity hooks (none on this path), the spike listeners and the tick listeners. With tick listeners (which may
   * read state) a batch is one tick and the state is downloaded after it.
   */
  private async runResident(runner: ResidentRunner, stop: number): Promise<void> {
    const rt = this.rt;
    const P = rt.length;
    while (this.tick < stop) {
      const k = this.tick;
      this.stimuli(k);
      for (const r of rt)
        if (r.extChanged) {
          await runner.setDrive(r.pop.index, r.io!.iExt);
          r.extChanged = false;
        }
      const perTick = this.tickListeners.length > 0;
      const next = this.queue.peekTick();
      const span = Math.min(stop - k, perTick ? 1 : runner.batchTicks, next > k ? next - k : Infinity);
      const batch = await runner.advance(span);
      if (perTick) await runner.download();
      this.horizon = k + span;
      let at = 0;
      for (let t = 0; t < span; t++) {
        const s = k + t + 1;
        for (let p = 0; p < P; p++) {
          const c = batch.counts[t * P + p]!;
          if (c === 0) continue;
          const r = rt[p]!;
          r.spikes.set(batch.spikes.subarray(at, at + c));
          at += c;
          for (const pj of r.out) this.synapticEvents += rowEvents(pj.csr.rowPtr, r.spikes, c);
          this.emit(r, s, c);
        }
        this.tick = s;
        for (const l of this.tickListeners) l(s);
      }
    }
  }

  /**
   * The update phase shared with the thread team, when a population that is split over threads runs this tick;
   * returns false (nothing done) otherwise, and this thread updates alone.
   */
  private updateTeam(team: ThreadTeam, k: number): boolean {
    const rt = this.rt;
    const planned = this.planned;
    let split = false;
    for (let p = 0; p < rt.length; p++) {
      const r = rt[p]!;
      const io = this.prepare(r, k);
      planned[p] = io;
      if (io === null) team.plan(p, false);
      else {
        team.plan(p, true, io.slotOffset / r.pop.size, io.slotHasInput, io.iExt !== null);
        this.updated += r.pop.size;
        if (r.bounds![1]! < r.pop.size) split = true;
      }
    }
    if (!split) return false;
    team.update();
    this.sharedTicks.update++;
    const T = team.threads;
    for (let p = 0; p < rt.length; p++) {
      const io = planned[p];
      if (!io) continue;
      const r = rt[p]!;
      // Merge the slices' spikes in slice order (ascending indices) and their rest flags.
      const sliceSpikes = team.setup.pops[p]!.sliceSpikes;
      const bounds = r.bounds!;
      let count = 0;
      let rest = 1;
      for (let t = 0; t < T; t++) {
        const a = bounds[t]!;
        if (bounds[t + 1] === a) continue;
        const c = team.sliceCount(p, t);
        for (let q = 0; q < c; q++) r.spikes[count + q] = a + sliceSpikes[a + q]!;
        count += c;
        rest &= team.sliceStatus(p, t);
      }
      r.count = count;
      io.status[0] = rest;
      this.afterStep(r, io.slotOffset / r.pop.size);
    }
    return true;
  }

  /** Points a population's StepIO at ring slot k, or returns null when the population can be skipped this tick. */
  private prepare(r: Runtime, k: number): StepIO | null {
    if (r.kernel === null) return null;
    const slot = k % r.slots;
    const hasInput = r.dirty[slot] === 1;
    if (r.quiet && !hasInput && !r.extChanged) return null;
    const io = r.io! as { slotOffset: number; slotHasInput: boolean; marksOffset: number } & StepIO;
    io.slotOffset = slot * r.pop.size;
    io.slotHasInput = hasInput;
    if (r.marks !== null) io.marksOffset = slot * markWords(r.pop.size);
    return io;
  }

  private endTick(k: number): void {
    this.finishTick(k + 1);
    this.tick = k + 1;
    for (const l of this.tickListeners) l(k + 1);
  }

  private afterStep(r: Runtime, slot: number): void {
    r.dirty[slot] = 0;
    r.quiet = r.io!.status[0] === 1;
    r.extChanged = false;
  }

  /** Propagate, plasticity and record phases for the spikes of the update phase (spike tick s = k + 1). */
  private finishTick(s: number): void {
    const rt = this.rt;
    const team = this.sharing ? this.team : null;
    if (team === null || !this.propagateTeam(team, s))
      for (let p = 0; p < rt.length; p++) {
        const r = rt[p]!;
        if (r.kernel !== null && r.count > 0) this.propagate(r, s, r.count);
      }
    for (let p = 0; p < rt.length; p++) {
      const r = rt[p]!;
      if (r.kernel !== null && r.count > 0) {
        this.emit(r, s, r.count);
        r.count = 0;
      }
    }
  }

  /**
   * The propagate phase shared with the thread team when the tick's spikes make enough synaptic events to pay for a
   * barrier; returns false (nothing done) otherwise.
   */
  private propagateTeam(team: ThreadTeam, s: number): boolean {
    const rt = this.rt;
    const counts = this.counts;
    let events = 0;
    for (let p = 0; p < rt.length; p++) {
      const r = rt[p]!;
      const c = r.kernel !== null ? r.count : 0;
      counts[p] = c;
      if (c > 0) for (const pj of r.out) events += rowEvents(pj.csr.rowPtr, r.spikes, c);
    }
    if (events < PARALLEL_DELIVERY_EVENTS) return false;
    team.deliver(s, counts);
    this.sharedTicks.deliver++;
    this.synapticEvents += events;
    return true;
  }

  /** Stimuli phase of tick k. */
  private stimuli(k: number): void {
    const q = this.queue;
    if (q.peekTick() > k) return;
    const touched: Runtime[] = [];
    while (q.peekTick() === k) {
      const e = q.pop()!;
      if (e.kind === 'call') {
        e.fn(k);
        continue;
      }
      const r = this.rt[e.pop]!;
      if (e.kind === 'current') {
        if (e.on) r.activeSteps.push(e.step);
        else r.activeSteps.splice(r.activeSteps.indexOf(e.step), 1);
        this.recomputeCurrent(r);
        continue;
      }
      // Two events of the same neuron in one tick are one spike (the spike buffer holds each neuron once).
      if (r.firedAt![e.neuron] !== k) {
        r.firedAt![e.neuron] = k;
        if (r.count === 0) touched.push(r);
        r.spikes[r.count++] = e.neuron;
      }
      if (e.k >= 0) {
        const t = nextPoissonTick(this.rng, streamId(`poisson:${r.pop.name}`), e.neuron, e.k + 1, k, r.poissonP, r.poissonStop);
        if (t !== Infinity) q.push({ tick: t, seq: 0, kind: 'spike', pop: e.pop, neuron: e.neuron, k: e.k + 1 });
      }
    }
    for (const r of touched) {
      r.spikes.subarray(0, r.count).sort();
      this.propagate(r, k, r.count);
      this.emit(r, k, r.count);
      r.count = 0;
    }
  }

  private recomputeCurrent(r: Runtime): void {
    const io = r.io! as { iExt: FloatArray | null } & StepIO;
    r.extChanged = true;
    if (r.activeSteps.length === 0) {
      io.iExt = null;
      return;
    }
    // In shared storage or the arena the drive array is allocated once (other threads and wasm kernels read it).
    const arr = r.ext ?? new Float64Array(r.pop.size);
    arr.fill(0);
    for (const st of r.activeSteps) {
      if (st.neurons === null) for (let i = 0; i < arr.length; i++) arr[i]! += st.amplitude;
      else for (const i of st.neurons) arr[i]! += st.amplitude;
    }
    io.iExt = arr;
  }

  /** Delivers the spikes of r at tick s into the target ring buffers. Only the targets of a spike are touched. */
  private propagate(r: Runtime, s: number, count: number): void {
    const spikes = r.spikes;
    for (const pj of r.out) {
      const tgt = this.rt[pj.target.index]!;
      this.synapticEvents += deliverPart(pj.csr, null, 1, 0, spikes, count, s, tgt.rings[pj.receptorIndex]!, pj.target.size, tgt.slots, tgt.dirty, tgt.marks);
    }
  }

  private emit(r: Runtime, s: number, count: number): void {
    r.spikesTotal += count;
    const view = r.spikes.subarray(0, count);
    const last = r.lastSpike;
    for (let q = 0; q < count; q++) last[view[q]!] = s;
    for (const h of this.plasticity) h(s, r.pop, view);
    for (const l of this.listeners) l(s, r.pop, view);
  }

  /** Releases the kernels and stops the helper threads (a later run uses this thread alone). */
  dispose(): void {
    this.resident?.dispose();
    for (const r of this.rt) r.kernel?.dispose();
    void this.team?.close();
    this.team = null;
  }

  toString(): string {
    return `<Simulator '${this.network.name}' backend=${this.backend.name}/${this.backend.device} tick=${this.tick} dt=${this.dtMs} ms>`;
  }
}

/** Moves a network's synapses into shared memory (SharedArrayBuffer), in place, for a thread team. */
function shareSynapses(network: Network): void {
  for (const pj of network.projections) {
    const c = pj.csr;
    if (c.rowPtr.buffer instanceof SharedArrayBuffer) continue;
    const copy = <A extends Uint32Array | Uint16Array | Float32Array>(a: A): A => {
      const C = a.constructor as new (b: SharedArrayBuffer) => A;
      const out = new C(new SharedArrayBuffer(a.byteLength));
      out.set(a as unknown as ArrayLike<number>);
      return out;
    };
    pj.csr = { ...c, rowPtr: copy(c.rowPtr), col: copy(c.col), weights: c.weights && copy(c.weights), delays: c.delays && copy(c.delays) };
  }
}

/** Slices every population, finds each thread's part of every row and starts the helper threads. */
async function startTeam(network: Network, rt: readonly Runtime[], threads: number, backend: CpuBackend, memory: LinearMemory | undefined): Promise<ThreadTeam> {
  const pops: Array<PopSetup | null> = rt.map((r) => {
    if (!r.pop.model) return null;
    return {
      model: r.pop.model.name,
      params: r.pop.params,
      n: r.pop.size,
      slots: r.slots,
      bounds: r.bounds!,
      state: r.io!.state,
      rings: r.rings,
      spikes: r.spikes,
      sliceSpikes: r.sliceSpikes!,
      ext: r.ext!,
      dirty: r.dirty,
      marks: r.marks,
      out: r.out.map((pj) => {
        const bounds = rt[pj.target.index]!.bounds!;
        const split = bounds[1]! < pj.target.size;
        return { target: pj.target.index, receptor: pj.receptorIndex, csr: pj.csr, splits: split ? rowSplits(pj.csr, bounds, sharedStorage.u32) : null };
      }),
    };
  });
  const words = controlWords(rt.length, threads);
  return ThreadTeam.start(
    {
      threads,
      dtMs: network.dtMs,
      compiled: backend.compiled,
      wasmSimd: backend.wasmSimd,
      precision: backend.precision,
      skipRest: backend.skipRest,
      memory,
      ctl: new Int32Array(new SharedArrayBuffer(4 * words)),
      tick: new Float64Array(new SharedArrayBuffer(8)),
      error: new Uint8Array(new SharedArrayBuffer(4096)),
      pops,
    },
    backend,
  );
}
