/**
 * The gpu.js backend. It picks the best device gpu.js has here (webgpu when an adapter answers, else webasm, else
 * gpu.js's cpu), keeps each population's state in the kernel's own float32 output between ticks (a device-resident
 * buffer on webgpu via `pipeline: true`; a wasm-side array on webasm), uploads only the input delivered this tick,
 * and reads back the spike flags. It says which device ran.
 *
 * Measured on a CPU-only machine (shared/MEASUREMENTS.md, bench/results): a per-tick gpu.js call is slower than the
 * cpu backend's typed-array loop, so `--backend auto` picks cpu unless a WebGPU adapter is present.
 */
import { GPU } from 'gpu.js';
import type { Backend, KernelRegistry, PopulationKernel, PopulationKernelArgs, ResidentPlan, ResidentRunner } from '../../kernels/index.ts';
import { updateKernelName } from '../../kernels/index.ts';
import type { CobaDerived, CobaParams } from '../../models/neurons/coba.ts';
import type { LifDerived, LifParams } from '../../models/neurons/lif.ts';
import type { StepIO } from '../../models/neurons/types.ts';
import { cobaUpdateKernel, lifUpdateKernel, spikeRowKernel, thresholdUpdateKernel } from './kernels.ts';
import type { ThresholdParams } from '../../models/neurons/threshold.ts';
import { DEFAULT_BATCH_TICKS, ResidentNetwork } from './resident.ts';

export type GpuDevice = 'webgpu' | 'webasm' | 'cpu';

/** Finds the best gpu.js device: an answering WebGPU adapter, else WebAssembly, else gpu.js's cpu mode. */
export async function probeGpuDevice(): Promise<GpuDevice> {
  try {
    if (await GPU.isWebGPUAvailable()) return 'webgpu';
  } catch {
    // no webgpu package binding or no adapter: fall through
  }
  return GPU.isWebAssemblySupported ? 'webasm' : 'cpu';
}

type KernelFn = (this: unknown, ...args: never[]) => number;

/** The constants a model's gpu.js kernel reads (`this.constants`), from its params and derived values. */
export function constantsFor(modelName: string, params: Readonly<Record<string, number>>, derived: unknown): Record<string, number> {
  if (modelName === 'threshold_unit') {
    const p = params as ThresholdParams;
    return { theta: p.theta, bias: p.bias, strict: p.strict };
  }
  if (modelName === 'lif') {
    const p = params as LifParams;
    const d = derived as LifDerived;
    return {
      vRest: p.v_rest,
      bias: p.i_bias,
      vTh: p.v_th,
      vReset: p.v_reset,
      decayM: d.decayM,
      decayE: d.decayE,
      decayI: d.decayI,
      pE: d.pE,
      pI: d.pI,
      refTicks: d.refTicks,
    };
  }
  const p = params as CobaParams;
  const d = derived as CobaDerived;
  return {
    gL: p.g_l,
    eL: p.e_l,
    eE: p.e_e,
    eI: p.e_i,
    bias: p.i_bias,
    vTh: p.v_th,
    vReset: p.v_reset,
    decayE: d.decayE,
    decayI: d.decayI,
    avgE: d.avgE,
    avgI: d.avgI,
    hOverC: d.hOverC,
    refTicks: d.refTicks,
  };
}

const KERNELS: Readonly<Record<string, KernelFn>> = {
  lif: lifUpdateKernel as unknown as KernelFn,
  lif_cond: cobaUpdateKernel as unknown as KernelFn,
  threshold_unit: thresholdUpdateKernel as unknown as KernelFn,
};

/** How each model's host state maps to the kernel's five rows (row 4 is always the spike flag). */
export const ROWS: Readonly<Record<string, readonly string[]>> = {
  lif: ['v', 'ge', 'gi', 'refr'],
  lif_cond: ['v', 'ge', 'gi', 'refr'],
  threshold_unit: ['v', 'input'],
};

class GpuPopulationKernel implements PopulationKernel {
  readonly implementation: string;
  readonly async: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly update: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly readSpikes: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private current: any;
  private readonly inE: Float32Array;
  private readonly inI: Float32Array;
  private readonly iext: Float32Array;
  private iextDirty = true;
  private readonly rows: readonly string[];
  private hadExt = false;

