/**
 * One full run of the complementary-learning-systems model at the published parameters (Sun et al. 2023: N = 100,
 * P = 100, M = 2000, a = 0.05, 2000 epochs of P reactivations, eta = 0.015, SNR = Infinity), from nothing to the
 * curves: the replay schedule split over one worker thread per core (scenarios/workers/replay-pool.ts; each thread
 * runs the notebook's reactivations eight at a time in the WebAssembly lanes, backends/cpu/wasm/notebook-lanes.ts),
 * then runCls replaying it (the notebook's recalls of the training and test sets in the lanes too, as the scenarios
 * run them: recallStatesFor). In its own process so peak memory is its own. Against today's method in the same script:
 * the notebook of 2026-12-05 (bench/baselines/notebook-2026-12-05.ts: dense float64 W, column updates / low-rank
 * recomputation, one thread), the JavaScript notebook alone (models/memory/cls/notebook.ts) and the lanes compute the
 * same `baselineEpochs` epochs in this thread, alternately, checked equal entry for entry; today's full run is
 * estimated as its time per reactivation x 200,000 plus the rest of the run.
 * Usage: npx tsx bench/cls.ts [seed] [epochs] [baselineEpochs]. Prints one JSON object; times in ms.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { clsParams, createTeacher, Notebook, ReplaySchedule, replayKey, runCls, sampleData } from '../src/models/memory/cls/index.ts';
import { poolSize, ReplayPool } from '../src/scenarios/workers/replay-pool.ts';
import { recallStatesFor, replaySource } from '../src/scenarios/workers/replay-source.ts';
import { Notebook as Notebook20261205 } from './baselines/notebook-2026-12-05.ts';

const seed = Number(process.argv[2] ?? 1);
const epochs = Number(process.argv[3] ?? 2000);
const baselineEpochs = Number(process.argv[4] ?? 40);
const params = clsParams({ student: { epochs } });
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// (1) The full run, both cores.
const t0 = performance.now();
const pool = new ReplayPool(poolSize('auto', 1));
const schedule = await pool.get(params, seed);
const tSchedule = performance.now() - t0;
const recall = recallStatesFor(params, seed);
const r = runCls(params, seed, { kind: 'unregulated' }, undefined, { schedule, ...(recall ? { recall } : {}) });
const wallMs = performance.now() - t0;
await pool.close();
const reactivations = epochs * params.p;

// (2) Today's notebook against the new one on the same epochs, in this thread (alternating blocks of 5 epochs).
const train = sampleData(createTeacher(params.teacher, seed), params.p, 'train');
const key = replayKey(seed, params.p, params.notebook);
let c = cpuMs();
let w = performance.now();
const oldNb = new Notebook20261205(params.notebook, train, seed);
const oldBuild = { cpu: cpuMs() - c, wall: performance.now() - w };
c = cpuMs();
w = performance.now();
const newNb = replaySource(new Notebook(params.notebook, train, seed));
const newBuild = { cpu: cpuMs() - c, wall: performance.now() - w };
const oldS = new ReplaySchedule({ key, epochs: baselineEpochs, source: oldNb });
const jsS = new ReplaySchedule({ key, epochs: baselineEpochs, source: new Notebook(params.notebook, train, seed) });
const newS = new ReplaySchedule({ key, epochs: baselineEpochs, source: newNb });
const spent = { old: { cpu: 0, wall: 0 }, js: { cpu: 0, wall: 0 }, new: { cpu: 0, wall: 0 } };
for (let e = 5; e <= baselineEpochs; e += 5) {
  for (const [name, s] of [['old', oldS], ['js', jsS], ['new', newS]] as const) {
    c = cpuMs();
    w = performance.now();
    s.ensure(e);
    spent[name].cpu += cpuMs() - c;
    spent[name].wall += performance.now() - w;
  }
}
const a = oldS.toData();
const b = newS.toData();
const j = jsS.toData();
let equal = true;
for (const f of ['outcome', 'memory', 'distance', 'active', 'kwtaCycles', 'thresholdCycles', 'unitStart', 'units'] as const) equal &&= a[f].length === b[f].length && a[f].every((v, i) => v === b[f][i] && v === j[f][i]);
const n = baselineEpochs * params.p;
const usOld = (1000 * spent.old.wall) / n;
const usNew = (1000 * spent.new.wall) / n;
const usJs = (1000 * spent.js.wall) / n;
const restMs = wallMs - tSchedule; // runCls replaying the finished schedule (setup, recall, student)
const todayEstimateMs = oldBuild.wall + (usOld * reactivations) / 1000 + restMs;

console.log(
  JSON.stringify(
    {
      bench: 'cls',
      machine: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), loadavg: os.loadavg().map((x) => round(x, 2)) },
      params: { n: params.teacher.n, p: params.p, p_test: params.pTest, m: params.notebook.m, a: params.notebook.a, eta: params.student.eta, epochs, snr: 'inf' },
      seed,
      full_run: {
        threads: pool.workers,
        wall_ms: round(wallMs),
        schedule_ms: round(tSchedule),
        run_cls_ms: round(restMs),
        run_cls_timing: { setup: round(r.timing_ms.setup), reactivation: round(r.timing_ms.reactivation), student: round(r.timing_ms.student) },
        us_per_reactivation_wall: round((1000 * tSchedule) / reactivations, 2),
        reactivations,
        outcomes: r.reactivations,
        field_work: r.work,
      },
      same_thread: {
        epochs: baselineEpochs,
        schedules_equal: equal,
        build_ms: { today: round(oldBuild.wall), new: round(newBuild.wall) },
        us_per_reactivation: { today: round(usOld, 2), js_notebook: round(usJs, 2), new: round(usNew, 2), today_cpu: round((1000 * spent.old.cpu) / n, 2), new_cpu: round((1000 * spent.new.cpu) / n, 2) },
        ratio: round(usOld / usNew, 2),
        ratio_js_notebook: round(usJs / usNew, 2),
        work: { today: a.work, new: b.work },
      },
      today_full_run_estimate_ms: round(todayEstimateMs),
      speedup_full_run: round(todayEstimateMs / wallMs, 2),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
      results: {
        notebook_memory_error: round(r.curves.notebook_train, 5),
        notebook_generalization_error: round(r.curves.notebook_test, 4),
        student_memory_error_final: round(r.curves.student_train[epochs]!, 5),
        student_generalization_error_final: round(r.curves.student_test[epochs]!, 4),
        crossover_epoch: Array.from(r.curves.student_train).findIndex((v) => v < r.curves.notebook_train),
      },
    },
    null,
    2,
  ),
);
