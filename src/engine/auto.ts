/**
 * `--backend auto`: the backend that runs this network fastest here, by measurement. Each candidate (the cpu backend,
 * and gpu.js on the best device it finds) simulates the network itself for a short trial (a few warm-up ticks, then
 * up to TRIAL_MS or TRIAL_TICKS), from the network's initial state, which is restored afterwards: the run that
 * follows starts from exactly the state it would have started from without the trial (tested).
 *
 * gpu.js without a GPU (WebAssembly or its cpu mode) is measured too, except on networks above
 * MAX_EMULATED_SYNAPSES, where its trial alone would cost seconds and gigabytes (it runs 30-80 times slower than the
 * cpu backend there: bench/results); the reason says so.
 */
import { performance } from 'node:perf_hooks';
import { CpuBackend } from '../backends/cpu/index.ts';
import type { Backend } from '../kernels/index.ts';
import type { Network } from '../network/network.ts';
import { Simulator } from './simulator.ts';

const WARMUP_TICKS = 3;
const TRIAL_TICKS = 200;
const TRIAL_MS = 250;
const MAX_EMULATED_SYNAPSES = 2e6;

export interface BackendTrial {
  /** What the candidate is, e.g. 'cpu' or 'gpujs/webasm'. */
  readonly name: string;
  /** The implementation its kernels reported. */
  readonly implementation: string;
  readonly ticks: number;
  readonly us_per_tick: number;
}

export interface AutoChoice {
  readonly backend: Backend;
  readonly reason: string;
  readonly trials: BackendTrial[];
}

interface Candidate {
  readonly name: string;
  readonly make: () => Promise<Backend>;
}

/** Copies of every population's state and every per-synapse weight array, and a function that puts them back. */
function snapshot(network: Network): () => void {
  const states = network.populations.map((p) => Object.entries(p.state).map(([k, a]) => [k, Float64Array.from(a)] as const));
  const weights = network.projections.map((pj) => (pj.csr.weights ? Float32Array.from(pj.csr.weights) : null));
  return () => {
    network.populations.forEach((p, i) => {
      for (const [k, a] of states[i]!) p.state[k] = Float64Array.from(a);
    });
    network.projections.forEach((pj, i) => {
      const w = weights[i];
      if (w) pj.csr.weights!.set(w);
    });
  };
}

/** Times a backend on the network: ticks after the warm-up, until TRIAL_TICKS or TRIAL_MS. */
async function trial(network: Network, backend: Backend, seed: number, threads: number): Promise<{ ticks: number; usPerTick: number; implementation: string }> {
  const sim = await Simulator.create(network, { seed, backend, threads });
  try {
    await sim.run(WARMUP_TICKS);
    const t0 = performance.now();
    let ticks = 0;
    while (ticks < TRIAL_TICKS && performance.now() - t0 < TRIAL_MS) {
      await sim.run(10);
      ticks += 10;
    }
    const implementation = [...new Set(Object.values(sim.kernelImplementations))].join(', ');
    return { ticks, usPerTick: ((performance.now() - t0) * 1000) / ticks, implementation };
  } finally {
    sim.dispose();
  }
}

/** Measures the candidates on this network and returns the fastest (the others are disposed). */
export async function chooseBackend(network: Network, options: { seed: number; precision: 32 | 64; threads: number }): Promise<AutoChoice> {
  const candidates: Candidate[] = [{ name: 'cpu', make: async () => new CpuBackend(true, undefined, options.precision) }];
  const { GpuJsBackend, probeGpuDevice } = await import('../backends/gpujs/index.ts');
  const device = await probeGpuDevice();
  const synapses = network.projections.reduce((s, pj) => s + pj.csr.col.length, 0);
  const skipped = device !== 'webgpu' && synapses > MAX_EMULATED_SYNAPSES;
  if (!skipped) candidates.push({ name: `gpujs/${device}`, make: () => GpuJsBackend.create(device) });
  const restore = snapshot(network);
  const trials: BackendTrial[] = [];
  const backends: Backend[] = [];
  try {
    for (const c of candidates) {
      const backend = await c.make();
      backends.push(backend);
      const t = await trial(network, backend, options.seed, options.threads);
      restore();
      trials.push({ name: c.name, implementation: t.implementation, ticks: t.ticks, us_per_tick: Math.round(t.usPerTick * 10) / 10 });
    }
  } catch (e) {
    restore();
    for (const b of backends) b.dispose();
    throw e;
  }
  let best = 0;
  trials.forEach((t, i) => {
    if (t.us_per_tick < trials[best]!.us_per_tick) best = i;
  });
  backends.forEach((b, i) => i !== best && b.dispose());
  const measured = trials.map((t) => `${t.name} ${t.us_per_tick} us/tick`).join(', ');
  const note = skipped ? `; gpujs not tried: gpu.js would run on ${device} (no GPU) and the network has ${synapses} synapses` : '';
  return { backend: backends[best]!, reason: `auto: measured on this network: ${measured}; chose ${trials[best]!.name}${note}`, trials };
}