  constructor(
    gpu: GPU,
    private readonly device: GpuDevice,
    private readonly args: PopulationKernelArgs,
  ) {
    const { n, model, params, derived, state } = args;
    const fn = KERNELS[model.name]!;
    const resident = device === 'webgpu';
    this.async = resident;
    this.implementation = `gpujs/${device}/float32`;
    this.update = gpu.createKernel(fn, {
      output: [n, 5],
      constants: constantsFor(model.name, params, derived),
      precision: 'single',
      tactic: 'precision',
      pipeline: resident,
      immutable: resident,
    });
    this.readSpikes = resident ? gpu.createKernel(spikeRowKernel, { output: [n], precision: 'single' }) : null;
    this.inE = new Float32Array(n);
    this.inI = new Float32Array(n);
    this.iext = new Float32Array(n);
    // Five rows from the first call on, so the argument keeps one shape: the fifth (spike flags) is ignored as input.
    this.rows = ROWS[model.name]!;
    this.current = Array.from({ length: 5 }, (_, q) => (this.rows[q] ? Float32Array.from(state[this.rows[q]!]!) : new Float32Array(n)));
  }

  private stage(io: StepIO): void {
    const { n, rings, slotOffset, iExt } = io;
    const ringE = rings[0]!;
    const ringI = rings[1]!;
    const inE = this.inE;
    const inI = this.inI;
    if (io.slotHasInput) {
      for (let i = 0; i < n; i++) {
        const r = slotOffset + i;
        inE[i] = ringE[r]!;
        inI[i] = ringI[r]!;
        ringE[r] = 0;
        ringI[r] = 0;
      }
      this.iextDirty = true;
    } else if (this.iextDirty) {
      inE.fill(0);
      inI.fill(0);
      this.iextDirty = false;
    }
    if (iExt !== null) {
      for (let i = 0; i < n; i++) this.iext[i] = iExt[i]!;
      this.hadExt = true;
    } else if (this.hadExt) {
      this.iext.fill(0);
      this.hadExt = false;
    }
  }

  private collect(io: StepIO, flags: ArrayLike<number>): number {
    let count = 0;
    const spikes = io.spikes;
    for (let i = 0; i < io.n; i++) if (flags[i]! > 0.5) spikes[count++] = i;
    io.status[0] = 0;
    return count;
  }

  step(io: StepIO): number | Promise<number> {
    this.stage(io);
    if (this.async) return this.stepResident(io);
    const out = this.update(this.current, this.inE, this.inI, this.iext) as Float32Array[];
    this.current = out;
    return this.collect(io, out[4]!);
  }

  private async stepResident(io: StepIO): Promise<number> {
    const out = await this.update(this.current, this.inE, this.inI, this.iext);
    const previous = this.current;
    this.current = out;
    if (previous && typeof previous.delete === 'function') previous.delete();
    const flags = (await this.readSpikes(out)) as Float32Array;
    return this.collect(io, flags);
  }

  async download(): Promise<void> {
    const rows = (this.async ? await this.current.toArray() : this.current) as Float32Array[];
    const { state } = this.args;
    this.rows.forEach((name, q) => state[name]!.set(rows[q]!));
  }

  dispose(): void {
    this.update.destroy?.();
    this.readSpikes?.destroy?.();
  }
}

export interface GpuJsOptions {
  /**
   * Run networks without spike sources and plasticity whole on the device (resident.ts); false keeps the
   * per-population kernels, with delivery on the host. Default: on WebGPU only. On WebAssembly the resident path's
   * gather visits every synapse every tick and is about 7 times slower than the per-population kernels
   * (bench/results/gpujs-resident-2026-12-05.md), so there it runs only when asked for (tests do).
   */
  readonly resident?: boolean;
  /** Ticks between read-backs of the packed spikes on the resident path (default 32). */
  readonly batchTicks?: number;
}

export class GpuJsBackend implements Backend {
  readonly name = 'gpujs' as const;
  readonly precision = 32 as const;
  private readonly gpu: GPU;

  private constructor(
    readonly device: GpuDevice,
    private readonly options: GpuJsOptions,
  ) {
    this.gpu = new GPU({ mode: device });
  }

  /** Creates the backend on the best device available, or on the one asked for. */
  static async create(device?: GpuDevice, options: GpuJsOptions = {}): Promise<GpuJsBackend> {
    return new GpuJsBackend(device ?? (await probeGpuDevice()), options);
  }

  async resident(plan: ResidentPlan): Promise<ResidentRunner | null> {
    if (!(this.options.resident ?? this.device === 'webgpu')) return null;
    const models = plan.populations.map((p) => {
      const source = KERNELS[p.model.name];
      if (!source || p.model.receptors.length !== 2) return null;
      return { source, rows: ROWS[p.model.name]!, constants: constantsFor(p.model.name, p.params, p.derived) };
    });
    return ResidentNetwork.create(this.gpu, this.device, plan, models, this.options.batchTicks ?? DEFAULT_BATCH_TICKS);
  }

  register(registry: KernelRegistry): void {
    for (const name of Object.keys(KERNELS)) {
      registry.register(updateKernelName(name), (args: PopulationKernelArgs) => new GpuPopulationKernel(this.gpu, this.device, args));
    }
  }

  dispose(): void {
    this.gpu.destroy();
  }

  toString(): string {
    return `<Backend gpujs ${this.device} float32>`;
  }
}
