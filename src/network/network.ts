/**
 * A built network: populations with their state, projections with their synapses in CSR. Built from a validated
 * NetworkSpec (see src/circuits) and a seed; the same spec and seed give the same network, byte for byte, whatever
 * the number of threads that build it (BuildOptions.threads).
 */
import { defaultProjectionName } from './names.ts';
import { InputError, jsonPointer } from '../core/errors.ts';
import { CounterRng, streamId } from '../core/rng.ts';
import { toTicks } from '../core/time.ts';
import type { AnyNeuronModel } from '../models/neurons/registry.ts';
import { NEURON_MODELS } from '../models/neurons/registry.ts';
import type { StateArrays } from '../models/neurons/types.ts';
import { withDefaults } from '../models/neurons/types.ts';
import { MAX_DELAY_TICKS, connect, drawDelays, drawWeights } from './build-csr.ts';
import { BuildRunners, type ConnectPool, defaultBuildThreads } from './parallel.ts';
import { type BuildProfile, type ConnectivityRule, type Csr, csrBytes } from './connectivity.ts';
import { type ValueSpec, constantOf, isConstant, sampler } from './distributions.ts';
import { availableMemory, estimateMemory, formatBytes, synapseCount } from './memory.ts';

export type SourceSpec =
  | { readonly kind: 'poisson'; readonly rate_hz: number; readonly start_ms?: number; readonly stop_ms?: number }
  | { readonly kind: 'spike_generator'; readonly spike_times_ms: ReadonlyArray<ReadonlyArray<number>> }
  /** Spikes supplied at run time by a protocol (`Simulator.injectSpikes`), e.g. mossy fibres carrying an address. */
  | { readonly kind: 'external' };

export interface PopulationSpec {
  readonly name: string;
  readonly size: number;
  /** A neuron model name (see models/neurons/registry.ts); absent for sources. */
  readonly model?: string;
  readonly params?: Readonly<Record<string, number>>;
  /** Initial values of state variables (e.g. v uniform in [v_reset, v_th]). */
  readonly init?: Readonly<Record<string, ValueSpec>>;
  readonly source?: SourceSpec;
  readonly doc?: string;
}

export interface ProjectionSpec {
  readonly name?: string;
  readonly source: string;
  readonly target: string;
  readonly receptor: string;
  readonly connectivity: ConnectivityRule;
  readonly weight: ValueSpec;
  readonly delay_ms: ValueSpec;
  /** Keep one weight per synapse even when the initial weight is constant, so plasticity can change it. */
  readonly plastic?: boolean;
}

/** What the climbing-fibre rules share: the plastic projection, its climbing fibres, the steps and the bounds. */
interface CfRuleSpec {
  readonly name?: string | undefined;
  readonly projection: string;
  /** The climbing fibres: one neuron per target cell. */
  readonly teacher: string;
  readonly ltp: number;
  readonly ltd: number;
  readonly w_min?: number | undefined;
  readonly w_max?: number | undefined;
}

/** Error-driven, always-on plasticity (models/plasticity/cf-error.ts). */
export interface CfErrorSpec extends CfRuleSpec {
  readonly rule: 'cf_error';
  readonly ltd_tau_ms: number;
  /** Default 5 ltd_tau_ms. */
  readonly window_ms?: number | undefined;
  /** The kernel's delay (default 0). */
  readonly ltd_delay_ms?: number | undefined;
}

export type PlasticitySpec = CfGatedSpec | CfErrorSpec;

export interface CfGatedSpec extends CfRuleSpec {
  readonly rule: 'cf_gated';
  readonly window_ms: number;
  /** Heterosynaptic normalisation: each target's summed weight is kept constant (models/plasticity/cf-gated.ts). */
  readonly normalize?: boolean | undefined;
}

export interface NetworkSpec {
  readonly name: string;
  /** Where the spec came from, for error messages (a file path). */
  readonly origin: string;
  /** Whether the source file keys populations by name (error paths then read /populations/<name>/...). */
  readonly populationsByName?: boolean;
  readonly populations: readonly PopulationSpec[];
  readonly projections: readonly ProjectionSpec[];
  readonly plasticity?: readonly PlasticitySpec[];
}

export class Population {
  constructor(
    readonly index: number,
    readonly name: string,
    readonly size: number,
    readonly model: AnyNeuronModel | null,
    readonly params: Readonly<Record<string, number>>,
    readonly state: StateArrays,
    readonly source: SourceSpec | null,
  ) {}
  get kind(): string {
    return this.model?.name ?? this.source!.kind;
  }
  toString(): string {
    return `<Population '${this.name}' ${this.kind} n=${this.size}>`;
  }
}

