/**
 * The cls-consolidation scenario with many seeds (default 20; SNR inf, 4, 0.05; unregulated and generalization-
 * optimized; M = 2000, 2000 epochs), run as `purkinje run` runs it (replay schedules in worker threads, one per
 * seed, shared by every condition), against one full standalone run of the model in the same script (the unit the
 * scenario used to pay three times per seed, plus the regulated runs). Usage: npx tsx bench/cls-consolidation.ts
 * [seeds] [workers]. Prints one JSON object; times in ms. The run's outputs go to a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clsParams, runCls } from '../src/models/memory/cls/index.ts';
import { loadScenario } from '../src/scenarios/loader.ts';
import { runScenario } from '../src/scenarios/runner.ts';
import type { ClsProtocol } from '../src/scenarios/schema.ts';

const seeds = Number(process.argv[2] ?? 20);
const workers: number | 'auto' = process.argv[3] === undefined ? 'auto' : Number(process.argv[3]);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

// Baseline: one full run of the model (SNR inf, unregulated), computing its own reactivations.
let t0 = performance.now();
runCls(clsParams({}), 1);
const singleMs = performance.now() - t0;

const loaded = loadScenario('cls-consolidation');
const proto = { ...(loaded.scenario.protocol as ClsProtocol), seeds, workers };
const scenario = { ...loaded, scenario: { ...loaded.scenario, protocol: proto } };
const out = mkdtempSync(path.join(os.tmpdir(), 'purkinje-bench-cls-'));
t0 = performance.now();
const summary = await runScenario(scenario, { outDir: path.join(out, 'run') });
const scenarioMs = performance.now() - t0;
rmSync(out, { recursive: true, force: true });
// What the scenario paid per seed before schedules were shared: three full unregulated runs (one per SNR), the
// regulated SNR-4 run to t* and the SNR-0.05 run to t* (small), in one thread.
const results = summary.results as Record<string, unknown>;
const tStars = (results.t_star_theory as number[]) ?? [];
const oldPerSeedMs = singleMs * (3 + (tStars[1] ?? 0) / 2000 + (tStars[2] ?? 0) / 2000);
console.log(
  JSON.stringify(
    {
      bench: 'cls-consolidation',
      machine: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism() },
      seeds,
      workers,
      single_run_ms: round(singleMs),
      scenario_wall_ms: round(scenarioMs),
      scenario_minutes: round(scenarioMs / 60000, 2),
      scenario_in_single_runs: round(scenarioMs / singleMs, 2),
      previous_method_estimate_ms: round(seeds * oldPerSeedMs),
      speedup_over_previous_method: round((seeds * oldPerSeedMs) / scenarioMs, 2),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
      expectations: summary.expectations,
      results: {
        crossover_epoch: results.crossover_epoch,
        notebook_memory_error: results.notebook_memory_error,
        eg_min_unregulated: results.eg_min_unregulated,
        eg_argmin_unregulated: results.eg_argmin_unregulated,
        t_star_theory: results.t_star_theory,
        eg_final_unregulated: results.eg_final_unregulated,
        eg_final_theory: results.eg_final_theory,
        stopped_at_optimized: results.stopped_at_optimized,
        eg_at_stop_optimized: results.eg_at_stop_optimized,
      },
    },
    null,
    2,
  ),
);
