/**
 * A CUBA-like network at scale: how long building it takes (by part), how many bytes a synapse costs, and how fast
 * and how large (peak RSS) a short run on the cpu backend is. Prints one JSON line.
 *
 * Usage: tsx bench/scale.ts --neurons N [--ticks T] [--indegree K] [--rule fixed_indegree|pairwise_bernoulli]
 *        [--seed S] [--threads B] [--engine-threads T] [--share auto|always] [--precision 64|32] [--build-only]
 *
 * The network: circuits/cuba.yaml's LIF parameters and initial voltages (Brette et al. 2007, benchmark 2, after
 * Brian2's examples/CUBA.py), N neurons of which 80% excitatory, every neuron receiving about K inputs (default 80,
 * CUBA's 0.02 x 4000): with `fixed_indegree` (the default) exactly round(0.8 K) from the excitatory and the rest from
 * the inhibitory population; with `pairwise_bernoulli` p = K / N for every pair, about K inputs in the mean. Delays
 * are CUBA's 0.1 ms.
 *
 * Weights: CUBA's 1.62 mV (excitatory) and -9 mV (inhibitory) scaled by 80 / K, so that the mean and the balance of
 * the input a neuron receives stay those of CUBA whatever N and K. At K = 80 these are CUBA's weights unchanged, and
 * the network fires like CUBA (5.4-6.1 Hz over CUBA's first second): measured over the first 1000 ticks (100 ms) at
 * 10^6 neurons, seed 1, 5.69 Hz with fixed_indegree and 6.18 Hz with pairwise_bernoulli; at 10^5 neurons, 7.5 Hz with
 * K = 40 and 4.0 Hz with K = 160. The script checks the sane band 1-20 Hz: a rate outside it is printed with
 * `rate_ok: false` and the process exits with code 1.
 *
 * Measured on the 2-core development machine (AMD EPYC, Node 20), 10^6 neurons, 8 x 10^7 synapses, 1000 ticks:
 * building took 10.9 s (fixed_indegree) and 10.7 s (pairwise_bernoulli) with the pair-list builder, peak RSS 832 and
 * 836 MB; with the direct CSR builders 4.2 s and 4.7 s on 2 threads (peak RSS 665 and 664 MB), 7.9 s and 8.6 s on
 * one (537 and 518 MB). 4.1 bytes per synapse (constant weights and delays). A second core busy with other work
 * brings the 2-thread build back to about the one-thread time.
 *
 * Build time is split as `buildNetwork` reports it (network.ts `BuildOptions.profile`): populations (initial state),
 * pairs (drawing the connections), sort (ordering them into rows), csr (weights, delays, the CSR record). Bytes per
 * synapse come from the network's own arrays (network/memory.ts `synapseMemory`). Peak RSS is the whole process's
 * (`process.resourceUsage().maxRSS`); cpu/wall is process CPU time (all threads) over wall time, for the build and
 * for the run.
 */
import { performance } from 'node:perf_hooks';
import { CpuBackend } from '../src/backends/cpu/index.ts';
import { loadCircuit } from '../src/circuits/loader.ts';
import { Simulator } from '../src/engine/simulator.ts';
import { type BuildProfile, type ConnectivityRule, emptyBuildProfile } from '../src/network/connectivity.ts';
import { synapseMemory } from '../src/network/memory.ts';
import { defaultBuildThreads } from '../src/network/parallel.ts';
import { type NetworkSpec, type ProjectionSpec, buildNetwork } from '../src/network/network.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const n = Number(opt('--neurons', '1000000'));
const ticks = Number(opt('--ticks', '1000'));
const k = Number(opt('--indegree', '80'));
const seed = Number(opt('--seed', '1'));
const ruleName = opt('--rule', 'fixed_indegree');
const threadsArg = opt('--threads', '');
/** Engine threads for the run (default 1); the build's threads are --threads. */
const engineThreads = Number(opt('--engine-threads', '1'));
const share = opt('--share', 'auto') as 'auto' | 'always';
const buildOnly = args.includes('--build-only');
/** State and ring precision of the cpu backend (64 or 32). */
const precision = Number(opt('--precision', '64')) as 32 | 64;
if (precision !== 32 && precision !== 64) throw new RangeError(`--precision: 64 or 32, got ${precision}`);
if (!(Number.isInteger(n) && n >= 10)) throw new RangeError(`--neurons: an integer >= 10, got ${n}`);
if (!(Number.isInteger(ticks) && ticks >= 0)) throw new RangeError(`--ticks: a non-negative integer, got ${ticks}`);
if (!(k > 0 && k < 0.2 * n)) throw new RangeError(`--indegree: between 0 and 20% of the neurons, got ${k}`);
if (ruleName !== 'fixed_indegree' && ruleName !== 'pairwise_bernoulli') throw new RangeError(`--rule: fixed_indegree or pairwise_bernoulli, got ${ruleName}`);

