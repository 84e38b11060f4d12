/**
 * The `cls-spiking` scenarios: a CLS run (models/memory/cls, unregulated replay of one linear teacher) whose
 * reactivations come from the notebook on the engine (hippocampus/spiking-notebook.ts). Each seed's reactivations
 * are computed epoch by epoch on the engine, their spikes streamed into the spike log (the notebook, its seed
 * source and its two clocks; events `reactivation-start`, `reactivation-end` and `replay` mark them), and the
 * student learns from them (runCls with that replay schedule). With `compare`, the algebraic notebook computes the
 * same seed's schedule and the summary reports how many reactivations are identical (all of them: the spiking
 * notebook agrees state for state, docs/DECISIONS.md 50) and what each costs. The seeds follow one another on the
 * log's time axis.
 */
import { performance } from 'node:perf_hooks';
import { egDiscrete, etDiscrete } from '../../analysis/cls-theory/index.ts';
import { InputError } from '../../core/errors.ts';
import { clsParams, type ClsParams, createTeacher, Notebook, replayKey, type ReplayData, ReplaySchedule, runCls, sampleData } from '../../models/memory/cls/index.ts';
import { SpikingNotebook } from '../../hippocampus/spiking-notebook.ts';
import { spikeRecorder } from '../../recording/recorders.ts';
import type { LineSeries } from '../../recording/plots.ts';
import { OutputDir } from '../../recording/sinks/output-dir.ts';
import { synapseMemory } from '../../network/memory.ts';
import type { LoadedScenario } from '../loader.ts';
import { EventLog, openSpikeLog, populationSummaries, recordedPopulations } from '../log.ts';
import { resultExpectations, writeProtocolOutputs } from '../outputs.ts';
import type { RunSummary, ScenarioRunOptions } from '../types.ts';
import type { ClsSpikingProtocol } from './cls-spiking-schema.ts';

/** Turns of the event loop between epochs (Ctrl-C, sink backpressure). */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether entry q of two schedules is the same reactivation: outcome, memory, distance, cycles and active units. */
export function sameReactivation(a: ReplayData, b: ReplayData, q: number): boolean {
  if (
    a.outcome[q] !== b.outcome[q] ||
    a.memory[q] !== b.memory[q] ||
    a.distance[q] !== b.distance[q] ||
    a.active[q] !== b.active[q] ||
    a.kwtaCycles[q] !== b.kwtaCycles[q] ||
    a.thresholdCycles[q] !== b.thresholdCycles[q] ||
    a.unitStart[q]! < 0 !== b.unitStart[q]! < 0
  )
    return false;
  const sa = a.unitStart[q]!;
  const sb = b.unitStart[q]!;
  if (sa >= 0) for (let r = 0; r < a.active[q]!; r++) if (a.units[sa + r] !== b.units[sb + r]) return false;
  return true;
}

