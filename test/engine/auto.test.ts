/**
 * `--backend auto` (src/engine/auto.ts): every candidate is measured on the network itself, the fastest measured one
 * is taken, and the trials leave no trace: the run that follows gives exactly the spikes of a run on a freshly built
 * network with the same backend. Nothing here depends on which backend is faster on this machine.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { GpuJsBackend, probeGpuDevice } from '../../src/backends/gpujs/index.ts';
import { chooseBackend } from '../../src/engine/auto.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import type { Backend } from '../../src/kernels/index.ts';
import { buildNetwork, type Network } from '../../src/network/network.ts';
import { RESIDENT_NET } from '../fixtures/resident-net.ts';

async function spikes(net: Network, backend: Backend): Promise<number[]> {
  const sim = await Simulator.create(net, { seed: 4, backend });
  const out: number[] = [];
  sim.onSpikes((t, pop, idx) => {
    for (const i of idx) out.push(t, pop.index, i);
  });
  sim.addCurrentStep({ population: 'exc', neurons: null, startTick: 0, stopTick: 300, amplitude: 3 });
  await sim.run(500);
  sim.dispose();
  return out;
}

describe('--backend auto', () => {
  it('measures cpu and gpujs on the network, takes the faster, and leaves the network as it was', async () => {
    const net = buildNetwork(RESIDENT_NET, 4, 0.1);
    const choice = await chooseBackend(net, { seed: 4, precision: 64, threads: 1 });
    const device = await probeGpuDevice();
    expect(choice.trials.map((t) => t.name)).toEqual(['cpu', `gpujs/${device}`]);
    for (const t of choice.trials) {
      expect(t.ticks).toBeGreaterThan(0);
      expect(t.us_per_tick).toBeGreaterThan(0);
    }
    const fastest = choice.trials.reduce((a, b) => (b.us_per_tick < a.us_per_tick ? b : a));
    expect(`${choice.backend.name}/${choice.backend.device}`).toBe(fastest.name === 'cpu' ? 'cpu/cpu' : fastest.name);
    expect(choice.reason).toContain(`chose ${fastest.name}`);
    // The device path where a GPU answers; on WebAssembly the per-population kernels (GpuJsOptions.resident).
    expect(choice.trials[1]!.implementation).toBe(device === 'webgpu' ? 'gpujs/webgpu/float32/resident' : `gpujs/${device}/float32`);

    const after = await spikes(net, choice.backend);
    const fresh = await spikes(buildNetwork(RESIDENT_NET, 4, 0.1), fastest.name === 'cpu' ? new CpuBackend() : await GpuJsBackend.create(device));
    expect(after.length).toBeGreaterThan(30);
    expect(after).toEqual(fresh);
  });
});
