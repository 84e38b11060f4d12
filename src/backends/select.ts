/**
 * Backend choice for `--backend cpu|gpujs|auto`. The scenario runner resolves `auto` by measuring the candidates on
 * the network itself (engine/auto.ts); without a network at hand `createBackend('auto')` takes gpujs only when a
 * WebGPU adapter answers (on WebAssembly gpu.js runs 30-80 times slower than the cpu backend: bench/results).
 */
import type { Backend } from '../kernels/index.ts';
import { CpuBackend } from './cpu/index.ts';

export const BACKEND_CHOICES = ['cpu', 'gpujs', 'auto'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export async function createBackend(choice: BackendChoice, precision: 32 | 64 = 64): Promise<{ backend: Backend; reason: string }> {
  if (choice === 'cpu') return { backend: new CpuBackend(true, undefined, precision), reason: `asked for cpu${precision === 32 ? ', float32' : ''}` };
  // gpu.js (and its WebGPU binding) load only when asked for: 150 ms of start-up a cpu run does not pay.
  const { GpuJsBackend, probeGpuDevice } = await import('./gpujs/index.ts');
  const device = await probeGpuDevice();
  if (choice === 'gpujs') return { backend: await GpuJsBackend.create(device), reason: `asked for gpujs; best gpu.js device here: ${device}` };
  if (device === 'webgpu') return { backend: await GpuJsBackend.create(device), reason: 'auto: a WebGPU adapter answered' };
  return { backend: new CpuBackend(true, undefined, precision), reason: `auto: no WebGPU adapter (gpu.js would run on ${device}, slower than cpu per tick)` };
}
