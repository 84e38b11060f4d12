/** The reference backend: every model's own step function on float64 typed arrays. */
import type { Backend, KernelRegistry, PopulationKernel, PopulationKernelArgs } from '../../kernels/index.ts';
import { updateKernelName } from '../../kernels/index.ts';
import { NEURON_MODELS } from '../../models/neurons/registry.ts';
import type { StepIO } from '../../models/neurons/types.ts';
import { compiledLifKernel } from './jit.ts';

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
  /** @param compiled use the specialised (code-generated) kernels where a model has one; the reference otherwise. */
  constructor(readonly compiled = true) {}
  register(registry: KernelRegistry): void {
    for (const name of Object.keys(NEURON_MODELS)) registry.register(updateKernelName(name), cpuKernel);
    if (this.compiled) registry.register(updateKernelName('lif'), compiledLifKernel);
  }
  dispose(): void {}
  toString(): string {
    return `<Backend cpu float64${this.compiled ? ' compiled' : ' reference'}>`;
  }
}
