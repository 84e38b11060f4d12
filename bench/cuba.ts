/**
 * One CUBA run for the benchmark, in its own process so peak memory is its own.
 * Usage: tsx bench/cuba.ts <cpu|cpu-f32|cpu-js|cpu-reference|gpujs> [duration_ms] [threads]. Prints one JSON line.
 * cpu: the default kernels (WebAssembly SIMD LIF, float64); cpu-f32: the same at precision 32 (float32 state and
 * rings); cpu-js: the compiled JavaScript loop; cpu-reference: the models' step functions. threads: engine threads (cpu backends; default 1), shared where measurement says it pays.
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
const threads = Number(process.argv[4] ?? 1);
const backend: Backend =
  which === 'gpujs' ? await GpuJsBackend.create() : new CpuBackend(which !== 'cpu-reference', which === 'cpu' || which === 'cpu-f32', which === 'cpu-f32' ? 32 : 64);
const { circuit, scenario } = withCircuit(loadScenario('cuba'), 'the benchmark');
const t0 = performance.now();
const net = buildNetwork(circuit.spec, scenario.seed, 0.1);
const sim = await Simulator.create(net, { seed: scenario.seed, backend, threads });
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
const cpu1 = process.cpuUsage();
const t1 = performance.now();
await sim.run(Math.round(durationMs / 0.1)); // default chunks of 1000 ticks (see docs/DECISIONS.md 16)
const wallMs = performance.now() - t1;
const cpu = process.cpuUsage(cpu1);
const spikes = Object.values(sim.spikeCounts()).reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify({
    simulator: 'purkinje',
    backend: which,
    device: backend.device,
    precision: backend.precision,
    kernels: sim.kernelImplementations,
    threads: sim.threads,
    shared_ticks: sim.sharedTicks,
    cpu_over_wall: (cpu.user + cpu.system) / 1e3 / wallMs,
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
