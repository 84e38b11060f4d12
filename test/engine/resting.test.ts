/**
 * Resting neurons cost nothing (src/backends/cpu/wasm-kernel.ts RestingSet): a LIF population whose neurons are mostly
 * exactly at rest is stepped only where a neuron is away from rest or has input, and that gives exactly the full
 * update's spikes and state (the reference step, and the SIMD kernel stepping every neuron), in float64 and float32,
 * with 1 and 2 threads; the active-set path did run.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import type { Backend } from '../../src/kernels/index.ts';
import { buildNetwork, type NetworkSpec } from '../../src/network/network.ts';

/**
 * A sparse layer: 40 Poisson fibres (first 100 ms), each reaching 15 of 6000 cells, a weak recurrent inhibition, and
 * late volleys on 10 fibres after the layer has come back to rest.
 */
const SPARSE: NetworkSpec = {
  name: 'sparse',
  origin: 'test',
  populations: [
    { name: 'fibres', size: 40, source: { kind: 'poisson', rate_hz: 30, stop_ms: 100 } },
    { name: 'late', size: 10, source: { kind: 'spike_generator', spike_times_ms: [[700], [700.5], [701], [730], [730], [731], [732], [760], [761], [762]] } },
    { name: 'layer', size: 6000, model: 'lif', params: { v_rest: -65, v_th: -50, v_reset: -65, tau_m: 10, tau_e: 2, tau_i: 5, t_ref: 2 } },
  ],
  projections: [
    { source: 'fibres', target: 'layer', receptor: 'exc', connectivity: { rule: 'fixed_outdegree', outdegree: 15 }, weight: { uniform: { low: 60, high: 200 } }, delay_ms: 1 },
    { source: 'late', target: 'layer', receptor: 'exc', connectivity: { rule: 'fixed_outdegree', outdegree: 40 }, weight: 150, delay_ms: 0.5 },
    { source: 'layer', target: 'layer', receptor: 'inh', connectivity: { rule: 'fixed_outdegree', outdegree: 6 }, weight: { uniform: { low: -3, high: -1 } }, delay_ms: { uniform: { low: 0.5, high: 2 } } },
  ],
};

async function run(backend: Backend, threads = 1) {
  const net = buildNetwork(SPARSE, 7, 0.1);
  const sim = await Simulator.create(net, { seed: 7, backend, threads, share: 'always' });
  const spikes: number[] = [];
  sim.onSpikes((t, pop, idx) => {
    if (pop.name === 'layer') for (const i of idx) spikes.push(t, i);
  });
  await sim.run(9000); // the drive (100 ms), rest, late volleys at 700-762 ms, rest
  sim.dispose();
  const state = Object.fromEntries(Object.entries(net.population('layer')!.state).map(([k, a]) => [k, Float64Array.from(a)]));
  return { spikes, state, sparse: sim.sparseTicks('layer'), kernel: sim.kernelImplementations.layer };
}

describe('resting neurons', () => {
  it('float64: stepping only active neurons equals the reference step and the full SIMD update, bit for bit', async () => {
    const reference = await run(new CpuBackend(false));
    const full = await run(new CpuBackend(true, true, 64, false));
    const sparse = await run(new CpuBackend(true, true, 64, true));
    // The layer fires in bursts and rests in between; the active-set path ran on most ticks.
    expect(reference.spikes.length / 2).toBeGreaterThan(500);
    expect(full.sparse).toBe(0);
    expect(sparse.sparse).toBeGreaterThan(100);
    for (const other of [full, sparse]) {
      expect(other.spikes).toEqual(reference.spikes);
      for (const k of Object.keys(reference.state)) expect(other.state[k], k).toEqual(reference.state[k]);
    }
  });

  it('float32 and two threads: the active-set path equals the full float32 update, bit for bit', async () => {
    const full = await run(new CpuBackend(true, true, 32, false));
    const sparse = await run(new CpuBackend(true, true, 32, true));
    const two = await run(new CpuBackend(true, true, 32, true), 2);
    const two64 = await run(new CpuBackend(true, true, 64, true), 2);
    const ref64 = await run(new CpuBackend(false));
    expect(sparse.kernel).toBe('cpu/float32/wasm-simd');
    expect(sparse.sparse).toBeGreaterThan(100);
    expect(full.spikes.length / 2).toBeGreaterThan(500);
    for (const other of [sparse, two]) {
      expect(other.spikes).toEqual(full.spikes);
      for (const k of Object.keys(full.state)) expect(other.state[k], k).toEqual(full.state[k]);
    }
    expect(two64.spikes).toEqual(ref64.spikes);
    for (const k of Object.keys(ref64.state)) expect(two64.state[k], k).toEqual(ref64.state[k]);
  }, 60_000);
});
