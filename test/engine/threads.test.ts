/**
 * Engine threads (src/engine/threads.ts, partition.ts): the same seed gives the same spikes, state, synaptic events
 * and plastic weights, bit for bit, with 1, 2 or 3 threads, on networks that exercise every neuron model, per-synapse
 * delays and weights, external drive, quiet populations and climbing-fibre plasticity; and the shared phases did run.
 * The row splits are checked against their definition (the first synapse of each thread's target slice).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { calibrateBalance } from '../../src/circuits/calibrate.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { rowSplits, sliceBounds } from '../../src/engine/partition.ts';
import { TeamPolicy } from '../../src/engine/threads.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork, type Network, type NetworkSpec } from '../../src/network/network.ts';
import { sdmProtocolSchema } from '../../src/scenarios/schema.ts';
import { startSdmProtocol } from '../../src/scenarios/protocols/sdm.ts';

/** Every model, split populations (>= 256 neurons) and an unsplit one, per-synapse delays and weights, drive steps. */
const MIXED: NetworkSpec = {
  name: 'mixed',
  origin: 'test',
  populations: [
    { name: 'drive', size: 300, source: { kind: 'poisson', rate_hz: 40, stop_ms: 150 } },
    { name: 'exc', size: 2400, model: 'lif', params: { v_rest: -65, v_th: -50, v_reset: -65, tau_m: 20, t_ref: 2 } },
    { name: 'inh', size: 1100, model: 'lif_cond', params: {} },
    { name: 'ad', size: 1030, model: 'adex', params: { tau_e: 3 } },
    { name: 'thr', size: 1500, model: 'threshold_unit', params: { theta: 2 } },
    { name: 'tiny', size: 40, model: 'lif', params: { v_rest: -65, v_th: -50, v_reset: -65 } },
  ],
  projections: [
    { source: 'drive', target: 'exc', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 30 }, weight: { uniform: { low: 3, high: 6 } }, delay_ms: 1 },
    { source: 'exc', target: 'exc', receptor: 'exc', connectivity: { rule: 'fixed_outdegree', outdegree: 60 }, weight: 0.9, delay_ms: { uniform: { low: 0.5, high: 3 } } },
    { source: 'exc', target: 'inh', receptor: 'exc', connectivity: { rule: 'pairwise_bernoulli', p: 0.02 }, weight: { uniform: { low: 1, high: 6 } }, delay_ms: 0.8 },
    { source: 'inh', target: 'exc', receptor: 'inh', connectivity: { rule: 'fixed_indegree', indegree: 20 }, weight: -0.4, delay_ms: { uniform: { low: 0.5, high: 2 } } },
    { source: 'drive', target: 'inh', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 25 }, weight: 3, delay_ms: 0.5 },
    { source: 'exc', target: 'ad', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 40 }, weight: { uniform: { low: 200, high: 600 } }, delay_ms: 1 },
    { source: 'exc', target: 'thr', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 12 }, weight: 1, delay_ms: 0.3 },
    { source: 'thr', target: 'tiny', receptor: 'exc', connectivity: { rule: 'all_to_all' }, weight: 0.5, delay_ms: 1 },
    { source: 'exc', target: 'tiny', receptor: 'inh', connectivity: { rule: 'fixed_indegree', indegree: 5 }, weight: -0.5, delay_ms: 2 },
  ],
};

interface Outcome {
  readonly spikes: number[];
  readonly state: Record<string, number[]>;
  readonly events: number;
  readonly shared: { update: number; deliver: number };
  readonly weights?: number[];
}

function stateOf(net: Network): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const p of net.populations) for (const [k, a] of Object.entries(p.state)) out[`${p.name}.${k}`] = Array.from(a);
  return out;
}

