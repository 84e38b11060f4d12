/**
 * The contract every neuron model follows (NEST's four parts: Params, State, Derived, update).
 *
 * A model is data plus pure functions. It never imports the engine, a backend, rxjs or node:fs. The engine owns the
 * per-receptor input ring buffers and hands the model the slot for the current tick; the model's `step` delivers
 * that slot into its synaptic state, advances every neuron from t to t + dt, applies threshold and reset, and writes
 * the indices of the neurons that spiked (spike time t + dt).
 */

/** Description of one user-settable parameter: what circuit files may set, its unit, default and valid range. */
export interface ParamSpec {
  readonly unit: string;
  readonly default: number;
  readonly doc: string;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly gt?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/** Float arrays of a population: float64 (the reference), or float32 on a backend of that precision. */
export type FloatArray = Float64Array | Float32Array;

export type StateArrays = Record<string, FloatArray>;

/** Everything one population update touches. Arrays are indexed by neuron; ring slots by `slotOffset + neuron`. */
export interface StepIO {
  readonly n: number;
  readonly state: StateArrays;
  /** One ring buffer per receptor (length slots * n); the slot for this tick starts at `slotOffset`. */
  readonly rings: readonly FloatArray[];
  readonly slotOffset: number;
  /** Whether the current slot holds any input (lets a quiet population be skipped). */
  readonly slotHasInput: boolean;
  /** External current per neuron in the model's current unit (see docs/UNITS.md), or null when none is applied. */
  readonly iExt: FloatArray | null;
  /** Output: indices of neurons that spiked in this tick, in increasing order. */
  readonly spikes: Uint32Array;
  /**
   * Output: status[0] = 1 when every neuron ended the tick exactly at its resting fixed point with no drive, so that
   * stepping again without input changes nothing (the engine then skips the population until input arrives).
   */
  readonly status: Int32Array;
  /**
   * Input marks, for kernels that skip resting neurons (PopulationKernel.inputMarks): bit j of word
   * `marksOffset + (j >> 5)` is set when neuron j has input in this tick's ring slot. The kernel clears the slot's words.
   */
  readonly marks?: Int32Array | null;
  readonly marksOffset?: number;
}

export interface NeuronModel<P extends Record<string, number>, D> {
  /** Name used in circuit files (`model: lif`). */
  readonly name: string;
  readonly doc: string;
  readonly params: { readonly [K in keyof P]: ParamSpec };
  /** Input ports, in the order of `StepIO.rings` (e.g. ['exc', 'inh']). */
  readonly receptors: readonly string[];
  /** State variables, each a float array of length n in `StepIO.state`. `v` (mV) is always present. */
  readonly stateVars: readonly string[];
  /** Checks relations between parameters that single-parameter bounds cannot express; returns an error or null. */
  validate?(p: P): { field: keyof P & string; expected: string } | null;
  /**
   * The step needs the whole population at once (a population-level quantity, such as kwta_unit's k-th largest field):
   * the engine never cuts such a population into thread slices.
   */
  readonly wholePopulation?: boolean;
  /** Exact propagators and other constants computed once per run from params and dt. */
  derive(p: P, dtMs: number): D;
  /** Fills state for n neurons at rest; initial-value distributions are applied by the network layer afterwards. */
  init(n: number, p: P): StateArrays;
  /**
   * Advances every neuron by one tick. Returns the number of spikes written to `io.spikes`.
   * Must be a pure function of its arguments: no globals, no randomness.
   */
  step(io: StepIO, p: P, d: D): number;
}

/** Resolves user params over defaults. */
export function withDefaults<P extends Record<string, number>>(
  specs: { readonly [K in keyof P]: ParamSpec },
  given: Partial<Record<keyof P, number>>,
): P {
  const out: Record<string, number> = {};
  for (const k of Object.keys(specs)) out[k] = given[k as keyof P] ?? specs[k as keyof P].default;
  return out as P;
}

/** Freezes a model definition (defaults are frozen data). */
export function defineModel<P extends Record<string, number>, D>(m: NeuronModel<P, D>): Readonly<NeuronModel<P, D>> {
  return Object.freeze(m);
}
