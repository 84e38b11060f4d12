/**
 * The reference backend: every model's own step function on float64 typed arrays, with specialised kernels where a
 * model has them (LIF: WebAssembly SIMD when the host has it, else compiled JavaScript; both bit-identical to the
 * reference step).
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
  readonly precision = 64 as const;
  /** WebAssembly kernels read the engine's arena (one linear memory for every population's arrays). */
  readonly arena: boolean;
  /**
   * @param compiled use the specialised kernels where a model has one; the reference step otherwise.
   * @param wasmSimd among those, the WebAssembly SIMD ones (default: where the host runs WebAssembly SIMD); false
   *   keeps the compiled JavaScript loops.
   */
  constructor(
    readonly compiled = true,
    readonly wasmSimd = compiled && WASM_SIMD,
  ) {
    this.arena = compiled && wasmSimd;
  }
  register(registry: KernelRegistry): void {
    for (const name of Object.keys(NEURON_MODELS)) registry.register(updateKernelName(name), cpuKernel);
    if (this.compiled) registry.register(updateKernelName('lif'), this.wasmSimd ? wasmLifKernel : compiledLifKernel);
  }
  dispose(): void {}
  toString(): string {
    return `<Backend cpu float64${this.compiled ? (this.wasmSimd ? ' wasm-simd' : ' compiled') : ' reference'}>`;
  }
}
