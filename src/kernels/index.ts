/**
 * The contract between the engine and the backends (tfjs's kernel registry, per simulator instance).
 *
 * A population update kernel is named `<model>.update` and implements the model's `step` (deliver -> integrate ->
 * threshold -> reset for one tick) on some device. Backends register the kernels they have on a registry that
 * belongs to one simulator; nothing is registered globally on import. A model with no kernel on the chosen backend
 * runs on the cpu reference kernel, and the run summary says so.
 */
import type { AnyNeuronModel } from '../models/neurons/registry.ts';
import type { StateArrays, StepIO } from '../models/neurons/types.ts';

/** A WebAssembly.Memory as far as kernels need to know it (the project compiles without the DOM types). */
export interface LinearMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}

export interface PopulationKernelArgs {
  readonly model: AnyNeuronModel;
  readonly params: Readonly<Record<string, number>>;
  readonly derived: unknown;
  readonly n: number;
  /** Host state, already initialised; the kernel may keep its own copy on a device. */
  readonly state: StateArrays;
  /**
   * When the backend asked for an arena (Backend.arena): the linear memory that holds this population's state,
   * rings, spike and drive arrays (StepIO's arrays are views on its buffer).
   */
  readonly memory?: LinearMemory;
  /** Elements from one ring slot to the next (default n; a thread's slice of a population: the population's size). */
  readonly slotStride?: number;
}

export interface PopulationKernel {
  /** Which implementation runs, e.g. 'cpu/float64' or 'gpujs/webasm/float32'. */
  readonly implementation: string;
  /** True when `step` returns a Promise (WebGPU readback is asynchronous). */
  readonly async: boolean;
  /**
   * True when the kernel skips neurons at rest and needs to know which have input: the engine then keeps an
   * input-mark bitmap per ring slot (StepIO.marks) that delivery fills.
   */
  readonly inputMarks?: boolean;
  /** Ticks in which only the active neurons (and those with input) were stepped, for kernels that skip rest. */
  readonly sparseTicks?: number;
  step(io: StepIO): number | Promise<number>;
  /** Copies device state back into the host arrays of `io.state`. */
  download(): void | Promise<void>;
  dispose(): void;
}

export type PopulationKernelFactory = (args: PopulationKernelArgs) => PopulationKernel | Promise<PopulationKernel>;

/** 32-bit words of an input-mark bitmap (StepIO.marks) per ring slot of a population of n neurons. */
export function markWords(n: number): number {
  return (n + 31) >>> 5;
}

export function updateKernelName(modelName: string): string {
  return `${modelName}.update`;
}

export class KernelRegistry {
  private readonly kernels = new Map<string, PopulationKernelFactory>();
  register(name: string, factory: PopulationKernelFactory): void {
    this.kernels.set(name, factory);
  }
  get(name: string): PopulationKernelFactory | undefined {
    return this.kernels.get(name);
  }
  names(): string[] {
    return [...this.kernels.keys()].sort();
  }
}

/** Synapses of one projection as delivery and the device-resident path read them (network/connectivity.ts Csr). */
export interface CsrView {
  readonly rowPtr: Uint32Array;
  readonly col: Uint32Array;
  readonly weights: Float32Array | null;
  readonly weight: number;
  readonly delays: Uint16Array | null;
  readonly delay: number;
}

/** A network a backend may run whole on its device (Backend.resident): neuron populations and static projections. */
export interface ResidentPlan {
  readonly populations: ReadonlyArray<{
    readonly model: AnyNeuronModel;
    readonly params: Readonly<Record<string, number>>;
    readonly derived: unknown;
    readonly n: number;
    /** Host state: the initial values, and where `download` writes. */
    readonly state: StateArrays;
  }>;
  /** Population indices as in `populations`; receptor: the index in the target model's receptors. */
  readonly projections: ReadonlyArray<{ readonly source: number; readonly target: number; readonly receptor: number; readonly csr: CsrView }>;
}

/** Spikes of a batch of ticks: counts[t * P + p] of population p in tick t, their indices in that order, ascending. */
export interface ResidentBatch {
  readonly ticks: number;
  readonly counts: Int32Array;
  readonly spikes: Uint32Array;
}

/** A whole network stepped on a device (see backends/gpujs/resident.ts). */
export interface ResidentRunner {
  readonly implementation: string;
  /** Most ticks one `advance` may take. */
  readonly batchTicks: number;
  /** External drive of a population from the next tick on (null: none). */
  setDrive(population: number, drive: ArrayLike<number> | null): Promise<void>;
  /** Simulates `ticks` ticks and resolves with their spikes (spike ticks k + 1 .. k + ticks). */
  advance(ticks: number): Promise<ResidentBatch>;
  /** Copies the device state into the plan's host arrays. */
  download(): Promise<void>;
  dispose(): void;
}

export type BackendName = 'cpu' | 'gpujs';

export interface Backend {
  readonly name: BackendName;
  /** The device that computes: 'cpu' for the reference, 'webgpu' | 'webasm' | 'cpu' under gpu.js. */
  readonly device: string;
  /** Floating-point precision in bits; parity tests take their tolerances from it. */
  readonly precision: 32 | 64;
  /** Whether its kernels want every population's arrays in one linear memory (WebAssembly kernels). */
  readonly arena?: boolean;
  register(registry: KernelRegistry): void;
  /**
   * Optional: runs a whole network on the backend's device (state, delivery, threshold, spike compaction there), or
   * resolves null when it cannot (a model without a device kernel). The engine asks only for networks without
   * spike sources and plasticity.
   */
  resident?(plan: ResidentPlan): Promise<ResidentRunner | null>;
  dispose(): void;
}
