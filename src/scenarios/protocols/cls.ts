/**
 * The complementary-learning-systems scenarios (Sun, Advani, Spruston, Saxe & Fitzgerald 2023): the teacher /
 * notebook / student model of models/memory/cls, run for each SNR, both regimes (unregulated replay and
 * generalization-optimized consolidation that stops at t*) and several seeds, with the closed-form theory of
 * analysis/cls-theory (discrete-time gradient descent, alpha = P / N) on every curve.
 *
 * Time: the model has no spikes; its clock is the replay step (one reactivation), numbered across the whole run, and
 * written as t_ms = step (dt_ms = 1 by convention). Events (replay per epoch, consolidation-stop, and the
 * reactivations of the first seed of each condition) go through the same sinks as spikes, as rows
 * `event:<kind>` whose neuron column is the epoch (replay, stop) or the reactivated memory (reactivation), and, with
 * their data, into events.ndjson.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { egDiscrete, etDiscrete, optimalStopping } from '../../analysis/cls-theory/index.ts';
import { type ClsEvent, clsParams, runCls, type Regime } from '../../models/memory/cls/index.ts';
import { lineChart, renderSvg } from '../../recording/plots.ts';
import { writeReport } from '../../recording/report.ts';
import { spikeSink } from '../../recording/sinks/index.ts';
import { OutputDir } from '../../recording/sinks/output-dir.ts';
import { FORMAT_EXTENSION, type SpikeSink } from '../../recording/sinks/types.ts';
import { writeCsvTable } from '../../recording/sinks/table.ts';
import type { LoadedScenario } from '../loader.ts';
import type { Expectation, RunSummary, ScenarioRunOptions } from '../types.ts';
import type { ClsProtocol } from '../schema.ts';

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : NaN;
};

export async function runClsScenario(loaded: LoadedScenario, proto: ClsProtocol, opts: ScenarioRunOptions): Promise<RunSummary> {
  const { scenario, file } = loaded;
  const seed0 = opts.seed ?? scenario.seed;
  const out = opts.outDir !== undefined ? new OutputDir(opts.outDir) : null;
  try {
    const t0 = performance.now();
    const snrs = proto.snr.map((s) => (s === 'inf' ? Infinity : s));
    const alpha = proto.examples / proto.inputs;
    const sinks: SpikeSink[] = [...(opts.sinks ?? [])];
    const files: Record<string, string> = {};
    const format = opts.format ?? 'csv';
    if (opts.stream) sinks.push(spikeSink(format, opts.stream, 1));
    else if (out) {
      files.spikes = `spikes.${FORMAT_EXTENSION[format]}`;
      sinks.push(spikeSink(format, out.file(files.spikes), 1));
    }
    const eventFile = out ? out.file('events.ndjson') : null;
    let lines: string[] = [];
    let events = 0;
    let step = 0;
    const emit = (kind: string, id: number, data: Record<string, unknown>) => {
      events++;
      for (const s of sinks) s.write(step, `event:${kind}`, Uint32Array.of(id));
      if (eventFile) {
        lines.push(JSON.stringify({ t_ms: step, kind, id, ...data }));
        if (lines.length >= 20000) {
          appendFileSync(eventFile, lines.join('\n') + '\n');
          lines = [];
        }
      }
    };

    const tables: Record<string, Array<Record<string, number | string>>> = {};
    const res: Record<string, Array<number | string | null>> = {
      snr: proto.snr,
      t_star_theory: [],
      notebook_memory_error: [],
      crossover_epoch: [],
      eg_min_unregulated: [],
      eg_argmin_unregulated: [],
      eg_final_unregulated: [],
      et_final_unregulated: [],
      eg_final_theory: [],
      stopped_at_optimized: [],
      eg_at_stop_optimized: [],
    };
    let interrupted = false;
    for (const [si, snr] of snrs.entries()) {
      const params = clsParams({
        teacher: { kind: 'linear', n: proto.inputs, snr },
        p: proto.examples,
        notebook: { m: proto.notebook_units },
        student: { eta: proto.learning_rate, epochs: proto.epochs },
      });
      const stop = optimalStopping(alpha, snr, proto.learning_rate, proto.epochs, true);
      const regimes: Array<[string, Regime]> = [
        ['unregulated', { kind: 'unregulated' }],
        [
          'optimized',
          {
            kind: 'generalization-optimized',
            tStar: proto.t_star === 'theory' ? { source: 'given', tStar: stop.tStar } : proto.t_star === 'oracle' ? { source: 'oracle' } : { source: 'held-out' },
          },
        ],
      ];
      const curves = new Map<string, { train: Float64Array; test: Float64Array; combined: Float64Array; notebook: number[]; stops: number[] }>();
      for (const [name, regime] of regimes) {
        const acc = { train: new Float64Array(proto.epochs + 1), test: new Float64Array(proto.epochs + 1), combined: new Float64Array(proto.epochs + 1), notebook: [] as number[], stops: [] as number[] };
        for (let s = 0; s < proto.seeds; s++) {
          if (opts.signal?.aborted) {
            interrupted = true;
            break;
          }
          const first = s === 0;
          const onEvent = (e: ClsEvent) => {
            const base = { snr: proto.snr[si], regime: name, seed: seed0 + s };
            if (e.kind === 'reactivation') {
              step++;
              if (first) emit('reactivation', Math.max(0, e.memory), { ...base, epoch: e.epoch, outcome: e.outcome, distance: e.distance });
            } else if (e.kind === 'replay') emit('replay', e.epoch, { ...base, student_train: e.student_train, student_test: e.student_test });
            else if (e.kind === 'consolidation-stop') emit('consolidation-stop', e.epoch, { ...base, t_star: e.t_star, source: e.source });
          };
          const r = runCls(params, seed0 + s, regime, onEvent, { reactivationEvents: true });
          for (let e = 0; e <= proto.epochs; e++) {
            acc.train[e]! += r.curves.student_train[e]! / proto.seeds;
            acc.test[e]! += r.curves.student_test[e]! / proto.seeds;
            acc.combined[e]! += r.curves.combined_train[e]! / proto.seeds;
          }
          acc.notebook.push(r.curves.notebook_train);
          if (r.stopped_at !== null) acc.stops.push(r.stopped_at);
          for (const sink of sinks) await sink.drain();
          opts.onProgress?.(s + 1, proto.seeds, 1);
        }
        curves.set(name, acc);
      }
      const un = curves.get('unregulated')!;
      const op = curves.get('optimized')!;
      const nb = mean(un.notebook);
      let cross: number | null = null;
      for (let e = 0; e <= proto.epochs; e++)
        if (un.train[e]! < nb) {
          cross = e;
          break;
        }
      let argmin = 0;
      for (let e = 1; e <= proto.epochs; e++) if (un.test[e]! < un.test[argmin]!) argmin = e;
      const stopAt = op.stops.length ? mean(op.stops) : null;
      res.t_star_theory!.push(stop.tStar);
      res.notebook_memory_error!.push(nb);
      res.crossover_epoch!.push(cross);
      res.eg_min_unregulated!.push(un.test[argmin]!);
      res.eg_argmin_unregulated!.push(argmin);
      res.eg_final_unregulated!.push(un.test[proto.epochs]!);
      res.et_final_unregulated!.push(un.train[proto.epochs]!);
      res.eg_final_theory!.push(egDiscrete(alpha, snr, proto.learning_rate, proto.epochs));
      res.stopped_at_optimized!.push(stopAt);
      res.eg_at_stop_optimized!.push(op.test[proto.epochs]!);
      const every = Math.max(1, Math.floor(proto.epochs / 400));
      const rows: Array<Record<string, number | string>> = [];
      for (let e = 0; e <= proto.epochs; e += every) {
        rows.push({
          epoch: e,
          student_memory_error: un.train[e]!,
          student_generalization_error: un.test[e]!,
          notebook_memory_error: nb,
          combined_memory_error: un.combined[e]!,
          optimized_generalization_error: op.test[e]!,
          theory_memory_error: etDiscrete(alpha, snr, proto.learning_rate, e),
          theory_generalization_error: egDiscrete(alpha, snr, proto.learning_rate, e),
        });
      }
      tables[`curves_snr_${String(proto.snr[si])}`] = rows;
      if (interrupted) break;
    }
    if (eventFile && lines.length) appendFileSync(eventFile, lines.join('\n') + '\n');
    if (eventFile && events) files.events = 'events.ndjson';
    for (const s of sinks) await s.close();
    const wallMs = performance.now() - t0;

    const results: Record<string, unknown> = { task: proto.task, alpha, seeds: proto.seeds, epochs: proto.epochs, t_star_source: proto.t_star, ...res };
    const expectations: Expectation[] = Object.entries(scenario.expect.results ?? {}).map(([key, band]) => {
      const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(key);
      const v = m ? results[m[1]!] : undefined;
      const x = m && m[2] !== undefined && Array.isArray(v) ? v[Number(m[2])] : v;
      const value = typeof x === 'number' ? x : NaN;
      return { check: 'results', population: key, value, band, pass: value >= band[0] && value <= band[1], enforced: !interrupted };
    });
    const summary: RunSummary = {
      scenario: scenario.name,
      circuit: 'cls-model (teacher, notebook, student)',
      backend: 'cpu',
      device: 'cpu',
      precision: 64,
      backend_reason: 'the CLS model runs on typed arrays',
      kernels: {},
      seed: seed0,
      dt_ms: 1,
      biological_ms: step,
      build_ms: 0,
      wall_ms: Math.round(wallMs),
      real_time_factor: 0,
      synapses: 0,
      synapse_bytes: 0,
      synaptic_events: 0,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      populations: {},
      expectations,
      passed: expectations.every((e) => e.pass || !e.enforced),
      interrupted,
      spikes_written: sinks.reduce((m, s) => Math.max(m, s.rows), 0),
      events,
      files,
      results,
    };
    if (out) {
      for (const [name, rows] of Object.entries(tables)) {
        writeCsvTable(out.file(`${name}.csv`), rows);
        files[name] = `${name}.csv`;
        const snrLabel = name.replace('curves_snr_', '');
        writeFileSync(
          out.file(`${name}.svg`),
          await renderSvg(
            lineChart({
              title: `SNR ${snrLabel}: student, notebook and theory (alpha ${alpha})`,
              x: 'epoch',
              y: ['student_memory_error', 'student_generalization_error', 'notebook_memory_error', 'optimized_generalization_error', 'theory_memory_error', 'theory_generalization_error'],
              rows,
              yTitle: 'mean squared error',
              logY: false,
            }),
          ),
        );
        files[`${name}_plot`] = `${name}.svg`;
      }
      files.summary = 'summary.json';
      files.report = 'report.html';
      out.writeJson('summary.json', summary);
      writeReport(out.file('report.html'), {
        title: `purkinje: ${scenario.name}`,
        summary: summary as unknown as Record<string, unknown>,
        figures: Object.entries(files).filter(([, f]) => f.endsWith('.svg')).map(([, f]) => ({ file: out.file(f), caption: f })),
        tables: [],
      });
      out.commit();
    }
    void file;
    return summary;
  } catch (e) {
    out?.discard();
    throw e;
  }
}
