/**
 * Shared test helpers: the backends every engine test runs on (tfjs's describeWithFlags idea), and small networks
 * built in code.
 */
import { CpuBackend } from '../src/backends/cpu/index.ts';
import { GpuJsBackend, probeGpuDevice } from '../src/backends/gpujs/index.ts';
import { Simulator } from '../src/engine/simulator.ts';
import type { Backend } from '../src/kernels/index.ts';
import { buildNetwork, type NetworkSpec } from '../src/network/network.ts';

export interface BackendCase {
  readonly name: string;
  /** Relative tolerance for state comparisons, from the backend's precision. */
  readonly rtol: number;
  readonly make: () => Promise<Backend>;
}

const device = await probeGpuDevice();

/**
 * Every backend available here: cpu reference, cpu compiled (JavaScript and WebAssembly), gpujs on the best device
 * (the device-resident path for networks without spike sources, and the per-population kernels).
 */
export const BACKENDS: readonly BackendCase[] = [
  { name: 'cpu (reference step)', rtol: 1e-12, make: async () => new CpuBackend(false) },
  { name: 'cpu (compiled JavaScript)', rtol: 1e-12, make: async () => new CpuBackend(true, false) },
  { name: 'cpu (WebAssembly SIMD)', rtol: 1e-12, make: async () => new CpuBackend(true, true) },
  { name: 'cpu (float32, WebAssembly SIMD)', rtol: 2e-5, make: async () => new CpuBackend(true, true, 32) },
  { name: `gpujs (${device}, whole network on the device where it can)`, rtol: 2e-5, make: async () => GpuJsBackend.create(device, { resident: true }) },
  { name: `gpujs (${device}, per-population kernels)`, rtol: 2e-5, make: async () => GpuJsBackend.create(device, { resident: false }) },
];
console.info(`[backends] running engine tests on: ${BACKENDS.map((b) => b.name).join(', ')}${device === 'webgpu' ? '' : ' (no WebGPU adapter here: gpujs runs on ' + device + ')'}`);

export async function simulate(spec: Omit<NetworkSpec, 'origin'>, backend: Backend, seed = 1, dtMs = 0.1): Promise<Simulator> {
  const net = buildNetwork({ origin: 'test', ...spec }, seed, dtMs);
  return Simulator.create(net, { seed, backend });
}

/** Collects spikes per population name as arrays of [tick, neuron]. */
export function collectSpikes(sim: Simulator): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  sim.onSpikes((tick, pop, idx) => {
    const arr = out.get(pop.name) ?? [];
    for (const i of idx) arr.push([tick, i]);
    out.set(pop.name, arr);
  });
  return out;
}