export class Projection {
  constructor(
    readonly index: number,
    readonly name: string,
    readonly source: Population,
    readonly target: Population,
    readonly receptor: string,
    readonly receptorIndex: number,
    public csr: Csr,
  ) {}
  get synapses(): number {
    return this.csr.col.length;
  }
  /** Replaces the projection's constant weight (calibration at build time). */
  setConstantWeight(w: number): void {
    if (this.csr.weights) throw new RangeError(`projection '${this.name}' has per-synapse weights`);
    this.csr = { ...this.csr, weight: w };
  }
  /** Largest delay in ticks. */
  get maxDelay(): number {
    if (!this.csr.delays) return this.csr.delay;
    let m = 0;
    for (const d of this.csr.delays) if (d > m) m = d;
    return m;
  }
  toString(): string {
    return `<Projection '${this.name}' ${this.source.name}->${this.target.name} (${this.receptor}) synapses=${this.synapses}>`;
  }
}

/** A validated plasticity rule: which plastic projection it changes and which population teaches it. */
export interface PlasticityBinding {
  readonly name: string;
  readonly spec: PlasticitySpec;
  readonly projection: Projection;
  readonly teacher: Population;
  readonly windowTicks: number;
  /** cf_error: the LTD kernel's time constant in ticks (dt-independent in ms); 0 for cf_gated. */
  readonly tauTicks: number;
  /** cf_error: the LTD kernel's delay in ticks; 0 for cf_gated. */
  readonly delayTicks: number;
}

export class Network {
  constructor(
    readonly name: string,
    readonly dtMs: number,
    readonly seed: number,
    readonly populations: readonly Population[],
    readonly projections: readonly Projection[],
    readonly plasticity: readonly PlasticityBinding[] = [],
  ) {}
  projection(name: string): Projection | undefined {
    return this.projections.find((p) => p.name === name);
  }
  population(name: string): Population | undefined {
    return this.populations.find((p) => p.name === name);
  }
  get synapses(): number {
    return this.projections.reduce((s, p) => s + p.synapses, 0);
  }
  get synapseBytes(): number {
    return this.projections.reduce((s, p) => s + csrBytes(p.csr), 0);
  }
  toString(): string {
    return `<Network '${this.name}' populations=${this.populations.length} synapses=${this.synapses}>`;
  }
}

/** At most 10^9 synapses per projection (4 GB of targets alone, past what 24 GB machines should be asked for). */
export const MAX_SYNAPSES_PER_PROJECTION = 1_000_000_000;


export interface BuildOptions {
  /** Refuse a circuit whose estimated peak memory (network/memory.ts) exceeds this (default: the machine's memory). */
  readonly maxMemoryBytes?: number;
  /** When given, the milliseconds spent in each part of the build are added to it (bench/scale.ts). */
  readonly profile?: BuildProfile;
  /**
   * Threads that draw the synapses of large projections, this one included (default: one per core, at most 4;
   * 1: this thread only). The network is the same whatever the number (network/parallel.ts).
   */
  readonly threads?: number;
  /** Projections with fewer synapses than this (expected) are built in this thread (default 4,194,304). */
  readonly parallelMinSynapses?: number;
  /** A started pool to draw large projections with (left open), instead of one started for this build. */
  readonly pool?: ConnectPool;
}

/** Below about this many synapses a projection is drawn faster in this thread than by starting the pool. */
export const PARALLEL_MIN_SYNAPSES = 1 << 22;

/** Memory a Node process with purkinje loaded holds before any network (measured: about 110-150 MB RSS). */
const BASE_BYTES = 150e6;

