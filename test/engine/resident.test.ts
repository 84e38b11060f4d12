/**
 * The device-resident path (src/backends/gpujs/resident.ts; engine/simulator.ts runResident): a whole network stepped
 * on the gpu.js device, delivery as a gather over incoming synapses, spikes compacted to bits and read back in
 * batches. Here gpu.js runs on WebAssembly (no GPU on this machine); the shader translations of the same kernels run
 * in headless Chromium (test/backends/resident-browser.test.ts).
 *
 * References: the cpu backend at precision 32 (float32 state and rings, the model's formula in float32), spike for
 * spike, on a network with every model the device has, per-synapse delays and weights, several groups per receptor
 * and drive steps that start and stop mid-run; the ELL layout against the CSR it comes from, by definition.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { GpuJsBackend } from '../../src/backends/gpujs/index.ts';
import { ellGroups } from '../../src/backends/gpujs/resident.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import type { Backend, ResidentPlan } from '../../src/kernels/index.ts';
import { buildNetwork, type NetworkSpec } from '../../src/network/network.ts';
import { RESIDENT_NET } from '../fixtures/resident-net.ts';

interface Run {
  readonly spikes: number[];
  readonly events: number;
  readonly kernels: Record<string, string>;
  readonly state: Record<string, Float64Array>;
  readonly v: number[][];
}

async function run(backend: Backend, ticks: number, watch = false): Promise<Run> {
  const net = buildNetwork(RESIDENT_NET, 4, 0.1);
  const sim = await Simulator.create(net, { seed: 4, backend });
  const spikes: number[] = [];
  sim.onSpikes((t, pop, idx) => {
    for (const i of idx) spikes.push(t, pop.index, i);
  });
  sim.addCurrentStep({ population: 'exc', neurons: [1, 2, 3, 50, 399], startTick: 40, stopTick: 600, amplitude: 12 });
  sim.addCurrentStep({ population: 'cond', neurons: null, startTick: 150, stopTick: 420, amplitude: 160 });
  const v: number[][] = [];
  // A tick listener reads state after every tick (the resident path then runs one tick per batch and downloads).
  if (watch) sim.onTickEnd(() => v.push([0, 7, 99].map((i) => net.population('exc')!.state.v![i]!)));
  await sim.run(ticks);
  await sim.syncState();
  const state: Record<string, Float64Array> = {};
  for (const p of net.populations) for (const [k, a] of Object.entries(p.state)) state[`${p.name}.${k}`] = Float64Array.from(a);
  sim.dispose();
  return { spikes, events: sim.synapticEvents, kernels: sim.kernelImplementations, state, v };
}

describe('device-resident network (gpu.js on WebAssembly here)', () => {
  it('gives the float32 cpu backend spikes, spike for spike, and its state within float32 rounding', async () => {
    const ticks = 1000;
    const cpu = await run(new CpuBackend(true, true, 32), ticks);
    const dev = await run(await GpuJsBackend.create('webasm', { resident: true, batchTicks: 32 }), ticks);
    expect(dev.kernels.exc).toBe('gpujs/webasm/float32/resident');
    expect(cpu.spikes.length / 3).toBeGreaterThan(500);
    // Every population spiked, so every kernel and group took part.
    for (let p = 0; p < 4; p++) expect(cpu.spikes.filter((x, i) => i % 3 === 1 && x === p).length).toBeGreaterThan(5);
    expect(dev.spikes).toEqual(cpu.spikes);
    expect(dev.events).toBe(cpu.events);
    for (const [k, a] of Object.entries(cpu.state)) {
      const b = dev.state[k]!;
      for (let i = 0; i < a.length; i++) expect(Math.abs(b[i]! - a[i]!), `${k}[${i}]`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(a[i]!)));
    }
  });

  it('gives the same spikes and state whatever the batch (1, 7 or 32 ticks), and tick listeners see each tick', async () => {
    const a = await run(await GpuJsBackend.create('webasm', { resident: true, batchTicks: 32 }), 400);
    const b = await run(await GpuJsBackend.create('webasm', { resident: true, batchTicks: 7 }), 400);
    const c = await run(await GpuJsBackend.create('webasm', { resident: true, batchTicks: 32 }), 400, true);
    const cpu = await run(new CpuBackend(true, true, 32), 400, true);
    expect(b.spikes).toEqual(a.spikes);
    expect(c.spikes).toEqual(a.spikes);
    expect(b.state).toEqual(a.state);
    expect(c.v.length).toBe(400);
    for (let t = 0; t < 400; t++) for (let q = 0; q < 3; q++) expect(Math.abs(c.v[t]![q]! - cpu.v[t]![q]!)).toBeLessThan(1e-4);
  });

  it('refuses an event scheduled inside a batch the device has already run', async () => {
    const net = buildNetwork(RESIDENT_NET, 4, 0.1);
    const sim = await Simulator.create(net, { seed: 4, backend: await GpuJsBackend.create('webasm', { resident: true, batchTicks: 32 }) });
    let error: unknown = null;
    sim.onSpikes((t) => {
      if (t === 5 && error === null)
        try {
          sim.at(10, () => undefined);
        } catch (e) {
          error = e;
        }
    });
    sim.addCurrentStep({ population: 'exc', neurons: null, startTick: 0, stopTick: 50, amplitude: 20 });
    await sim.run(40);
    sim.dispose();
    expect(String(error)).toMatch(/already simulated up to tick 32/);
  });

  it('is not used for networks with spike sources or plasticity, nor when asked not to, nor by default without WebGPU', async () => {
    const withSource: NetworkSpec = {
      ...RESIDENT_NET,
      populations: [...RESIDENT_NET.populations, { name: 'p', size: 10, source: { kind: 'poisson', rate_hz: 10 } }],
    };
    const s1 = await Simulator.create(buildNetwork(withSource, 1, 0.1), { seed: 1, backend: await GpuJsBackend.create('webasm', { resident: true }) });
    const s2 = await Simulator.create(buildNetwork(RESIDENT_NET, 1, 0.1), { seed: 1, backend: await GpuJsBackend.create('webasm', { resident: false }) });
    // By default only on WebGPU: on WebAssembly the gather is slower than host delivery (GpuJsOptions.resident).
    const s3 = await Simulator.create(buildNetwork(RESIDENT_NET, 1, 0.1), { seed: 1, backend: await GpuJsBackend.create('webasm') });
    expect(s1.kernelImplementations.exc).toBe('gpujs/webasm/float32');
    expect(s2.kernelImplementations.exc).toBe('gpujs/webasm/float32');
    expect(s3.kernelImplementations.exc).toBe('gpujs/webasm/float32');
    for (const s of [s1, s2, s3]) s.dispose();
  });
});

describe('ELL groups (delivery by target)', () => {
  const net = buildNetwork(RESIDENT_NET, 9, 0.1);
  const plan: ResidentPlan = {
    populations: net.populations.map((p) => ({ model: p.model!, params: p.params, derived: null, n: p.size, state: p.state })),
    projections: net.projections.map((pj) => ({ source: pj.source.index, target: pj.target.index, receptor: pj.receptorIndex, csr: pj.csr })),
  };

  /** Every synapse (projection, source, target, delay, weight) listed by a set of groups, sorted. */
  function synapsesOf(groups: ReturnType<typeof ellGroups>): string[] {
    const out: string[] = [];
    for (const g of groups) {
      const n = plan.populations[g.target]!.n;
      const pj = plan.projections.findIndex((p) => p.source === g.source && p.target === g.target && p.receptor === g.receptor);
      for (let q = 0; q < g.K; q++)
        for (let j = 0; j < n; j++) {
          const c = g.col[q * n + j]!;
          if (c >= 0) out.push(`${pj}:${c}:${j}:${g.delay}:${g.weights ? g.weights[q * n + j] : g.weight}`);
        }
    }
    return out.sort();
  }

  it('hold exactly the CSR synapses, with their delays and weights, in one chunk or many', () => {
    const expected: string[] = [];
    plan.projections.forEach((pj, k) => {
      const { rowPtr, col, weights, weight, delays, delay } = pj.csr;
      for (let i = 0; i + 1 < rowPtr.length; i++)
        for (let s = rowPtr[i]!; s < rowPtr[i + 1]!; s++) expected.push(`${k}:${i}:${col[s]}:${delays ? delays[s] : delay}:${weights ? weights[s] : weight}`);
    });
    expected.sort();
    const whole = ellGroups(plan);
    const chunked = ellGroups(plan, 2000);
    expect(chunked.length).toBeGreaterThan(whole.length);
    expect(synapsesOf(whole)).toEqual(expected);
    expect(synapsesOf(chunked)).toEqual(expected);
    // Within a group, each target's sources come in increasing order (a multapse twice) and padding (-1) only after them.
    for (const g of whole) {
      const n = plan.populations[g.target]!.n;
      for (let j = 0; j < n; j++)
        for (let q = 1; q < g.K; q++) {
          const a = g.col[(q - 1) * n + j]!;
          const b = g.col[q * n + j]!;
          expect(b === -1 || (a >= 0 && b >= a)).toBe(true);
        }
    }
  });
});
