/**
 * The scenario file format (YAML or JSON): which circuit, for how long, with which stimuli, what to record and
 * what the run is expected to show.
 *
 *   name: cuba
 *   description: one line
 *   circuit: cuba               # a file in circuits/ or a path relative to this file
 *   duration_ms: 10000
 *   seed: 1
 *   stimuli: [ { kind: current_step, population: exc, start_ms: 0, stop_ms: 50, amplitude: 5, neurons: [0, 1] } ]
 *   record: { spikes: all }     # or a list of population names
 *   expect:                     # checked after runs of at least min_duration_ms (default: test.duration_ms,
 *                               # else duration_ms); the test suite runs each scenario for test.duration_ms
 *     rate_hz: { exc: [3, 9] }
 *     cv_isi: { exc: [0.3, 2] }
 *   test: { duration_ms: 1000 }
 */
import { z } from 'zod';
import { clsSpikingProtocolSchema } from './protocols/cls-spiking-schema.ts';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const time = finite.refine((t) => t >= 0, 'expected a time >= 0 ms');
const band = z.tuple([finite, finite]).refine(([lo, hi]) => lo <= hi, 'expected [low, high] with low <= high');

export const stimulusSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('current_step'),
      population: z.string().min(1),
      neurons: z.array(z.number().int().nonnegative()).optional(),
      start_ms: time,
      stop_ms: time,
      amplitude: finite,
    })
    .refine((s) => s.stop_ms >= s.start_ms, 'expected stop_ms >= start_ms'),
]);

export const sdmProtocolSchema = z.strictObject({
  kind: z.literal('sdm'),
  task: z.enum(['recall', 'capacity', 'convergence', 'attention']),
  association: z.enum(['auto', 'hetero']).default('auto'),
  patterns: z.number().int().positive().default(50),
  loads: z.array(z.number().int().positive()).min(1).default([10, 25, 50, 100]),
  noise_bits: z.array(z.number().int().nonnegative()).min(1).default([0]),
  cues_per_level: z.number().int().positive().default(10),
  spacing_ms: finite.refine((d) => d > 0, 'expected a spacing > 0 ms').default(1),
  iterations: z.number().int().positive().default(5),
  /**
   * attention task: softmax inverse temperature at the circuit's radius (default: the published-convention fit for the
   * circuit's n and d). The comparison at the SNR-optimal radius over all 2^n addresses always uses its own fit.
   */
  beta: finite.refine((b) => b >= 0, 'expected beta >= 0').optional(),
  /**
   * attention task: softmax evaluations of the modern Hopfield reader where iterating works, m <= 1 + e^beta /
   * cosh(beta/n)^n; beyond that it reads once (the attention read) and the results say why.
   */
  hopfield_steps: z.number().int().positive().default(3),
  /**
   * How a pattern is written: `counter` (Hebbian: every bit of every write, once; Kanerva's counters) or `error`
   * (perceptron-like: each write is preceded by a read through the circuit, and only the Purkinje cells whose bit was
   * read wrong learn, LTD for target 1 with a climbing-fibre spike, LTP for target 0 without one; Brunel et al. 2004).
   */
  write_rule: z.enum(['counter', 'error']).default('counter'),
  /** Error writes: passes over the stored set (each write preceded by its read), stopping after one with no wrong bit. */
  write_epochs: z.number().int().positive().default(5),
});
export type SdmProtocol = z.infer<typeof sdmProtocolSchema>;

/**
 * The complementary-learning-systems model (Sun et al. 2023) as a protocol: no circuit, the teacher / notebook /
 * student system of models/memory/cls run over SNRs and seeds, with the closed-form theory beside it.
 */
