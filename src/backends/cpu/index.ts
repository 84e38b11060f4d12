/**
 * The reference backend: every model's own step function on float64 typed arrays, with specialised kernels where a
 * model has them (LIF: WebAssembly SIMD when the host has it, else compiled JavaScript; both bit-identical to the
 * reference step). At precision 32 every population's state and ring buffers are float32 (the engine allocates
 * them so): LIF runs the float32 SIMD kernel (every operation rounded to float32), the other models their own step
 * in float64 arithmetic on float32 storage.
 */
import type { Backend, KernelRegistry, PopulationKernel, PopulationKernelArgs } from '../../kernels/index.ts';
import { updateKernelName } from '../../kernels/index.ts';
import { NEURON_MODELS } from '../../models/neurons/registry.ts';
import type { StepIO } from '../../models/neurons/types.ts';
import { compiledLifKernel } from './jit.ts';
import { WASM_SIMD, wasmLifKernel } from './wasm-kernel.ts';

export function cpuKernel({ model, params, derived }: PopulationKernelArgs): PopulationKernel {
  return {
    implementation: 'cpu/float64',
    async: false,
    step: (io: StepIO) => model.step(io, params, derived),
    download: () => undefined,
    dispose: () => undefined,
  };
}

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly device = 'cpu';
  readonly precision: 32 | 64;
  /** WebAssembly kernels read the engine's arena (one linear memory for every population's arrays). */
  readonly arena: boolean;
  /**
   * @param compiled use the specialised kernels where a model has one; the reference step otherwise.
   * @param wasmSimd among those, the WebAssembly SIMD ones (default: where the host runs WebAssembly SIMD); false
   *   keeps the compiled JavaScript loops.
   * @param precision 64 (default) or 32 (float32 state and rings; needs the WebAssembly kernels).
   * @param skipRest let the WebAssembly LIF kernel step only the neurons away from rest or with input (default; the
   *   same results as stepping every neuron, which false does).
   */
  constructor(
    readonly compiled = true,
    readonly wasmSimd = compiled && WASM_SIMD,
    precision: 32 | 64 = 64,
    readonly skipRest = true,
  ) {
    if (precision === 32 && !(compiled && wasmSimd)) throw new RangeError('float32 on the cpu backend needs its WebAssembly SIMD kernels (compiled, with a host that runs WebAssembly SIMD)');
    this.precision = precision;
    this.arena = compiled && wasmSimd;
  }
  register(registry: KernelRegistry): void {
    for (const name of Object.keys(NEURON_MODELS)) registry.register(updateKernelName(name), cpuKernel);
    if (this.compiled) registry.register(updateKernelName('lif'), this.wasmSimd ? (args) => wasmLifKernel(args, this.skipRest) : compiledLifKernel);
  }
  dispose(): void {}
  toString(): string {
    return `<Backend cpu float${this.precision}${this.compiled ? (this.wasmSimd ? ' wasm-simd' : ' compiled') : ' reference'}>`;
  }
}
