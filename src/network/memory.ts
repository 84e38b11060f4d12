/**
 * How much memory a circuit needs, estimated from its spec before anything is allocated, so that a circuit the
 * machine cannot hold is refused with one line (naming the population or projection that needs the most) instead
 * of growing for minutes towards an out-of-memory kill.
 *
 * What is counted (bytes; the layouts are those of network.ts, connectivity.ts and engine/simulator.ts):
 * - a neuron population of n: 8 n per state variable, 8 n per receptor and ring slot (slots = the largest delay into
 *   it in ticks + 1), 4 n spike indices, 8 n last-spike times, 16 n for the run's recorders;
 * - a source of n: 4 n + 8 n + 16 n, plus about 100 bytes per pending event (a Poisson neuron or a listed spike time);
 * - a projection of S synapses (exact for rules that fix the count, the mean for random ones): 4 S targets,
 *   4 (n_pre + 1) row pointers, 4 S weights when drawn or plastic, 2 S delays when drawn; while it is built
 *   (build-csr.ts), scratch space comes on top, one projection at a time: 4 S for the rules that draw into a
 *   temporary array (fixed_indegree and address_match: the bucketed counting sort; pairwise_bernoulli: the rows
 *   before they are packed at their exact size), nothing for fixed_outdegree, all_to_all and one_to_one, and the pair
 *   list of explicit pairs (two Uint32 arrays of capacity C, the power of two >= S, briefly three halves of that as
 *   it doubles, and the sort's counters, 8 n_pre). A parallel build keeps one scratch array, for the largest
 *   projection, and its worker threads (a few MB each) are not counted.
 * The peak is everything that stays plus the largest build-time excess. test/network/memory.test.ts checks the
 * estimate against the array memory Node reports after building and starting real networks.
 */
import { totalmem } from 'node:os';
import { toTicks } from '../core/time.ts';
import { NEURON_MODELS } from '../models/neurons/registry.ts';
import type { ConnectivityRule } from './connectivity.ts';
import { defaultProjectionName } from './names.ts';
import type { ValueSpec } from './distributions.ts';

/** The parts of a NetworkSpec (network.ts) the estimate reads; declared here so that network.ts can import this file. */
export interface SpecForMemory {
  readonly populations: ReadonlyArray<{
    readonly name: string;
    readonly size: number;
    readonly model?: string;
    readonly source?: { readonly kind: string; readonly spike_times_ms?: ReadonlyArray<ReadonlyArray<number>> };
  }>;
  readonly projections: ReadonlyArray<{
    readonly name?: string;
    readonly source: string;
    readonly target: string;
    readonly receptor: string;
    readonly connectivity: ConnectivityRule;
    readonly weight: ValueSpec;
    readonly delay_ms: ValueSpec;
    readonly plastic?: boolean;
  }>;
  /** Plasticity rules by the projection they change (its name, or its default name `source->target...`). */
  readonly plasticity?: ReadonlyArray<{ readonly projection: string }>;
}

export interface MemoryItem {
  readonly kind: 'population' | 'projection';
  /** Index in the spec's list (for the JSON path of errors). */
  readonly index: number;
  readonly name: string;
  /** Bytes held while the network runs. */
  readonly bytes: number;
  /** Extra bytes held only while it is built. */
  readonly buildBytes: number;
  /** What the bytes are, for the error message (`state 1.6 GB, delay rings 11 GB`). */
  readonly parts: Readonly<Record<string, number>>;
}

export interface MemoryEstimate {
  readonly items: readonly MemoryItem[];
  /** Bytes held while running. */
  readonly steady: number;
  /** Largest bytes held at once, including the build. */
  readonly peak: number;
}

const EVENT_BYTES = 100;

/** The largest value a value spec draws (delays): a constant, a uniform's top, 6 sd above a normal's mean. */
function upperValue(v: ValueSpec): number {
  if (typeof v === 'number') return v;
  if ('constant' in v) return v.constant;
  if ('uniform' in v) return v.uniform.high;
  if ('normal' in v) return Math.min(v.normal.high ?? Infinity, v.normal.mean + 6 * v.normal.sd);
  return Math.exp(v.lognormal.mu + 6 * v.lognormal.sigma);
}

/** Synapses a rule makes (exact where the rule fixes it, the mean otherwise). */
export function synapseCount(rule: ConnectivityRule, nPre: number, nPost: number): number {
  switch (rule.rule) {
    case 'all_to_all':
      return nPre * nPost;
    case 'one_to_one':
      return nPre;
    case 'pairwise_bernoulli':
      return rule.p * nPre * nPost;
    case 'fixed_indegree':
      return rule.indegree * nPost;
    case 'fixed_outdegree':
      return rule.outdegree * nPre;
    case 'explicit':
      return rule.pairs.length;
    case 'address_match':
      return rule.bits * nPost;
  }
}

const isDrawn = (v: ValueSpec) => typeof v !== 'number' && !('constant' in v);