export const clsProtocolSchema = z.strictObject({
  kind: z.literal('cls'),
  /** notebook-comparison: the Hopfield and the SDM notebook on the same teachers, students and SNRs, side by side. */
  task: z.enum(['consolidation', 'snr-sweep', 'alpha-sweep', 'unpredictable', 'notebook-comparison']),
  /** SNR values; 'inf' for a noiseless teacher (alpha-sweep and unpredictable use the first). */
  snr: z.array(z.union([z.literal('inf'), finite.refine((x) => x >= 0, 'expected an SNR >= 0')])).min(1).default(['inf', 4, 0.05]),
  seeds: z.number().int().positive().default(20),
  epochs: z.number().int().positive().default(2000),
  learning_rate: finite.refine((x) => x > 0, 'expected a learning rate > 0').default(0.015),
  examples: z.number().int().positive().default(100),
  inputs: z.number().int().positive().default(100),
  notebook_units: z.number().int().positive().default(2000),
  /** The notebook's memory: the sparse Hopfield network of Sun et al. or a Kanerva SDM over the same encoding (sdm-notebook.ts). */
  notebook: z.enum(['hopfield', 'sdm']).default('hopfield'),
  /** The SDM notebook (notebook: sdm, and both notebooks of notebook-comparison): hard locations, units per address, activation, counters. */
  sdm: z
    .strictObject({
      locations: z.number().int().positive().default(20_000),
      address_units: z.number().int().positive().default(4),
      /** Radius activation: a location is active when at least this many of its address units are (default 2). */
      threshold: z.number().int().positive().optional(),
      /** Top-k activation instead: the top_k locations of largest overlap. */
      top_k: z.number().int().positive().optional(),
      counters: z.enum(['plain', 'covariance']).default('covariance'),
    })
    .refine((o) => o.threshold === undefined || o.top_k === undefined, { message: 'expected threshold or top_k, not both', path: ['top_k'] })
    .refine((o) => (o.threshold ?? 1) <= o.address_units, { message: 'expected a threshold <= address_units', path: ['threshold'] })
    .refine((o) => (o.top_k ?? 1) <= o.locations, { message: 'expected top_k <= locations', path: ['top_k'] })
    .prefault({}),
  /**
   * notebook-comparison: numbers of stored examples P at which both notebooks are also measured alone (recall from the
   * stored x, one epoch of reactivations), the SDM with each of capacity_locations hard locations (default: sdm's).
   */
  capacity_examples: z.array(z.number().int().positive()).default([]),
  capacity_locations: z.array(z.number().int().positive()).default([]),
  /** alpha-sweep: P / N values (P = round(alpha N)). */
  alpha: z.array(finite.refine((x) => x > 0, 'expected alpha > 0')).min(1).default([0.25, 0.5, 1, 2, 4]),
  /** unpredictable: gain of the complex teacher y = sin(gain x . w) and hidden inputs of the partial teacher. */
  complex_gain: finite.refine((x) => x > 0, 'expected a gain > 0').default(2),
  hidden_inputs: z.number().int().positive().default(100),
  /** Where the generalization-optimized regime takes t* from. */
  t_star: z.enum(['theory', 'oracle', 'held-out']).default('theory'),
  /**
   * Worker threads that compute the notebook's replay schedules (one per seed and P, shared by every condition):
   * 'auto' = one per core when there are two or more schedules to compute, 0 = in the main thread.
   */
  workers: z
    .union([z.literal('auto'), z.number().int().nonnegative().max(64)], { error: "expected 'auto' or a whole number of threads from 0 to 64" })
    .default('auto'),
  /**
   * What settles the Hopfield notebook's reactivations and recalls: 'wasm' (default), eight at a time in the
   * WebAssembly lanes where their integer keys apply (backends/cpu/wasm/notebook-lanes.ts), or 'js', the notebook
   * alone. Both give the same numbers; 'js' is for comparisons.
   */
  notebook_kernel: z.enum(['wasm', 'js']).default('wasm'),
});
export type ClsProtocol = z.infer<typeof clsProtocolSchema>;

/**
 * The granule-layer code of the cerebellar SDM as a protocol: no circuit, the granule code of analysis/granule-code
 * (K mossy inputs per granule cell, on/off address fibres, Golgi inhibition as top-k, a global threshold or the
 * conjunction "all K inputs active") swept over K and coding levels: SDM capacity with plain counters and the
 * covariance rule, and the code's dimension (participation ratio, Litwin-Kumar et al. 2017).
 */
