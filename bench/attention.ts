/**
 * The SDM-versus-attention scenarios (auto and hetero, n = 64, m = 1024) timed end to end; one JSON line each, with
 * both comparisons (the circuit's radius and the SNR-optimal one) and the readers' regimes.
 */
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../src/scenarios/loader.ts';
import { runScenario } from '../src/scenarios/runner.ts';
import { attentionMemoryOf, attentionReadBatch, bipolarUnitRows, makePatternSet, makeQueries } from '../src/models/memory/readers/index.ts';

// One batch of 1,024 attention reads over 1,024 stored patterns of 64 bits (was a timed unit test): median of 5.
{
  const set = makePatternSet({ m: 1024, n: 64, association: 'hetero', seed: 5 });
  const mem = attentionMemoryOf(set);
  const qs = makeQueries(set, 6);
  const Q = bipolarUnitRows(qs.bits, qs.count, 64);
  attentionReadBatch(mem, Q, 20);
  const ms: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    attentionReadBatch(mem, Q, 20);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(JSON.stringify({ bench: 'attention-batch', patterns: 1024, n: 64, queries: qs.count, ms_per_query: ms[2]! / qs.count }));
}

for (const name of ['attention-auto', 'attention-hetero']) {
  const t0 = performance.now();
  const s = await runScenario(loadScenario(name));
  const r = s.results as Record<string, unknown>;
  console.log(
    JSON.stringify({
      bench: 'attention',
      scenario: name,
      total_ms: performance.now() - t0,
      build_ms: s.build_ms,
      simulate_and_read_ms: s.wall_ms,
      patterns: 1024,
      reads: (r.noise_bits as number[]).length * 40,
      beta: r.beta,
      verdict: r.verdict,
      attention_vs_sdm_pattern_agreement: r.attention_vs_sdm_pattern_agreement,
      algebraic_agreement: r.algebraic_agreement,
      snr_optimal_radius: r.snr_optimal_radius,
      snr_optimal_beta: r.snr_optimal_beta,
      snr_optimal_verdict: r.snr_optimal_verdict,
      hopfield_classic_patterns: r.hopfield_classic_patterns,
      hopfield_modern_steps: r.hopfield_modern_steps,
      readers_out_of_regime: r.readers_out_of_regime,
    }),
  );
}
