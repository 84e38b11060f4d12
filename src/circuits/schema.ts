/**
 * The circuit file format (YAML or JSON). `purkinje schema` prints it as JSON Schema for editors.
 *
 *   name: cuba
 *   description: one line
 *   dt_ms: 0.1                       # optional default time step
 *   populations:                     # a map: name -> population
 *     exc: { model: lif, size: 3200, params: {...}, init: { v: { uniform: { low: -60, high: -50 } } } }
 *     drive: { size: 100, source: { kind: poisson, rate_hz: 10 } }
 *   projections:
 *     - { source: exc, target: inh, receptor: exc, connectivity: { rule: pairwise_bernoulli, p: 0.02 },
 *         weight: 1.62, delay_ms: 0.1 }
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

export const distributionSchema = z.union([
  finite,
  z.strictObject({ constant: finite }),
  z.strictObject({ uniform: z.strictObject({ low: finite, high: finite }).refine((u) => u.low <= u.high, 'expected low <= high') }),
  z.strictObject({
    normal: z.strictObject({ mean: finite, sd: finite.refine((s) => s >= 0, 'expected sd >= 0'), low: finite.optional(), high: finite.optional() }),
  }),
  z.strictObject({ lognormal: z.strictObject({ mu: finite, sigma: finite.refine((s) => s >= 0, 'expected sigma >= 0') }) }),
]);

const probability = finite.refine((p) => p >= 0 && p <= 1, 'expected a probability in [0, 1]');
const count = z.number().int().nonnegative();

export const connectivitySchema = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('all_to_all'), allow_autapses: z.boolean().optional() }),
  z.strictObject({ rule: z.literal('one_to_one') }),
  z.strictObject({ rule: z.literal('fixed_indegree'), indegree: count, allow_autapses: z.boolean().optional(), allow_multapses: z.boolean().optional() }),
  z.strictObject({ rule: z.literal('fixed_outdegree'), outdegree: count, allow_autapses: z.boolean().optional(), allow_multapses: z.boolean().optional() }),
  z.strictObject({ rule: z.literal('pairwise_bernoulli'), p: probability, allow_autapses: z.boolean().optional() }),
  z.strictObject({ rule: z.literal('explicit'), pairs: z.array(z.tuple([count, count])) }),
  z.strictObject({ rule: z.literal('address_match'), bits: z.number().int().positive(), stream: z.string().min(1).optional() }),
]);

export const plasticitySchema = z.discriminatedUnion('rule', [
  z.strictObject({
    rule: z.literal('cf_gated'),
    name: z.string().min(1).optional(),
    projection: z.string().min(1),
    teacher: z.string().min(1),
    ltp: finite.refine((x) => x >= 0, 'expected ltp >= 0'),
    ltd: finite.refine((x) => x >= 0, 'expected ltd >= 0'),
    window_ms: finite.refine((x) => x >= 0, 'expected a window >= 0 ms'),
    w_min: finite.optional(),
    w_max: finite.optional(),
    /** Keep each target cell's summed weight constant (heterosynaptic normalisation: the covariance rule). */
    normalize: z.boolean().optional(),
  }),
  z.strictObject({
    /** Error-driven, always on (models/plasticity/cf-error.ts): LTP per PF spike, kernel-weighted LTD per CF spike. */
    rule: z.literal('cf_error'),
    name: z.string().min(1).optional(),
    projection: z.string().min(1),
    /** The climbing fibres: one neuron per target cell (the inferior olive). */
    teacher: z.string().min(1),
    ltp: finite.refine((x) => x >= 0, 'expected ltp >= 0'),
    ltd: finite.refine((x) => x >= 0, 'expected ltd >= 0'),
    /** Time constant of the LTD eligibility kernel. */
    ltd_tau_ms: finite.refine((x) => x > 0, 'expected a time constant > 0 ms'),
    /** PF spikes older than ltd_delay_ms + window_ms before a CF spike do not count (default 5 ltd_tau_ms). */
    window_ms: finite.refine((x) => x >= 0, 'expected a window >= 0 ms').optional(),
    /** The kernel's delay: PF spikes less than this before a CF spike do not count, and the kernel peaks there (default 0). */
    ltd_delay_ms: finite.refine((x) => x >= 0, 'expected a delay >= 0 ms').optional(),
    w_min: finite.optional(),
    w_max: finite.optional(),
  }),
]);

const sourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('poisson'),
    rate_hz: finite.refine((r) => r >= 0, 'expected a rate >= 0 Hz'),
    start_ms: finite.refine((t) => t >= 0, 'expected a time >= 0 ms').optional(),
    stop_ms: finite.refine((t) => t >= 0, 'expected a time >= 0 ms').optional(),
  }),
  z.strictObject({
    kind: z.literal('spike_generator'),
    spike_times_ms: z.array(z.array(finite.refine((t) => t >= 0, 'expected spike times >= 0 ms'))),
  }),
  z.strictObject({ kind: z.literal('external') }),
]);

/** Largest population: 50 million neurons (4 float64 state arrays of 50M are 1.6 GB). */
export const MAX_POPULATION_SIZE = 50_000_000;

