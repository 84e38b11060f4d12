/**
 * Backend choice for `--backend cpu|gpujs|auto`. `auto` takes gpujs only when a WebGPU adapter answers: on webasm
 * or gpu.js's cpu mode a per-tick kernel call costs more than the cpu backend's typed-array loop (measured in
 * shared/MEASUREMENTS.md and bench/results), so cpu is the faster choice there.
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