export const granuleCodeProtocolSchema = z
  .strictObject({
    kind: z.literal('granule-code'),
    task: z.enum(['sweep']),
    /** Address bits n (mossy fibres: 2n, an on/off pair per bit). */
    address_bits: z.number().int().min(1).max(32767).default(256),
    /** Granule cells r. */
    granule_cells: z.number().int().positive().default(20000),
    /** Mossy inputs per granule cell K (each its own rows). */
    inputs: z.array(z.number().int().positive()).min(1).default([1, 2, 3, 4, 5, 6, 8, 12, 16]),
    /** Coding levels f of the inhibited codes (the conjunction code, f = 2^-K, is always added). */
    coding_levels: z.array(finite.refine((f) => f > 0 && f < 1, 'expected a coding level in (0, 1)')).min(1).default([0.01, 0.03, 0.1]),
    /** Golgi inhibition of those codes: feedback top-k per address, or one feedforward threshold for all. */
    inhibition: z.enum(['topk', 'global']).default('topk'),
    /** sigma of the lognormal mossy -> granule weights (mu 0); 0: uniform. */
    weight_sigma: finite.refine((x) => x >= 0, 'expected sigma >= 0').default(0),
    /** Stored patterns at which recall is measured, increasing. */
    loads: z.array(z.number().int().positive()).min(1).default([25, 50, 100, 200, 400, 800, 1600]),
    cues_per_load: z.number().int().positive().default(20),
    /** Random addresses for the dimension and overlap statistics (and as many more for their mean). */
    samples: z.number().int().min(2).default(500),
    /** Independent wirings and pattern sets (seed, seed + 1, ...); the tables average over them. */
    seeds: z.number().int().positive().default(1),
    /** The K of the headline results (capacity_99 of its conjunction code, ...). */
    headline_inputs: z.number().int().positive().default(4),
  })
  .refine((p) => p.loads.every((l, i) => i === 0 || l > p.loads[i - 1]!), { message: 'expected loads in increasing order', path: ['loads'] })
  .refine((p) => p.inputs.every((k) => k <= 2 * p.address_bits), { message: 'expected inputs of at most 2 x address_bits (the mossy fibres)', path: ['inputs'] });
export type GranuleCodeProtocol = z.infer<typeof granuleCodeProtocolSchema>;

const positiveMs = finite.refine((x) => x > 0, 'expected a time > 0 ms');

/**
 * Delay eyeblink conditioning on a circuit with an `eyeblink` section: for each interstimulus interval, a fresh circuit
 * (same wiring) runs acquisition blocks (CS on the mossy fibres, the US to the olive `isi` ms after CS onset, CS-alone
 * probe trials at `probe_trials` of each block) then extinction blocks (CS alone). The conditioned response is read
 * from the deep nuclei (analysis/conditioning.ts).
 */
export const eyeblinkProtocolSchema = z
  .strictObject({
    kind: z.literal('eyeblink'),
    /** Interstimulus intervals, CS onset to US (each its own session on a fresh circuit). */
    isi_ms: z.array(positiveMs).min(1).default([150, 300, 500]),
    trials_per_block: z.number().int().positive().default(10),
    acquisition_blocks: z.number().int().positive().default(6),
    extinction_blocks: z.number().int().nonnegative().default(3),
    /** Trials (0-based, within each acquisition block) that are CS-alone probes: where the learned response is timed. */
    probe_trials: z.array(z.number().int().nonnegative()).default([4, 9]),
    /**
     * Trial length (CS onset to the next CS onset); CS onset within the trial. Slow granule dynamics (inhibition up to
     * 1 s in circuits/eyeblink.yaml) need the gap: at 1500 ms the previous CS still suppresses the slowest cells.
     */
    trial_ms: positiveMs.default(3000),
    cs_onset_ms: positiveMs.default(200),
    /**
     * Delay conditioning: the CS lasts the ISI plus this, overlapping the US. Probe trials have the same CS, so that
     * the learned response can be seen to end (a CS that stopped at the US would cut it off there).
     */
    cs_after_us_ms: time.default(150),
    /** Mossy-fibre Poisson rates: at rest and during the CS (fresh noise every trial). */
    mossy_rest_hz: finite.refine((x) => x >= 0, 'expected a rate >= 0 Hz').default(5),
    mossy_cs_hz: finite.refine((x) => x >= 0, 'expected a rate >= 0 Hz').default(50),
    /** The US: every `us` cell spikes `us_spikes` times, `us_interval_ms` apart, from CS onset + ISI. */
    us_spikes: z.number().int().positive().default(1),
    us_interval_ms: positiveMs.default(2),
    /** PSTH bins of the recorded populations. */
    bin_ms: positiveMs.default(10),
    /** A trial has a CR when the nuclear count in the cr_window_ms before the US exceeds baseline + cr_threshold SDs. */
    cr_window_ms: positiveMs.default(30),
    baseline_ms: positiveMs.default(200),
    cr_threshold: finite.refine((x) => x >= 0, 'expected a threshold >= 0').default(2),
    /** The CR peak: the probe trials of the last `peak_blocks` acquisition blocks, smoothed over peak_smooth_ms. */
    peak_blocks: z.number().int().positive().default(2),
    peak_smooth_ms: positiveMs.default(50),
    /** The peak is searched from CS onset to ISI + this. */
    peak_after_us_ms: time.default(200),
    /** Elapsed-time decoding of the granule code: bins and trials (the first trials of the longest-ISI session). */
    decode_bin_ms: positiveMs.default(20),
    decode_trials: z.number().int().min(2).default(10),
  })
  .refine((p) => p.probe_trials.every((i) => i < p.trials_per_block), { message: 'expected probe trial indices below trials_per_block', path: ['probe_trials'] })
  .refine((p) => p.probe_trials.length < p.trials_per_block, { message: 'expected fewer probe trials than trials per block (some must be paired)', path: ['probe_trials'] })
  .refine((p) => p.baseline_ms <= p.cs_onset_ms, { message: 'expected a baseline window that fits before CS onset', path: ['baseline_ms'] })
  .refine((p) => p.isi_ms.every((isi) => p.cr_window_ms <= isi), { message: 'expected a CR window no longer than the shortest ISI', path: ['cr_window_ms'] })
  .refine((p) => p.isi_ms.every((isi) => p.cs_onset_ms + isi + Math.max(p.cs_after_us_ms, p.peak_after_us_ms + p.peak_smooth_ms, (p.us_spikes - 1) * p.us_interval_ms + 1) <= p.trial_ms), {
    message: 'expected trials long enough for CS onset + the longest ISI + the CS after the US and the peak search window',
    path: ['trial_ms'],
  })
  .refine((p) => [p.trial_ms, p.cs_onset_ms, p.baseline_ms, p.cr_window_ms, ...p.isi_ms].every((x) => Number.isInteger(Math.round((x / p.bin_ms) * 1e9) / 1e9)), {
    message: 'expected trial_ms, cs_onset_ms, baseline_ms, cr_window_ms and every ISI to be multiples of bin_ms',
    path: ['bin_ms'],
  });
