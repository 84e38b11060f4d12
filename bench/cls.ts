/**
 * One full run of the complementary-learning-systems model at the published parameters (Sun et al. 2023: N = 100,
 * P = 100, M = 2000, a = 0.05, 2000 epochs of P reactivations, eta = 0.015, SNR = Infinity), in its own process so
 * peak memory is its own. Usage: npx tsx bench/cls.ts [seed] [epochs]. Prints one JSON object; times in ms.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { clsParams, runCls } from '../src/models/memory/cls/index.ts';

const seed = Number(process.argv[2] ?? 1);
const epochs = Number(process.argv[3] ?? 2000);
const params = clsParams({ student: { epochs } });
const t0 = performance.now();
const r = runCls(params, seed);
const wallMs = performance.now() - t0;
const reactivations = epochs * params.p;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify(
    {
      bench: 'cls',
      machine: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length },
      params: { n: params.teacher.n, p: params.p, p_test: params.pTest, m: params.notebook.m, a: params.notebook.a, eta: params.student.eta, epochs, snr: 'inf' },
      seed,
      wall_ms: round(wallMs),
      setup_ms: round(r.timing_ms.setup),
      reactivation_ms: round(r.timing_ms.reactivation),
      student_ms: round(r.timing_ms.student),
      us_per_reactivation: round((1000 * r.timing_ms.reactivation) / reactivations, 2),
      reactivations,
      outcomes: r.reactivations,
      field_work: r.work,
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