export async function runClsSpikingScenario(loaded: LoadedScenario, proto: ClsSpikingProtocol, opts: ScenarioRunOptions): Promise<RunSummary> {
  const { scenario, file } = loaded;
  const seed0 = opts.seed ?? scenario.seed;
  if (opts.durationMs !== undefined) throw new InputError('--duration', `not for '${scenario.name}': its protocol sets the duration`);
  if (opts.backend !== undefined && opts.backend !== 'cpu') throw new InputError('--backend', `cpu for '${scenario.name}' (the spiking notebook runs on the cpu backend), got ${opts.backend}`);
  let params: ClsParams;
  try {
    params = clsParams({
      teacher: { kind: 'linear', n: proto.inputs, snr: proto.snr === 'inf' ? Infinity : proto.snr },
      p: proto.examples,
      notebook: { m: proto.notebook_units, ...(proto.threshold !== undefined ? { u: proto.threshold } : {}) },
      student: { eta: proto.learning_rate, epochs: proto.epochs },
    });
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${file}: /protocol`, `${e.where}: ${e.expected}`);
    throw e;
  }
  const dtMs = proto.cycle_ms / 2;
  const E = proto.epochs;
  const P = proto.examples;
  const out = opts.outDir !== undefined ? new OutputDir(opts.outDir, { overwrite: opts.overwrite === true }) : null;
  try {
    const t0 = performance.now();
    const files: Record<string, string> = {};
    const sinks = openSpikeLog(scenario.record, opts, out, dtMs, files);
    const recorded = recordedPopulations(scenario.record);
    const log = new EventLog(out, sinks, dtMs);
    let offset = 0; // ticks of the earlier seeds on the log's time axis
    let ticks = 0;
    let spikingMs = 0;
    let algebraicMs = 0;
    let buildMs = 0;
    let identical = 0;
    let compared = 0;
    let synapticEvents = 0;
    let interrupted = false;
    const counts: Record<string, number> = {};
    const outcomes = { stored: 0, spurious: 0, silent: 0 };
    const acc = { train: new Float64Array(E + 1), test: new Float64Array(E + 1), combined: new Float64Array(E + 1), notebook: 0, done: 0 };
    let curvesDifference = 0;
    const perEpoch: Array<{ stored: number; spurious: number; silent: number; kwta: number; threshold: number; identical: number; n: number }> = Array.from({ length: E + 1 }, () => ({
      stored: 0,
      spurious: 0,
      silent: 0,
      kwta: 0,
      threshold: 0,
      identical: 0,
      n: 0,
    }));
    let info: { synapses: number; synapseBytes: number; perSynapse: number; kernels: Record<string, string>; network: SpikingNotebook['network'] } | null = null;

    for (let s = 0; s < proto.seeds && !interrupted; s++) {
      const seed = seed0 + s;
      const tb = performance.now();
      const train = sampleData(createTeacher(params.teacher, seed), P, 'train');
      const sn = await SpikingNotebook.create(new Notebook(params.notebook, train, seed), seed, { dtMs });
      buildMs += performance.now() - tb;
      try {
        info ??= { synapses: sn.network.synapses, synapseBytes: sn.network.synapseBytes, perSynapse: synapseMemory(sn.network).bytesPerSynapse, kernels: sn.sim.kernelImplementations, network: sn.network };
        const base = offset;
        if (scenario.record.spikes !== 'none')
          for (const sink of sinks) {
            const record = spikeRecorder(sink, recorded);
            sn.sim.onSpikes((tick, pop, idx) => record(tick + base, pop, idx));
          }
        sn.sim.onEvent((e) => log.write({ ...e, data: { ...e.data, seed } }, base));
        const key = replayKey(seed, P, params.notebook);
        const schedule = new ReplaySchedule({ key, epochs: E, source: sn });
        for (let e = 1; e <= E; e++) {
          if (opts.signal?.aborted) {
            interrupted = true;
            break;
          }
          const te = performance.now();
          schedule.ensure(e);
          spikingMs += performance.now() - te;
          for (const sink of sinks) await sink.drain();
          opts.onProgress?.(s * E + e, proto.seeds * E, dtMs);
          await macrotask();
        }
        ticks += sn.sim.tick;
        synapticEvents += sn.synapticEvents;
        for (const [name, c] of Object.entries(sn.sim.spikeCounts())) counts[name] = (counts[name] ?? 0) + c;
        if (interrupted) break;
        const data = schedule.toData();
        let reference: ReplayData | null = null;
        let refSchedule: ReplaySchedule | null = null;
        if (proto.compare) {
          refSchedule = new ReplaySchedule({ key, epochs: E, source: new Notebook(params.notebook, train, seed) });
          const ta = performance.now();
          refSchedule.ensure(E);
          algebraicMs += performance.now() - ta;
          reference = refSchedule.toData();
          compared += E * P;
        }
        for (let e = 1; e <= E; e++)
          for (let slot = 0; slot < P; slot++) {
            const q = (e - 1) * P + slot;
            const r = schedule.entry(e, slot);
            outcomes[r.outcome]++;
            const row = perEpoch[e]!;
            row[r.outcome]++;
            row.kwta += r.kwtaCycles;
            row.threshold += r.thresholdCycles;
            row.n++;
            if (reference && sameReactivation(data, reference, q)) {
              identical++;
              row.identical++;
            }
          }
        // The student learns from the spiking notebook's reactivations (its curves go into curves.csv).
        const r = runCls(params, seed, { kind: 'unregulated' }, undefined, { schedule });
        if (refSchedule) {
          const ra = runCls(params, seed, { kind: 'unregulated' }, undefined, { schedule: refSchedule });
          for (let e = 0; e <= E; e++)
            curvesDifference = Math.max(curvesDifference, Math.abs(r.curves.student_train[e]! - ra.curves.student_train[e]!), Math.abs(r.curves.student_test[e]! - ra.curves.student_test[e]!));
        }
        for (let e = 0; e <= E; e++) {
          acc.train[e]! += r.curves.student_train[e]!;
          acc.test[e]! += r.curves.student_test[e]!;
          acc.combined[e]! += r.curves.combined_train[e]!;
        }
        acc.notebook += r.curves.notebook_train;
        acc.done++;
        offset += sn.sim.tick;
      } finally {
        sn.dispose();
      }
    }
    log.close(files);
    for (const sink of sinks) await sink.close();
    const wallMs = performance.now() - t0;

    const done = acc.done > 0 ? acc.done : NaN; // no finished seed (interrupted): NaN curves
    const alpha = P / proto.inputs;
    const snr = proto.snr === 'inf' ? Infinity : proto.snr;
    const curves: Array<Record<string, number | string>> = [];
    for (let e = 0; e <= E; e++)
      curves.push({
        epoch: e,
        student_memory_error: acc.train[e]! / done,
        student_generalization_error: acc.test[e]! / done,
        notebook_memory_error: acc.notebook / done,
        combined_memory_error: acc.combined[e]! / done,
        theory_memory_error: etDiscrete(alpha, snr, proto.learning_rate, e),
        theory_generalization_error: egDiscrete(alpha, snr, proto.learning_rate, e),
      });
    const reactivationRows: Array<Record<string, number | string>> = perEpoch.slice(1).map((row, i) => ({
      epoch: i + 1,
      stored: row.stored,
      spurious: row.spurious,
      silent: row.silent,
      mean_kwta_cycles: row.n ? row.kwta / row.n : 0,
      mean_threshold_cycles: row.n ? row.threshold / row.n : 0,
      ...(proto.compare ? { identical_to_algebraic: row.identical } : {}),
    }));
    const reactivations = outcomes.stored + outcomes.spurious + outcomes.silent;
    const simulatedMs = ticks * dtMs;
    const results: Record<string, unknown> = {
      seeds: acc.done,
      epochs: E,
      examples: P,
      notebook_units: proto.notebook_units,
      reactivations,
      stored_fraction: reactivations ? outcomes.stored / reactivations : NaN,
      spurious_fraction: reactivations ? outcomes.spurious / reactivations : NaN,
      silent_fraction: reactivations ? outcomes.silent / reactivations : NaN,
      ...(proto.compare
        ? {
            agreement: compared ? identical / compared : NaN,
            identical_reactivations: identical,
            curves_max_difference: curvesDifference,
            algebraic_ms_per_reactivation: compared ? algebraicMs / compared : NaN,
            cost_ratio: algebraicMs > 0 ? spikingMs / algebraicMs : NaN,
          }
        : {}),
      spiking_ms_per_reactivation: reactivations ? spikingMs / reactivations : NaN,
      engine_ticks: ticks,
      synaptic_events_per_reactivation: reactivations ? synapticEvents / reactivations : NaN,
      student_memory_error_final: acc.train[E]! / done,
      student_generalization_error_final: acc.test[E]! / done,
      notebook_memory_error: acc.notebook / done,
      theory_memory_error_final: etDiscrete(alpha, snr, proto.learning_rate, E),
      theory_generalization_error_final: egDiscrete(alpha, snr, proto.learning_rate, E),
    };
    const expectations = resultExpectations(scenario.expect.results, results, !interrupted);
    const charts: Record<string, Omit<LineSeries, 'rows'>> = {
      curves: {
        title: `Student learning from the spiking notebook (M ${proto.notebook_units}, P ${P}, SNR ${String(proto.snr)})`,
        note: 'theory: gradient descent with perfect replay, Marchenko-Pastur average (Advani et al. 2020)',
        y: ['student_memory_error', 'theory_memory_error', 'student_generalization_error', 'theory_generalization_error', 'notebook_memory_error'],
        labels: {
          student_memory_error: 'student memory error (simulation)',
          theory_memory_error: 'student memory error (theory)',
          student_generalization_error: 'student generalization error (simulation)',
          theory_generalization_error: 'student generalization error (theory)',
          notebook_memory_error: 'notebook memory error (simulation)',
        },
        x: 'epoch',
        yTitle: 'mean squared error',
      },
    };
    const populations = info ? populationSummaries(info.network, counts, simulatedMs, () => NaN) : {};
    const summary: RunSummary = {
      scenario: scenario.name,
      circuit: 'cls-notebook (kwta_unit, built from the notebook)',
      backend: 'cpu',
      device: 'cpu',
      precision: 64,
      backend_reason: 'the spiking notebook runs on the cpu backend in float64',
      kernels: info?.kernels ?? {},
      threads: 1,
      shared_ticks: { update: 0, deliver: 0 },
      seed: seed0,
      dt_ms: dtMs,
      biological_ms: simulatedMs,
      build_ms: Math.round(buildMs * 1000) / 1000,
      wall_ms: Math.round(wallMs * 1000) / 1000,
      real_time_factor: Math.round((simulatedMs / Math.max(spikingMs, 1e-9)) * 1000) / 1000,
      synapses: info?.synapses ?? 0,
      synapse_bytes: info?.synapseBytes ?? 0,
      synapse_bytes_per_synapse: Math.round((info?.perSynapse ?? 0) * 1000) / 1000,
      synaptic_events: synapticEvents,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      populations,
      expectations,
      passed: expectations.every((e) => e.pass || !e.enforced),
      interrupted,
      spikes_written: sinks.reduce((m, s) => Math.max(m, s.rows), 0),
      events: log.count,
      files,
      results,
    };
    if (out) await writeProtocolOutputs(out, summary, { curves, reactivations: reactivationRows }, charts, [{ name: 'reactivations', caption: 'Reactivations per epoch (spiking notebook)' }]);
    return summary;
  } catch (e) {
    out?.discard();
    throw e;
  }
}
