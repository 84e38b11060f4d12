/**
 * Spiking cerebellum at scale: 100,000 granule cells and 64 Purkinje cells (Kanerva mode, n = 256, heteroassociative),
 * 100 writes then 100 reads, on each backend; and the same with biological addressing. Prints real-time factors,
 * synaptic events per second and agreement with the algebraic reference, one JSON line per run.
 * Usage: tsx bench/cerebellum.ts [--granule 100000] [--patterns 100] [--backend cpu|gpujs]
 */
import { performance } from 'node:perf_hooks';
import { loadScenario, withCircuit } from '../src/scenarios/loader.ts';
import { runScenario } from '../src/scenarios/runner.ts';
import { sdmProtocolSchema } from '../src/scenarios/schema.ts';
import type { BackendChoice } from '../src/backends/select.ts';
import { ballFraction } from '../src/analysis/sdm-theory/index.ts';

const args = process.argv.slice(2);
const opt = (k: string, dflt: string) => (args.includes(k) ? args[args.indexOf(k) + 1]! : dflt);
const r = Number(opt('--granule', '100000'));
const m = Number(opt('--patterns', '100'));
const backends = (args.includes('--backend') ? [opt('--backend', 'cpu')] : ['cpu', 'gpujs']) as BackendChoice[];

for (const mode of ['kanerva', 'biological'] as const) {
  const base = withCircuit(loadScenario(mode === 'kanerva' ? 'sdm-recall' : 'sdm-recall-biological'), 'the benchmark');
  const c = base.circuit.circuit;
  // Radius keeping about 1.4% of the granule cells active, as in the 20,000-cell circuits.
  let d = 0;
  while (ballFraction(256, d + 1) <= 0.0143) d++;
  const populations = { ...c.populations, granule: { ...c.populations.granule!, size: r, ...(mode === 'kanerva' ? { params: { theta: 256 - d } } : {}) }, purkinje: { ...c.populations.purkinje!, size: 64 }, olive: { ...c.populations.olive!, size: 64 }, dcn: { ...c.populations.dcn!, size: 64 } };
  const circuit = { ...c, populations, sdm: { ...c.sdm!, value_bits: 64, ...(mode === 'kanerva' ? { radius: d } : {}) } };
  const { toNetworkSpec } = await import('../src/circuits/loader.ts');
  const loaded = { ...base, circuit: { ...base.circuit, circuit, spec: toNetworkSpec(circuit, base.circuit.file) } };
  const protocol = sdmProtocolSchema.parse({ ...base.scenario.protocol, association: 'hetero', patterns: m, noise_bits: [0, 32], cues_per_level: m / 2 });
  for (const backend of backends) {
    const t0 = performance.now();
    const s = await runScenario({ ...loaded, scenario: { ...base.scenario, protocol } }, { backend });
    const res = s.results as Record<string, unknown>;
    console.log(
      JSON.stringify({
        bench: 'cerebellum',
        mode,
        granule: r,
        purkinje: 64,
        radius: mode === 'kanerva' ? d : null,
        patterns_written: m,
        reads: m,
        backend: s.backend,
        device: s.device,
        kernels: s.kernels,
        synapses: s.synapses,
        build_ms: s.build_ms,
        wall_ms: s.wall_ms,
        biological_ms: s.biological_ms,
        real_time_factor: s.real_time_factor,
        synaptic_events_per_s: s.synaptic_events / (s.wall_ms / 1000),
        peak_rss_mb: s.peak_rss_mb,
        granule_active_fraction: res.granule_active_fraction,
        bit_accuracy: res.bit_accuracy,
        algebraic_agreement: res.algebraic_agreement,
        total_ms: performance.now() - t0,
      }),
    );
  }
}