/** Builds a network. Errors name the spec's origin and the JSON path of the offending field. */
export function buildNetwork(spec: NetworkSpec, seed: number, dtMs: number, opts: BuildOptions = {}): Network {
  const rng = new CounterRng(seed);
  const fail = (path: PropertyKey[], expected: string): never => {
    throw new InputError(`${spec.origin}: ${jsonPointer(path)}`, expected);
  };
  // Refuse what the machine cannot hold before allocating anything: first a rule that makes too many synapses for
  // one projection, then a circuit whose estimated peak memory exceeds the limit.
  spec.projections.forEach((pj, k) => {
    const pre = spec.populations.find((p) => p.name === pj.source);
    const post = spec.populations.find((p) => p.name === pj.target);
    if (!pre || !post) return;
    const expected = synapseCount(pj.connectivity, pre.size, post.size);
    if (expected > MAX_SYNAPSES_PER_PROJECTION)
      fail(['projections', k, 'connectivity'], `at most ${MAX_SYNAPSES_PER_PROJECTION.toLocaleString('en')} synapses per projection, this rule gives about ${Math.round(expected).toLocaleString('en')}`);
  });
  const limit = opts.maxMemoryBytes ?? availableMemory();
  const estimate = estimateMemory(spec, dtMs);
  if (estimate.peak + BASE_BYTES > limit) {
    const worst = [...estimate.items].sort((a, b) => b.bytes + b.buildBytes - (a.bytes + a.buildBytes))[0]!;
    const parts = Object.entries(worst.parts)
      .filter(([, b]) => b > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, b]) => `${k} ${formatBytes(b)}`)
      .join(', ');
    const where = worst.kind === 'population' ? ['populations', spec.populationsByName ? worst.name : worst.index, 'size'] : ['projections', worst.index, 'connectivity'];
    fail(
      where,
      `a circuit this machine can hold: ${worst.kind} '${worst.name}' needs about ${formatBytes(worst.bytes + worst.buildBytes)} (${parts}${worst.buildBytes ? `, ${formatBytes(worst.buildBytes)} more while it is built` : ''}), the circuit about ${formatBytes(estimate.peak + BASE_BYTES)} at its peak, above the ${formatBytes(limit)} available (--max-memory sets the limit)`,
    );
  }
  const profile = opts.profile;
  let mark = performance.now();
  /** Adds the time since the last mark to a part of the profile. */
  const lap = (part: keyof BuildProfile): void => {
    if (!profile) return;
    const now = performance.now();
    profile[part] += now - mark;
    mark = now;
  };
  const pops: Population[] = [];
  spec.populations.forEach((ps, index) => {
    const pi = spec.populationsByName ? ps.name : index;
    if (pops.some((p) => p.name === ps.name)) fail(['populations', pi, 'name'], `duplicate population name '${ps.name}'`);
    if (ps.source) {
      pops.push(new Population(index, ps.name, ps.size, null, {}, {}, ps.source));
      return;
    }
    const model = NEURON_MODELS[ps.model ?? ''];
    if (!model) return fail(['populations', pi, 'model'], `one of ${Object.keys(NEURON_MODELS).join(', ')}, got '${ps.model}'`);
    for (const k of Object.keys(ps.params ?? {}))
      if (!(k in model.params)) fail(['populations', pi, 'params', k], `a parameter of ${model.name} (${Object.keys(model.params).join(', ')})`);
    const params = withDefaults(model.params, ps.params ?? {});
    for (const [k, s] of Object.entries(model.params)) {
      const v = params[k]!;
      const bad =
        !Number.isFinite(v) ||
        (s.gt !== undefined && !(v > s.gt)) ||
        (s.min !== undefined && v < s.min) ||
        (s.max !== undefined && v > s.max) ||
        (s.integer === true && !Number.isInteger(v));
      if (bad) {
        const range = [s.gt !== undefined ? `> ${s.gt}` : '', s.min !== undefined ? `>= ${s.min}` : '', s.max !== undefined ? `<= ${s.max}` : '']
          .filter(Boolean)
          .join(' and ');
        fail(['populations', pi, 'params', k], `must be a finite number${range ? ' ' + range : ''} (${s.unit}), got ${v}`);
      }
    }
    const rel = model.validate?.(params);
    if (rel) fail(['populations', pi, 'params', rel.field], rel.expected);
    const state = model.init(ps.size, params);
    for (const [k, vs] of Object.entries(ps.init ?? {})) {
      const arr = state[k];
      if (!arr) return fail(['populations', pi, 'init', k], `a state variable of ${model.name} (${model.stateVars.join(', ')})`);
      const stream = streamId(`init:${ps.name}:${k}`);
      const draw = sampler(vs);
      for (let i = 0; i < ps.size; i++) arr[i] = draw(rng, stream, i);
    }
    pops.push(new Population(index, ps.name, ps.size, model, params, state, null));
  });

  lap('populationsMs');
  // Projections of at least parallelMinSynapses synapses are drawn by a pool of threads, started for the first one.
  const runners = new BuildRunners(opts.threads ?? defaultBuildThreads(), opts.parallelMinSynapses ?? PARALLEL_MIN_SYNAPSES, opts.pool ?? null);
  const projs: Projection[] = [];
  try {
    spec.projections.forEach((pj, k) => {
      const src = pops.find((p) => p.name === pj.source);
      const tgt = pops.find((p) => p.name === pj.target);
      if (!src) return fail(['projections', k, 'source'], `a population name (${pops.map((p) => p.name).join(', ')}), got '${pj.source}'`);
      if (!tgt) return fail(['projections', k, 'target'], `a population name (${pops.map((p) => p.name).join(', ')}), got '${pj.target}'`);
      if (!tgt.model) return fail(['projections', k, 'target'], `a neuron population, got the ${tgt.kind} source '${tgt.name}'`);
      const receptorIndex = tgt.model.receptors.indexOf(pj.receptor);
      if (receptorIndex < 0) return fail(['projections', k, 'receptor'], `one of ${tgt.model.receptors.join(', ')} for ${tgt.model.name}, got '${pj.receptor}'`);
      const name = pj.name ?? defaultProjectionName(spec.projections, k);
      if (projs.some((p) => p.name === name)) fail(['projections', k, 'name'], `a unique projection name, '${name}' is taken by an earlier projection`);
      let layout;
      try {
        const expected = synapseCount(pj.connectivity, src.size, tgt.size);
        layout = connect(pj.connectivity, src.size, tgt.size, src === tgt, rng, streamId(`conn:${name}`), runners.for(expected), profile);
      } catch (e) {
        if (e instanceof RangeError) return fail(['projections', k, 'connectivity'], e.message);
        throw e;
      }
      mark = performance.now(); // connect added its own parts to the profile
      const { rowPtr, col } = layout;
      const nSyn = col.length;
      // A projection's arrays are all in shared memory (built by the pool) or none is.
      const runner = runners.sameAs(col);
      let weights: Float32Array | null = null;
      let weight = 0;
      if (isConstant(pj.weight) && pj.plastic !== true) weight = constantOf(pj.weight);
      else if (isConstant(pj.weight)) {
        weight = constantOf(pj.weight);
        weights = runner.allocFloat32(nSyn).fill(weight);
      } else weights = drawWeights(pj.weight, nSyn, seed, streamId(`weight:${name}`), runner);
      let delays: Uint16Array | null = null;
      let delay: number;
      const delayTicks = (ms: number, s: number): number => {
        const t = toTicks(ms, dtMs);
        if (!(t >= 1)) fail(['projections', k, 'delay_ms'], `delays of at least one tick (${dtMs} ms), got ${ms} ms${s >= 0 ? ` at synapse ${s}` : ''}`);
        if (t > MAX_DELAY_TICKS) fail(['projections', k, 'delay_ms'], `delays of at most ${MAX_DELAY_TICKS} ticks, got ${ms} ms`);
        return t;
      };
      if (isConstant(pj.delay_ms)) delay = delayTicks(constantOf(pj.delay_ms), -1);
      else {
        // Drawn delays are clipped to [1, 65535] ticks (a drawn value cannot be an error of the user's).
        delays = drawDelays(pj.delay_ms, nSyn, seed, streamId(`delay:${name}`), dtMs, runner);
        delay = 1;
      }
      projs.push(new Projection(k, name, src, tgt, pj.receptor, receptorIndex, { nPre: src.size, nPost: tgt.size, rowPtr, col, weights, weight, delays, delay }));
      lap('csrMs');
    });
  } finally {
    runners.close();
  }
  const plasticity: PlasticityBinding[] = [];
  (spec.plasticity ?? []).forEach((ps, k) => {
    const projection = projs.find((p) => p.name === ps.projection);
    if (!projection) return fail(['plasticity', k, 'projection'], `a projection name (${projs.map((p) => p.name).join(', ')}), got '${ps.projection}'`);
    if (!projection.csr.weights) return fail(['projections', projection.index, 'plastic'], `true: the projection '${projection.name}' is changed by plasticity`);
    const teacher = pops.find((p) => p.name === ps.teacher);
    if (!teacher) return fail(['plasticity', k, 'teacher'], `a population name, got '${ps.teacher}'`);
    if (teacher.size !== projection.target.size)
      fail(['plasticity', k, 'teacher'], `one climbing fibre per target cell: '${teacher.name}' has ${teacher.size} neurons, '${projection.target.name}' has ${projection.target.size}`);
    const lo = ps.w_min ?? -Infinity;
    const hi = ps.w_max ?? Infinity;
    if (!(lo <= hi)) fail(['plasticity', k, 'w_max'], `w_max >= w_min (${lo})`);
    const w = projection.csr.weights;
    for (let q = 0; q < w.length; q++) {
      if (w[q]! < lo || w[q]! > hi) {
        fail(['projections', projection.index, 'weight'], `initial weights within the rule's [w_min, w_max] = [${lo}, ${hi}], got ${w[q]}`);
        break;
      }
    }
    const tauMs = ps.rule === 'cf_error' ? ps.ltd_tau_ms : 0;
    const windowMs = ps.rule === 'cf_error' ? (ps.window_ms ?? 5 * tauMs) : ps.window_ms;
    plasticity.push({ name: ps.name ?? `${ps.rule}:${projection.name}`, spec: ps, projection, teacher, windowTicks: toTicks(windowMs, dtMs), tauTicks: tauMs / dtMs, delayTicks: ps.rule === 'cf_error' ? toTicks(ps.ltd_delay_ms ?? 0, dtMs) : 0 });
  });
  return new Network(spec.name, dtMs, seed, pops, projs, plasticity);
}

export { defaultProjectionName } from './names.ts';
