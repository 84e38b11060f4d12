/**
 * One CUBA run for the benchmark, in its own process so peak memory is its own.
 * Usage: tsx bench/cuba.ts <cpu|cpu-reference|gpujs> [duration_ms]. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { CpuBackend } from '../src/backends/cpu/index.ts';
import { GpuJsBackend } from '../src/backends/gpujs/index.ts';
import { Simulator } from '../src/engine/simulator.ts';
import type { Backend } from '../src/kernels/index.ts';
import { buildNetwork } from '../src/network/network.ts';
import { loadScenario, withCircuit } from '../src/scenarios/loader.ts';

const which = process.argv[2] ?? 'cpu';
const durationMs = Number(process.argv[3] ?? 10000);
const backend: Backend = which === 'gpujs' ? await GpuJsBackend.create() : new CpuBackend(which !== 'cpu-reference');
const { circuit, scenario } = withCircuit(loadScenario('cuba'), 'the benchmark');
const t0 = performance.now();
const net = buildNetwork(circuit.spec, scenario.seed, 0.1);
const sim = await Simulator.create(net, { seed: scenario.seed, backend });
const buildMs = performance.now() - t0;
// Record every spike in memory, as Brian2's SpikeMonitor does in its script, so both sides do the same work.
const monitorT: number[] = [];
const monitorI: number[] = [];
sim.onSpikes((tick, pop, idx) => {
  const offset = pop.index === 0 ? 0 : 3200;
  for (const i of idx) {
    monitorT.push(tick);
    monitorI.push(offset + i);
  }
});
const t1 = performance.now();
await sim.run(Math.round(durationMs / 0.1)); // default chunks of 1000 ticks (see docs/DECISIONS.md 16)
const wallMs = performance.now() - t1;
const spikes = Object.values(sim.spikeCounts()).reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify({
    simulator: 'purkinje',
    backend: which,
    device: backend.device,
    precision: backend.precision,
    kernels: sim.kernelImplementations,
    duration_s: durationMs / 1000,
    build_ms: buildMs,
    wall_s: wallMs / 1000,
    real_time_factor: durationMs / wallMs,
    spikes,
    recorded_spikes: monitorT.length,
    rate_hz: spikes / 4000 / (durationMs / 1000),
    synapses: net.synapses,
    synaptic_events: sim.synapticEvents,
    synaptic_events_per_s: sim.synapticEvents / (wallMs / 1000),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
sim.dispose();
backend.dispose();