/** CUBA's inputs per neuron (p = 0.02 of 4000): the weights are scaled by CUBA_K / K. */
const CUBA_K = 80;

/** The CUBA-like spec: cuba.yaml's neurons and weights, N neurons, about K inputs each. */
function scaleSpec(): NetworkSpec {
  const cuba = loadCircuit('cuba').spec;
  const exc = cuba.populations.find((p) => p.name === 'exc')!;
  const inh = cuba.populations.find((p) => p.name === 'inh')!;
  const weightOf = (source: string): number => {
    const w = cuba.projections.find((p) => p.source === source)!.weight;
    if (typeof w !== 'number') throw new Error(`circuits/cuba.yaml: expected a constant weight from ${source}`);
    return (w * CUBA_K) / k;
  };
  const nExc = Math.round(0.8 * n);
  const kExc = Math.round(0.8 * k);
  const conn = (fromExc: boolean): ConnectivityRule =>
    ruleName === 'fixed_indegree' ? { rule: 'fixed_indegree', indegree: fromExc ? kExc : k - kExc } : { rule: 'pairwise_bernoulli', p: k / n };
  const proj = (source: 'exc' | 'inh', target: 'exc' | 'inh'): ProjectionSpec => ({
    source,
    target,
    receptor: source,
    connectivity: conn(source === 'exc'),
    weight: weightOf(source),
    delay_ms: 0.1,
  });
  return {
    name: `cuba-scale-${n}`,
    origin: 'bench/scale.ts',
    populations: [
      { ...exc, size: nExc },
      { ...inh, size: n - nExc },
    ],
    projections: [proj('exc', 'exc'), proj('exc', 'inh'), proj('inh', 'exc'), proj('inh', 'inh')],
  };
}

/** Process CPU time (user + system, all threads) in ms. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const dtMs = 0.1;
const spec = scaleSpec();
const profile: BuildProfile = emptyBuildProfile();
const c0 = cpuMs();
const t0 = performance.now();
const net = buildNetwork(spec, seed, dtMs, { profile, ...(threadsArg ? { threads: Number(threadsArg) } : {}) });
const buildMs = performance.now() - t0;
const buildCpu = cpuMs() - c0;
const mem = synapseMemory(net);

let run: Record<string, number | boolean> = {};
if (!buildOnly) {
  const backend = new CpuBackend(true, undefined, precision);
  const sim = await Simulator.create(net, { seed, backend, threads: engineThreads, share });
  const c1 = cpuMs();
  const t1 = performance.now();
  await sim.run(ticks);
  const wallMs = performance.now() - t1;
  const runCpu = cpuMs() - c1;
  const spikes = Object.values(sim.spikeCounts()).reduce((a, b) => a + b, 0);
  const rate = ticks > 0 ? spikes / n / ((ticks * dtMs) / 1000) : 0;
  run = {
    ticks,
    run_wall_s: wallMs / 1000,
    real_time_factor: (ticks * dtMs) / wallMs,
    spikes,
    rate_hz: rate,
    rate_ok: ticks === 0 || (rate >= 1 && rate <= 20),
    synaptic_events: sim.synapticEvents,
    run_cpu_per_wall: runCpu / Math.max(wallMs, 1e-9),
    engine_threads: sim.threads,
    precision,
    shared_update_ticks: sim.sharedTicks.update,
    shared_deliver_ticks: sim.sharedTicks.deliver,
  };
  sim.dispose();
  backend.dispose();
}
const round = (x: number): number => Math.round(x * 1000) / 1000;
console.log(
  JSON.stringify({
    bench: 'scale',
    neurons: n,
    rule: ruleName,
    indegree: k,
    seed,
    build_threads: threadsArg ? Number(threadsArg) : defaultBuildThreads(),
    synapses: net.synapses,
    build_ms: round(buildMs),
    build_parts_ms: {
      populations: round(profile.populationsMs),
      pairs: round(profile.pairsMs),
      sort: round(profile.sortMs),
      csr: round(profile.csrMs),
    },
    build_cpu_per_wall: round(buildCpu / buildMs),
    synapse_bytes: mem.bytes,
    bytes_per_synapse: round(mem.bytesPerSynapse),
    projections: mem.projections.map((p) => ({ name: p.name, synapses: p.synapses, bytes_per_synapse: round(p.bytesPerSynapse) })),
    ...Object.fromEntries(Object.entries(run).map(([key, v]) => [key, typeof v === 'number' ? round(v) : v])),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    node: process.version,
  }),
);
if (run.rate_ok === false) process.exitCode = 1;
