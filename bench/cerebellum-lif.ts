/**
 * The spiking cerebellum with neuron dynamics (circuits/cerebellum-lif.yaml): wall time and real-time factor of the
 * sdm-recall-lif scenario as it ships (20,000 granule cells), and of the same circuit at 100,000 granule cells
 * (50 patterns written, 20 reads). The balancing feedforward inhibition is recalibrated for the larger granule layer
 * (src/circuits/calibrate.ts). The shipped scenario runs on all cores (engine threads), the large circuit on one
 * thread and on all cores (the same spikes either way: only the wall time differs), and on all cores at precision 32
 * (float32 granule state and rings). One JSON line per run.
 * Usage: tsx bench/cerebellum-lif.ts [--granule 100000] [--patterns 50] [--threads N]
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { toNetworkSpec } from '../src/circuits/loader.ts';
import { loadScenario, withCircuit } from '../src/scenarios/loader.ts';
import { runScenario } from '../src/scenarios/runner.ts';
import { sdmProtocolSchema } from '../src/scenarios/schema.ts';

const args = process.argv.slice(2);
const opt = (k: string, dflt: string) => (args.includes(k) ? args[args.indexOf(k) + 1]! : dflt);
const big = Number(opt('--granule', '100000'));
const m = Number(opt('--patterns', '50'));
const cores = Number(opt('--threads', String(availableParallelism())));

const base = withCircuit(loadScenario('sdm-recall-lif'), 'the benchmark');
const c = base.circuit.circuit;
const bigProtocol = sdmProtocolSchema.parse({ ...base.scenario.protocol, patterns: m, noise_bits: [0, 32], cues_per_level: 10 });
const runs = [
  { label: 'sdm-recall-lif as shipped', granule: c.populations.granule!.size, protocol: base.scenario.protocol!, threads: cores },
  { label: `${big.toLocaleString('en')} granule cells`, granule: big, protocol: bigProtocol, threads: 1 },
  ...(cores > 1 ? [{ label: `${big.toLocaleString('en')} granule cells`, granule: big, protocol: bigProtocol, threads: cores }] : []),
  { label: `${big.toLocaleString('en')} granule cells`, granule: big, protocol: bigProtocol, threads: cores, precision: 32 as const },
];
for (const run of runs) {
  const circuit = { ...c, populations: { ...c.populations, granule: { ...c.populations.granule!, size: run.granule } } };
  const loaded = { ...base, circuit: { ...base.circuit, circuit, spec: toNetworkSpec(circuit, base.circuit.file) } };
  const t0 = performance.now();
  const s = await runScenario({ ...loaded, scenario: { ...base.scenario, protocol: run.protocol } }, { backend: 'cpu', threads: run.threads, precision: 'precision' in run ? run.precision : 64 });
  const res = s.results as Record<string, unknown>;
  console.log(
    JSON.stringify({
      bench: 'cerebellum-lif',
      run: run.label,
      granule: run.granule,
      purkinje: c.populations.purkinje!.size,
      patterns_written: run.protocol.kind === 'sdm' ? run.protocol.patterns : null,
      reads: run.protocol.kind === 'sdm' ? run.protocol.noise_bits.length * run.protocol.cues_per_level : null,
      backend: s.backend,
      kernels: s.kernels,
      threads: s.threads,
      precision: s.precision,
      shared_ticks: s.shared_ticks,
      synapses: s.synapses,
      build_ms: s.build_ms,
      wall_ms: s.wall_ms,
      biological_ms: s.biological_ms,
      real_time_factor: s.real_time_factor,
      synaptic_events_per_s: s.synaptic_events / (s.wall_ms / 1000),
      peak_rss_mb: s.peak_rss_mb,
      granule_coding_level: res.granule_active_fraction,
      bit_accuracy: res.bit_accuracy,
      algebraic_agreement: res.algebraic_agreement,
      rest_rates_hz: res.rest_rates_hz,
      calibration: res.calibration,
      total_ms: performance.now() - t0,
    }),
  );
}
