/** The options and the summary of a scenario run, shared by the runner and the model protocols. */
import type { Writable } from 'node:stream';
import type { BackendChoice } from '../backends/select.ts';
import type { SpikeListener } from '../engine/simulator.ts';
import type { SpikeFormat, SpikeSink } from '../recording/sinks/types.ts';

export interface ScenarioRunOptions {
  readonly backend?: BackendChoice;
  /** Engine threads (cpu backend; default 1). The results do not depend on it. */
  readonly threads?: number;
  /** Floating-point precision of the cpu backend's state and rings (default 64). */
  readonly precision?: 32 | 64;
  readonly seed?: number;
  readonly durationMs?: number;
  /** Output directory for spikes.csv and summary.json; none when absent. */
  readonly outDir?: string;
  /** Replace `outDir` even when it holds a complete earlier run (otherwise that is an InputError). */
  readonly overwrite?: boolean;
  /** Refuse a circuit whose estimated memory exceeds this many bytes (default: the machine's memory). */
  readonly maxMemoryBytes?: number;
  /** Extra sinks (tests use a MemorySink). */
  readonly sinks?: readonly SpikeSink[];
  /** Spike log format (default csv). */
  readonly format?: SpikeFormat;
  /** Stream the spike log here (stdout) instead of into the output directory. */
  readonly stream?: Writable;
  readonly signal?: AbortSignal;
  /** Extra spike listeners (the live view uses one). */
  readonly listeners?: readonly SpikeListener[];
  /** Ticks per chunk (default 1000): progress, draining and `onChunk` happen between chunks. */
  readonly chunkTicks?: number;
  /** Awaited after every chunk (the live view flushes its events here and holds the run while paused). */
  readonly onChunk?: (tick: number) => void | Promise<void>;
  /** Called before the run and after each chunk of ticks with the ticks done, the total and dt. */
  readonly onProgress?: (tick: number, total: number, dtMs: number) => void;
}

export interface Expectation {
  readonly check: string;
  readonly population: string;
  readonly value: number;
  readonly band: readonly [number, number];
  readonly pass: boolean;
  /** False when the run was shorter than the scenario's min_duration_ms: reported, not enforced. */
  readonly enforced: boolean;
}

export interface PopulationSummary {
  readonly size: number;
  /** The neuron model (lif, lif_cond, adex, threshold_unit) or the source kind (poisson, spike_generator, external). */
  readonly kind: string;
  /** The neuron model's name, or null for a spike source. */
  readonly model: string | null;
  readonly spikes: number;
  readonly rate_hz: number;
  readonly cv_isi: number | null;
}

export interface RunSummary {
  readonly scenario: string;
  readonly circuit: string;
  readonly backend: string;
  readonly device: string;
  readonly precision: number;
  readonly backend_reason: string;
  /** With `--backend auto`: each candidate's measured microseconds per tick on this network (engine/auto.ts). */
  readonly backend_trials?: ReadonlyArray<{ readonly name: string; readonly implementation: string; readonly ticks: number; readonly us_per_tick: number }>;
  readonly kernels: Record<string, string>;
  /** Threads that shared the engine's ticks (1 on backends other than cpu). */
  readonly threads: number;
  /** Ticks whose update and delivery the threads shared (engine/threads.ts: where measurement said it pays). */
  readonly shared_ticks: { readonly update: number; readonly deliver: number };
  readonly seed: number;
  readonly dt_ms: number;
  readonly biological_ms: number;
  readonly build_ms: number;
  readonly wall_ms: number;
  readonly real_time_factor: number;
  readonly synapses: number;
  readonly synapse_bytes: number;
  /** synapse_bytes over the synapses (network/memory.ts synapseMemory; 0 without synapses). */
  readonly synapse_bytes_per_synapse: number;
  readonly synaptic_events: number;
  readonly peak_rss_mb: number;
  readonly populations: Record<string, PopulationSummary>;
  readonly expectations: readonly Expectation[];
  readonly passed: boolean;
  readonly interrupted: boolean;
  /** Rows written by the log sinks: the recorded populations' spikes plus the memory events. */
  readonly spikes_written: number;
  /** Memory-model events published during the run (each is one row in the log and one line of events.ndjson). */
  readonly events: number;
  readonly files: Record<string, string>;
  readonly results: Record<string, unknown>;
}