async function runMixed(threads: number, precision: 32 | 64 = 64): Promise<Outcome> {
  const net = buildNetwork(MIXED, 3, 0.1);
  const sim = await Simulator.create(net, { seed: 3, backend: new CpuBackend(true, undefined, precision), threads, share: 'always' });
  const spikes: number[] = [];
  sim.onSpikes((t, pop, idx) => {
    for (const i of idx) spikes.push(t, pop.index, i);
  });
  sim.addCurrentStep({ population: 'exc', neurons: [0, 5, 1300, 2399], startTick: 200, stopTick: 900, amplitude: 20 });
  sim.addCurrentStep({ population: 'inh', neurons: null, startTick: 500, stopTick: 700, amplitude: 150 });
  await sim.run(3000); // 300 ms: bursts while the drive lasts (150 ms), then the network falls quiet
  sim.dispose();
  return { spikes, state: stateOf(net), events: sim.synapticEvents, shared: { ...sim.sharedTicks } };
}

describe('engine threads', () => {
  it('row splits start each thread at the first synapse of its target slice', () => {
    const rowPtr = Uint32Array.from([0, 4, 4, 9, 10]);
    const col = Uint32Array.from([0, 3, 7, 9, 1, 2, 5, 6, 8, 9]);
    const csr = { nPre: 4, rowPtr, col, weights: null, weight: 1, delays: null, delay: 1 };
    const bounds = Uint32Array.from([0, 3, 6, 10]);
    // Interior slice bounds fall on multiples of 32 (a word of an input-mark bitmap belongs to one thread).
    expect(Array.from(sliceBounds(200, 3, 1))).toEqual([0, 64, 128, 200]);
    const splits = rowSplits(csr, bounds);
    for (let i = 0; i < 4; i++)
      for (let t = 0; t <= 3; t++) {
        // From the definition: rowPtr[i] + the number of synapses of row i whose target is below bounds[t].
        let k = rowPtr[i]!;
        if (t === 3) k = rowPtr[i + 1]!;
        else for (let s = rowPtr[i]!; s < rowPtr[i + 1]!; s++) if (col[s]! < bounds[t]!) k = s + 1;
        expect(splits[i * 4 + t], `row ${i} thread ${t}`).toBe(Math.max(k, rowPtr[i]!));
      }
    expect(Array.from(sliceBounds(200, 2))).toEqual([0, 200, 200]);
    expect(() => rowSplits({ ...csr, col: Uint32Array.from([3, 0, 7, 9, 1, 2, 5, 6, 8, 9]) }, bounds)).toThrow(/not sorted/);
  });

  it('the sharing policy follows the measured cost per tick, and backs off from a mode that keeps losing', () => {
    // A fake clock: each tick costs what the current phase of the test says for the mode the policy chose.
    let clock = 0;
    const policy = new TeamPolicy(() => clock, 10, 4, 4, 64);
    const run = (ticks: number, alone: number, shared: number) => {
      let sharedTicks = 0;
      for (let k = 0; k < ticks; k++) {
        const s = policy.next();
        if (s) sharedTicks++;
        clock += s ? shared : alone;
        policy.done(1);
      }
      return sharedTicks / ticks;
    };
    // Threads pay: nearly every tick shared (a window alone every 4 windows at most).
    expect(run(10000, 1, 0.5)).toBeGreaterThan(0.75);
    expect(policy.costs.shared).toBeCloseTo(0.5, 6);
    // The machine gets busy and sharing costs 20 times more: the policy leaves it, and tries it ever more rarely.
    run(2000, 1, 20);
    expect(run(20000, 1, 20)).toBeLessThan(0.03);
    // The machine is free again: within a few hundred windows the policy shares again.
    run(30000, 1, 0.5);
    expect(run(10000, 1, 0.5)).toBeGreaterThan(0.75);
  });

  it('the sharing policy keeps ticks of a few microseconds on one thread, even when sharing measures a little faster', () => {
    let clock = 0;
    const policy = new TeamPolicy(() => clock, 1, 4, 4, 64, 0.02);
    let shared = 0;
    for (let k = 0; k < 200000; k++) {
      const s = policy.next();
      if (s) shared++;
      clock += s ? 0.008 : 0.01;
      policy.done(1);
    }
    expect(shared / 200000).toBeLessThan(0.05);
  });

  it('every model, delays, drive and quiet spells: 1, 2 and 3 threads agree bit for bit', async () => {
    const one = await runMixed(1);
    expect(one.shared).toEqual({ update: 0, deliver: 0 });
    // The network does something in every population, and falls quiet after the drive stops.
    const fired = new Set<number>();
    for (let q = 1; q < one.spikes.length; q += 3) fired.add(one.spikes[q]!);
    expect([...fired].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(one.spikes[one.spikes.length - 3]).toBeLessThan(2500);
    for (const threads of [2, 3]) {
      const many = await runMixed(threads);
      expect(many.spikes.length, `${threads} threads`).toBe(one.spikes.length);
      expect(many.spikes).toEqual(one.spikes);
      expect(many.events).toBe(one.events);
      for (const [k, a] of Object.entries(one.state)) expect(Float64Array.from(many.state[k]!), k).toEqual(Float64Array.from(a));
      // Both shared phases ran (adex never reports rest, so every update is shared); light deliveries stay here.
      expect(many.shared.update).toBe(3000);
      expect(many.shared.deliver).toBeGreaterThan(10);
      expect(many.shared.deliver).toBeLessThan(2000);
    }
  }, 120_000);

  it('at precision 32 (float32 state and rings): 1 and 2 threads agree bit for bit', async () => {
    const one = await runMixed(1, 32);
    const two = await runMixed(2, 32);
    expect(one.spikes.length).toBeGreaterThan(10000);
    expect(two.spikes).toEqual(one.spikes);
    expect(two.events).toBe(one.events);
    for (const [k, a] of Object.entries(one.state)) expect(Float64Array.from(two.state[k]!), k).toEqual(Float64Array.from(a));
    expect(two.shared.update).toBe(3000);
  }, 120_000);

  it('climbing-fibre plasticity and the spiking SDM read: 1 and 2 threads agree bit for bit', async () => {
    const loaded = loadCircuit('cerebellum-lif');
    const run = async (threads: number) => {
      const seed = 6;
      const net = buildNetwork(loaded.spec, seed, 0.1);
      calibrateBalance(net, loaded.circuit, loaded.file);
      const sim = await Simulator.create(net, { seed, backend: new CpuBackend(), threads, share: 'always' });
      const proto = sdmProtocolSchema.parse({ kind: 'sdm', task: 'recall', patterns: 3, noise_bits: [16], cues_per_level: 1, spacing_ms: 80 });
      const protocol = startSdmProtocol(proto, sim, net, loaded.circuit, seed, 'test');
      let h = 0;
      let n = 0;
      sim.onSpikes((t, pop, idx) => {
        for (const i of idx) {
          h = (h * 1000003 + t * 131 + pop.index * 17 + i) % 2147483647;
          n++;
        }
      });
      await sim.run(protocol.ticks);
      const { results } = protocol.finish();
      sim.dispose();
      return { h, n, events: sim.synapticEvents, weights: Array.from(net.projection('pf-pc')!.csr.weights!), results, shared: sim.sharedTicks.update };
    };
    const one = await run(1);
    const two = await run(2);
    expect(two.shared).toBeGreaterThan(0);
    expect(two.n).toBe(one.n);
    expect(two.h).toBe(one.h);
    expect(two.events).toBe(one.events);
    expect(Float32Array.from(two.weights)).toEqual(Float32Array.from(one.weights));
    expect(two.results).toEqual(one.results);
    // The writes changed the weights (so the comparison above compares learning, not the initial values).
    expect(new Set(one.weights).size).toBeGreaterThan(1);
  }, 180_000);
});
