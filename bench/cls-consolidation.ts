/**
 * The cls-consolidation scenario with many seeds (default 20; SNR inf, 4, 0.05; unregulated and generalization-
 * optimized; M = 2000, 2000 epochs), run as `purkinje run` runs it (replay schedules in worker threads, each split
 * into one epoch range per thread, shared by every condition). Against today's method in the same script: the
 * notebook of 2026-12-05 (bench/baselines/notebook-2026-12-05.ts) and the new one (the notebook in the WebAssembly
 * lanes, backends/cpu/wasm/notebook-lanes.ts, as the worker threads run it) compute the same `baselineEpochs`
 * epochs of seed 1 in this thread, alternately (checked equal entry for entry): the ratio of their times per
 * reactivation is the speed-up of the scenario's dominant cost (the workers' reactivations). Usage:
 * npx tsx bench/cls-consolidation.ts [seeds] [workers] [baselineEpochs]. Prints one JSON object; times in ms. The
 * run's outputs go to a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clsParams, createTeacher, Notebook, ReplaySchedule, replayKey, sampleData } from '../src/models/memory/cls/index.ts';
import { loadScenario } from '../src/scenarios/loader.ts';
import { runScenario } from '../src/scenarios/runner.ts';
import type { ClsProtocol } from '../src/scenarios/schema.ts';
import { replaySource } from '../src/scenarios/workers/replay-source.ts';
import { Notebook as Notebook20261205 } from './baselines/notebook-2026-12-05.ts';

const seeds = Number(process.argv[2] ?? 20);
const workers: number | 'auto' = process.argv[3] === undefined || process.argv[3] === 'auto' ? 'auto' : Number(process.argv[3]);
const baselineEpochs = Number(process.argv[4] ?? 20);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

// Today's notebook against the new one, same thread, same epochs of seed 1.
const params = clsParams({});
const train = sampleData(createTeacher(params.teacher, 1), params.p, 'train');
const key = replayKey(1, params.p, params.notebook);
const oldS = new ReplaySchedule({ key, epochs: baselineEpochs, source: new Notebook20261205(params.notebook, train, 1) });
const newS = new ReplaySchedule({ key, epochs: baselineEpochs, source: replaySource(new Notebook(params.notebook, train, 1)) });
const spent = { old: 0, new: 0 };
for (let e = 5; e <= baselineEpochs; e += 5)
  for (const [name, s] of [['old', oldS], ['new', newS]] as const) {
    const t = performance.now();
    s.ensure(e);
    spent[name] += performance.now() - t;
  }
const a = oldS.toData();
const b = newS.toData();
let equal = true;
for (const f of ['outcome', 'memory', 'distance', 'active', 'kwtaCycles', 'thresholdCycles', 'unitStart', 'units'] as const) equal &&= a[f].every((v, i) => v === b[f][i]);
const n = baselineEpochs * params.p;

const loaded = loadScenario('cls-consolidation');
const proto = { ...(loaded.scenario.protocol as ClsProtocol), seeds, workers };
const scenario = { ...loaded, scenario: { ...loaded.scenario, protocol: proto } };
const out = mkdtempSync(path.join(os.tmpdir(), 'purkinje-bench-cls-'));
const load0 = os.loadavg();
const t0 = performance.now();
const summary = await runScenario(scenario, { outDir: path.join(out, 'run') });
const scenarioMs = performance.now() - t0;
rmSync(out, { recursive: true, force: true });
const results = summary.results as Record<string, unknown>;
console.log(
  JSON.stringify(
    {
      bench: 'cls-consolidation',
      machine: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), loadavg_before: load0.map((x) => round(x, 2)), loadavg_after: os.loadavg().map((x) => round(x, 2)) },
      seeds,
      workers,
      scenario_wall_ms: round(scenarioMs),
      scenario_minutes: round(scenarioMs / 60000, 2),
      same_thread: {
        epochs: baselineEpochs,
        schedules_equal: equal,
        us_per_reactivation: { today: round((1000 * spent.old) / n, 2), new: round((1000 * spent.new) / n, 2) },
        ratio: round(spent.old / spent.new, 2),
      },
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