export function estimateMemory(spec: SpecForMemory, dtMs: number): MemoryEstimate {
  const size = new Map(spec.populations.map((p) => [p.name, p.size]));
  const slots = new Map<string, number>();
  for (const pj of spec.projections) {
    const ticks = Math.min(65535, Math.max(1, toTicks(upperValue(pj.delay_ms), dtMs)));
    slots.set(pj.target, Math.max(slots.get(pj.target) ?? 2, ticks + 1));
  }
  const items: MemoryItem[] = [];
  spec.populations.forEach((p, index) => {
    const n = p.size;
    const model = p.model !== undefined ? NEURON_MODELS[p.model] : undefined;
    const parts: Record<string, number> = { 'spike bookkeeping': 28 * n };
    if (model) {
      parts.state = 8 * n * model.stateVars.length;
      parts['delay rings'] = 8 * n * model.receptors.length * (slots.get(p.name) ?? 2);
    } else if (p.source?.kind === 'poisson') parts['pending events'] = EVENT_BYTES * n;
    else if (p.source?.kind === 'spike_generator') parts['pending events'] = EVENT_BYTES * (p.source.spike_times_ms ?? []).reduce((s, t) => s + t.length, 0);
    items.push({ kind: 'population', index, name: p.name, bytes: sum(parts), buildBytes: 0, parts });
  });
  spec.projections.forEach((pj, index) => {
    const nPre = size.get(pj.source) ?? 0;
    const s = synapseCount(pj.connectivity, nPre, size.get(pj.target) ?? 0);
    const parts: Record<string, number> = { 'synapse targets': 4 * s + 4 * (nPre + 1) };
    if (isDrawn(pj.weight) || pj.plastic === true) parts.weights = 4 * s;
    // A cf_gated rule on the projection: paired spikes per synapse and two per-fibre counters (models/plasticity).
    const name = pj.name ?? defaultProjectionName(spec.projections, index);
    if ((spec.plasticity ?? []).some((r) => r.projection === name)) parts['plasticity bookkeeping'] = 4 * s + 8 * nPre;
    if (isDrawn(pj.delay_ms)) parts.delays = 2 * s;
    items.push({ kind: 'projection', index, name, bytes: sum(parts), buildBytes: buildScratch(pj.connectivity, s, nPre), parts });
  });
  const steady = items.reduce((t, i) => t + i.bytes, 0);
  return { items, steady, peak: steady + items.reduce((m, i) => Math.max(m, i.buildBytes), 0) };
}

/** Bytes a projection of s synapses needs only while it is built (see the file's TSDoc). */
function buildScratch(rule: ConnectivityRule, s: number, nPre: number): number {
  switch (rule.rule) {
    case 'fixed_indegree':
    case 'address_match':
    case 'pairwise_bernoulli':
      return 4 * s;
    case 'explicit': {
      const capacity = 2 ** Math.ceil(Math.log2(Math.max(1024, s)));
      return Math.max(12 * capacity, 8 * capacity + 8 * nPre);
    }
    default:
      return 0;
  }
}

function sum(parts: Record<string, number>): number {
  return Object.values(parts).reduce((a, b) => a + b, 0);
}

/** Memory this process may use: the machine's, or the container's limit when that is lower. */
export function availableMemory(): number {
  const total = totalmem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  return constrained !== undefined && constrained > 0 && constrained < total ? constrained : total;
}

/** Bytes as people read them: 512 B, 3.2 MB, 14.1 GB (decimal units). */
export function formatBytes(b: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let u = 0;
  let x = b;
  while (x >= 1000 && u < units.length - 1) {
    x /= 1000;
    u++;
  }
  return `${u === 0 ? x.toFixed(0) : x.toPrecision(3)} ${units[u]}`;
}

/** The arrays of one projection's CSR (connectivity.ts `Csr`) that the memory report reads. */
export interface CsrForMemory {
  readonly rowPtr: Uint32Array;
  readonly col: Uint32Array;
  readonly weights: Float32Array | null;
  readonly delays: Uint16Array | null;
}

/** Bytes one projection's synapses hold, by array, and per synapse. */
export interface ProjectionMemory {
  readonly name: string;
  readonly synapses: number;
  /** rowPtr + col + weights + delays (connectivity.ts `csrBytes`). */
  readonly bytes: number;
  /** bytes / synapses (0 for a projection without synapses). */
  readonly bytesPerSynapse: number;
  readonly parts: {
    /** Row pointers: 4 (n_pre + 1). */
    readonly rowPointers: number;
    /** Targets: 4 per synapse. */
    readonly targets: number;
    /** Per-synapse float32 weights (drawn or plastic), else 0. */
    readonly weights: number;
    /** Per-synapse uint16 delays (drawn), else 0. */
    readonly delays: number;
  };
}

/** Bytes a built network's synapses hold: the whole and each projection (`synapseMemory`). */
export interface SynapseMemory {
  readonly synapses: number;
  readonly bytes: number;
  /** bytes / synapses over the whole network (0 without synapses). */
  readonly bytesPerSynapse: number;
  readonly projections: readonly ProjectionMemory[];
}

/**
 * The memory a built network's synapses hold, measured from its CSR arrays (not estimated): 4 bytes per target,
 * 4 (n_pre + 1) row pointers, and 4 bytes per weight and 2 per delay where those are stored per synapse (drawn, or
 * plastic weights). A network with constant weights and delays therefore costs 4 bytes per synapse plus its row
 * pointers. The engine's per-synapse plasticity bookkeeping (cf_gated: 4 bytes per synapse) is not counted here.
 */
export function synapseMemory(network: { readonly projections: ReadonlyArray<{ readonly name: string; readonly csr: CsrForMemory }> }): SynapseMemory {
  const projections = network.projections.map(({ name, csr }): ProjectionMemory => {
    const parts = {
      rowPointers: csr.rowPtr.byteLength,
      targets: csr.col.byteLength,
      weights: csr.weights?.byteLength ?? 0,
      delays: csr.delays?.byteLength ?? 0,
    };
    const bytes = parts.rowPointers + parts.targets + parts.weights + parts.delays;
    const synapses = csr.col.length;
    return { name, synapses, bytes, bytesPerSynapse: synapses > 0 ? bytes / synapses : 0, parts };
  });
  const synapses = projections.reduce((s, p) => s + p.synapses, 0);
  const bytes = projections.reduce((s, p) => s + p.bytes, 0);
  return { synapses, bytes, bytesPerSynapse: synapses > 0 ? bytes / synapses : 0, projections };
}