export const populationSchema = z
  .strictObject({
    model: z.string().optional(),
    size: z.number().int().positive().max(MAX_POPULATION_SIZE),
    description: z.string().optional(),
    params: z.record(z.string(), finite).optional(),
    init: z.record(z.string(), distributionSchema).optional(),
    source: sourceSchema.optional(),
  })
  .refine((p) => (p.model === undefined) !== (p.source === undefined), 'expected exactly one of model (a neuron population) or source');

export const projectionSchema = z.strictObject({
  name: z.string().min(1).optional(),
  source: z.string().min(1),
  target: z.string().min(1),
  receptor: z.string().min(1),
  connectivity: connectivitySchema,
  weight: distributionSchema,
  delay_ms: distributionSchema,
  plastic: z.boolean().optional(),
});

export const circuitSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  references: z.array(z.string()).optional(),
  dt_ms: finite.refine((d) => d > 0, 'expected dt > 0 ms').optional(),
  populations: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'expected a name of letters, digits, _ and -'), populationSchema),
  projections: z.array(projectionSchema).default([]),
  plasticity: z.array(plasticitySchema).default([]),
  /** Free-form, documented settings a protocol reads (e.g. the SDM's address bits and radius). */
  sdm: z
    .strictObject({
      /**
       * kanerva / biological: threshold units, one synchronous volley per presentation, decoded at fixed latencies.
       * spiking: neuron dynamics; a presentation is a mossy burst, the granule code is the granule spike counts in a
       * window, and a read is the nuclear spikes in a window (the presentation fields below).
       */
      mode: z.enum(['kanerva', 'biological', 'spiking']),
      address_bits: z.number().int().positive(),
      value_bits: z.number().int().positive(),
      radius: z.number().int().nonnegative().optional(),
      target_active_fraction: finite.refine((f) => f > 0 && f < 1, 'expected a fraction in (0, 1)').optional(),
      mossy: z.string().min(1),
      granule: z.string().min(1),
      purkinje: z.string().min(1),
      olive: z.string().min(1),
      dcn: z.string().min(1),
      /** Biological mode: the Golgi -> granule projection whose (constant) weight is calibrated to the target. */
      golgi_projection: z.string().min(1).optional(),
      plasticity: z.string().min(1),
      /** Threshold-unit modes: ticks from a presentation to the nuclear spikes that answer it. */
      read_latency_ticks: z.number().int().positive().optional(),
      /** Threshold-unit modes: ticks from a mossy burst to the granule spikes it causes (2 with direct excitation). */
      granule_latency_ticks: z.number().int().positive().default(2),
      /** Threshold-unit modes: ticks from a write's mossy burst to its climbing-fibre spikes. */
      cf_latency_ticks: z.number().int().positive().optional(),
      /** Spiking mode: each active mossy fibre fires `spikes` spikes `interval_ms` apart from the presentation's onset. */
      burst: z.strictObject({ spikes: z.number().int().positive(), interval_ms: finite.refine((x) => x > 0, 'expected an interval > 0 ms') }).optional(),
      /** Spiking mode: granule spikes in [from, to) ms after the onset make the presentation's granule code. */
      granule_window_ms: z.tuple([finite, finite]).optional(),
      /** Spiking mode: a nuclear spike in [from, to) ms after a read's onset is a recalled 1. */
      read_window_ms: z.tuple([finite, finite]).optional(),
      /** Spiking mode: the teaching spike of a write (to `olive`) this many ms after the onset. */
      cf_delay_ms: finite.refine((x) => x >= 0, 'expected a delay >= 0 ms').optional(),
      /**
       * Spiking mode: spontaneous activity before the first presentation (its rates are reported). A spontaneous drive
       * meant for the rest only (the olive's) must stop at this time: its source's stop_ms.
       */
      rest_ms: finite.refine((x) => x >= 0, 'expected a time >= 0 ms').optional(),
      /**
       * Spiking mode: the lumped feedforward inhibition (granule -> Purkinje, constant weight) whose conductance is
       * calibrated at build time to balance the read (src/circuits/calibrate.ts); the weight in the file is replaced.
       */
      mli_projection: z.string().min(1).optional(),
      /** Spiking mode: the olive's neuron population (complex spikes), for the rates at rest. */
      climbing: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Roles of the populations in delay eyeblink conditioning (the `eyeblink` protocol): the CS arrives on `mossy` and
   * the US on `us` (both `external` sources the protocol drives); the conditioned response is read from `dcn`, the
   * Purkinje pause from `purkinje` and the complex spikes from `olive`; `granule` (optional) lists the granule
   * populations whose code is decoded for elapsed time.
   */
  eyeblink: z
    .strictObject({
      mossy: z.string().min(1),
      us: z.string().min(1),
      purkinje: z.string().min(1),
      dcn: z.string().min(1),
      olive: z.string().min(1),
      granule: z.array(z.string().min(1)).default([]),
    })
    .optional(),
});

export type CircuitFile = z.infer<typeof circuitSchema>;