export type EyeblinkProtocol = z.infer<typeof eyeblinkProtocolSchema>;

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** The circuit to run (every scenario but model protocols such as cls). */
  circuit: z.string().min(1).optional(),
  /** Required unless a protocol sets the duration. */
  duration_ms: finite.refine((d) => d > 0, 'expected a duration > 0 ms').optional(),
  protocol: z.discriminatedUnion('kind', [sdmProtocolSchema, clsProtocolSchema, granuleCodeProtocolSchema, eyeblinkProtocolSchema, clsSpikingProtocolSchema]).optional(),
  dt_ms: finite.refine((d) => d > 0, 'expected dt > 0 ms').optional(),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(1),
  stimuli: z.array(stimulusSchema).default([]),
  record: z.strictObject({ spikes: z.union([z.literal('all'), z.literal('none'), z.array(z.string().min(1))]).default('all') }).default({ spikes: 'all' }),
  expect: z
    .strictObject({
      /** Runs shorter than this are too short for the bands; their expectations are reported, not enforced. */
      min_duration_ms: finite.refine((d) => d > 0, 'expected a duration > 0 ms').optional(),
      rate_hz: z.record(z.string(), band).optional(),
      cv_isi: z.record(z.string(), band).optional(),
      /** Bands on scalar results of the protocol, by name (e.g. algebraic_agreement: [1, 1]); arrays by name[index]. */
      results: z.record(z.string(), band).optional(),
    })
    .default({}),
  /** The short version the test suite runs: a shorter duration, or protocol settings that replace the scenario's. */
  test: z
    .strictObject({
      duration_ms: finite.refine((d) => d > 0, 'expected a duration > 0 ms').optional(),
      /** Protocol settings that replace the scenario's for the short run (checked when merged, by the test suite). */
      protocol: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
})
  .refine((s) => s.duration_ms !== undefined || s.protocol !== undefined, { message: 'expected duration_ms (or a protocol that sets it)', path: ['duration_ms'] })
  .refine((s) => s.circuit !== undefined || s.protocol?.kind === 'cls' || s.protocol?.kind === 'granule-code' || s.protocol?.kind === 'cls-spiking', { message: 'expected a circuit (a file in circuits/ or a path)', path: ['circuit'] });

export type ScenarioFile = z.infer<typeof scenarioSchema>;
