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
import { performance } from 'node:perf_hooks';
import { egDiscrete, etDiscrete, notebookMemoryError, onlineEgOnePass, optimalStopping } from '../../analysis/cls-theory/index.ts';
import {
  type ClsEvent,
  clsParams,
  complexTeacherSnr,
  createNotebook,
  createTeacher,
  gradientStep,
  meanSquaredError,
  partialTeacherSnr,
  replayKey,
  runCls,
  type Regime,
  sampleData,
} from '../../models/memory/cls/index.ts';
import type { LineSeries } from '../../recording/plots.ts';
import { OutputDir } from '../../recording/sinks/output-dir.ts';
import type { LoadedScenario } from '../loader.ts';
import { EventLog, openSpikeLog } from '../log.ts';
import { modelSummary, resultExpectations, writeProtocolOutputs } from '../outputs.ts';
import type { RunSummary, ScenarioRunOptions } from '../types.ts';
import type { ClsProtocol } from '../schema.ts';
import { poolSize, ReplayPool } from '../workers/replay-pool.ts';
import { recallStatesFor } from '../workers/replay-source.ts';

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : NaN;
};

export async function runClsScenario(loaded: LoadedScenario, proto: ClsProtocol, opts: ScenarioRunOptions): Promise<RunSummary> {
  const { scenario, file } = loaded;
  const seed0 = opts.seed ?? scenario.seed;
  const out = opts.outDir !== undefined ? new OutputDir(opts.outDir, { overwrite: opts.overwrite === true }) : null;
  const schedules = proto.task === 'alpha-sweep' ? proto.alpha.length * proto.seeds : proto.task === 'notebook-comparison' ? 2 * proto.seeds : proto.seeds;
  const pool = new ReplayPool(poolSize(proto.workers, schedules), undefined, proto.notebook_kernel);
  try {
    const t0 = performance.now();
    const snrs = proto.snr.map((s) => (s === 'inf' ? Infinity : s));
    const alpha = proto.examples / proto.inputs;
    const files: Record<string, string> = {};
    const sinks = openSpikeLog(scenario.record, opts, out, 1, files);
    const log = new EventLog(out, sinks, 1);
    let step = 0;
    const emit = (kind: string, id: number, data: Record<string, unknown>) => log.write({ tick: step, kind, id, data });

    const tables: Record<string, Array<Record<string, number | string>>> = {};
    /** Figures of the tables, by table name. Legends name what each line shows; theory lines sit beside the simulation. */
    const charts: Record<string, Omit<LineSeries, 'rows'>> = {};
    /** Where the theory curves come from (a line under each figure's title). */
    const GD_THEORY = 'theory: gradient descent with perfect replay, Marchenko-Pastur average (Advani et al. 2020)';
    /** The promise's value, or undefined as soon as the run is interrupted (Ctrl-C) while waiting for it. */
    const untilAborted = <T>(p: Promise<T>): Promise<T | undefined> => {
      const signal = opts.signal;
      if (!signal) return p;
      if (signal.aborted) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve, reject) => {
        const onAbort = () => resolve(undefined);
        signal.addEventListener('abort', onAbort, { once: true });
        p.then(
          (v) => {
            signal.removeEventListener('abort', onAbort);
            resolve(v);
          },
          (e: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      });
    };
    /**
     * Mean curves of `seeds` runs of one condition; events of the first seed include its reactivations. With `replayStats`,
     * also how evenly each seed's schedule replays the memories (the coefficient of variation of the times each memory
     * is reactivated, over all epochs).
     */
    /** Where each seed's notebook recalls end (recallStatesFor), shared by its runs at every SNR and regime. */
    const recallCache = new Map<string, NonNullable<ReturnType<typeof recallStatesFor>>>();
    type Condition = { readonly params: ReturnType<typeof clsParams>; readonly regime: Regime; readonly label: Record<string, unknown>; readonly replayStats?: boolean };
    /**
     * Mean curves of `seeds` runs of each condition, seed by seed: every condition's run of a seed starts as soon as
     * that seed's schedule is back from the threads (conditions of one seed share it when their notebooks do), so the
     * runs overlap the threads' work on the later seeds. Events of each condition's first seed include its
     * reactivations. With `replayStats`, also how evenly each seed's schedule replays the memories (the coefficient
     * of variation of the times each memory is reactivated, over all epochs).
     */
    const averageAll = async (conditions: readonly Condition[]) => {
      const accs = conditions.map(({ params }) => {
        const E = params.student.epochs;
        return {
          train: new Float64Array(E + 1),
          test: new Float64Array(E + 1),
          combined: new Float64Array(E + 1),
          lesion: new Float64Array(E + 1),
          notebook: [] as number[],
          notebookTest: [] as number[],
          stops: [] as number[],
          /** Per seed: recalls that ended exactly on the cued memory (of P), reactivations by outcome, replay CV. */
          exact: [] as number[],
          outcomes: { stored: 0, spurious: 0, silent: 0 },
          replayCv: [] as number[],
          /** Seeds that finished (fewer than proto.seeds when the run was interrupted); the curves are their mean. */
          done: 0,
        };
      });
      const seeds = Array.from({ length: proto.seeds }, (_, s) => seed0 + s);
      for (const { params } of conditions) pool.prefetch(params, seeds);
      seedLoop: for (let s = 0; s < proto.seeds && !opts.signal?.aborted; s++) {
        const first = s === 0;
        // a seed counts once every condition has run it (an interrupted seed is left out of every condition)
        const runs: Array<{ r: ReturnType<typeof runCls>; replayCv?: number }> = [];
        for (const { params, regime, label, replayStats } of conditions) {
          const E = params.student.epochs;
          const schedule = await untilAborted(pool.get(params, seed0 + s));
          if (!schedule || opts.signal?.aborted) break seedLoop; // interrupted while the threads computed it
          const recallKey = `${replayKey(seed0 + s, params.p, params.notebook)}:${params.teacher.n}:${params.pTest}`;
          let recall = recallCache.get(recallKey);
          if (!recall) {
            recall = recallStatesFor(params, seed0 + s, pool.kernel);
            if (recall) recallCache.set(recallKey, recall);
          }
          const base = { ...label, seed: seed0 + s };
          const r = runCls(params, seed0 + s, regime, (e: ClsEvent) => {
            if (e.kind === 'reactivation') {
              step++;
              emit('reactivation', Math.max(0, e.memory), { ...base, epoch: e.epoch, outcome: e.outcome, distance: e.distance });
            } else if (e.kind === 'replay') {
              if (!first) step += e.stored + e.spurious + e.silent; // the first seed's clock advanced per reactivation
              emit('replay', e.epoch, { ...base, student_train: e.student_train, student_test: e.student_test });
            }
            else if (e.kind === 'consolidation-stop') emit('consolidation-stop', e.epoch, { ...base, t_star: e.t_star, source: e.source });
          }, { schedule, reactivationEvents: first, ...(recall ? { recall } : {}) });
          let replayCv: number | undefined;
          if (replayStats) {
            const times = new Float64Array(params.p);
            for (let e = 1; e <= E; e++) for (let slot = 0; slot < params.p; slot++) {
              const entry = schedule.entry(e, slot);
              if (entry.outcome === 'stored') times[entry.memory]!++;
            }
            const m = mean(times);
            replayCv = Math.sqrt(mean(times.map((t) => (t - m) ** 2))) / m;
          }
          runs.push({ r, ...(replayCv === undefined ? {} : { replayCv }) });
          for (const sink of sinks) await sink.drain();
        }
        runs.forEach(({ r, replayCv }, ci) => {
          const acc = accs[ci]!;
          for (let e = 0; e < acc.train.length; e++) {
            acc.train[e]! += r.curves.student_train[e]!;
            acc.test[e]! += r.curves.student_test[e]!;
            acc.combined[e]! += r.curves.combined_train[e]!;
            acc.lesion[e]! += r.curves.lesion_memory_score[e]!;
          }
          acc.notebook.push(r.curves.notebook_train);
          acc.notebookTest.push(r.curves.notebook_test);
          acc.exact.push(r.notebook_exact_recalls);
          for (const o of ['stored', 'spurious', 'silent'] as const) acc.outcomes[o] += r.reactivations[o];
          if (replayCv !== undefined) acc.replayCv.push(replayCv);
          if (r.stopped_at !== null) acc.stops.push(r.stopped_at);
          acc.done++;
        });
        opts.onProgress?.(s + 1, proto.seeds, 1);
      }
      if (opts.signal?.aborted) interrupted = true;
      for (const acc of accs) for (const curve of [acc.train, acc.test, acc.combined, acc.lesion]) for (let e = 0; e < curve.length; e++) curve[e] = acc.done ? curve[e]! / acc.done : NaN;
      return accs;
    };
    /** Mean curves of `seeds` runs of one condition (averageAll). */
    const average = async (params: ReturnType<typeof clsParams>, regime: Regime, label: Record<string, unknown>, replayStats = false) =>
      (await averageAll([{ params, regime, label, replayStats }]))[0]!;
    const argmin = (x: Float64Array) => {
      let k = 0;
      for (let e = 1; e < x.length; e++) if (x[e]! < x[k]!) k = e;
      return k;
    };
    /** The notebook's parameters: the Hopfield network's defaults at M = notebook_units, or the SDM's. */
    const { sdm } = proto;
    const notebookOf = (kind: 'hopfield' | 'sdm') =>
      kind === 'sdm'
        ? {
            m: proto.notebook_units,
            kind,
            locations: sdm.locations,
            addressUnits: sdm.address_units,
            counters: sdm.counters,
            ...(sdm.top_k !== undefined ? { topK: sdm.top_k } : { threshold: sdm.threshold ?? 2 }),
          }
        : { m: proto.notebook_units };
    const base = (snr: number, p = proto.examples, kind = proto.notebook) =>
      clsParams({ teacher: { kind: 'linear', n: proto.inputs, snr }, p, notebook: notebookOf(kind), student: { eta: proto.learning_rate, epochs: proto.epochs } });
    const extra: Record<string, unknown> = {};
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
    if (proto.task === 'snr-sweep') {
      const rows: Array<Record<string, number | string>> = [];
      type LesionCurve = { t_star?: number; lesion_epochs: number[]; memory_score: number[]; theory: number[] };
      const lesion: { regulated: Record<string, LesionCurve>; unregulated: Record<string, LesionCurve> } = { regulated: {}, unregulated: {} };
      const lesionScalars = { regulated_max: [] as number[], regulated_final: [] as number[], unregulated_final: [] as number[] };
      for (const [si, snr] of snrs.entries()) {
        const acc = await average(base(snr), { kind: 'unregulated' }, { snr: proto.snr[si] });
        const th = optimalStopping(alpha, snr, proto.learning_rate, proto.epochs, true);
        // Regulated consolidation (Sun et al. 2023): replay stops at the theory's t*, and the student with it. With
        // t* at the last epoch it is the unregulated run.
        const reg =
          th.tStar >= proto.epochs || interrupted
            ? acc
            : await average(base(snr), { kind: 'generalization-optimized', tStar: { source: 'given', tStar: th.tStar } }, { snr: proto.snr[si], regime: 'regulated' });
        const t = argmin(acc.test);
        rows.push({ snr: String(proto.snr[si]), t_star_simulated: t, t_star_theory: th.tStar, eg_at_t_star: acc.test[t]!, eg_at_t_star_theory: th.egAtTStar, eg_final: acc.test[proto.epochs]!, eg_final_theory: th.egFinal, et_final: acc.train[proto.epochs]!, et_final_theory: th.etFinal });
        const every = Math.max(1, Math.floor(proto.epochs / 200));
        const amnesia: Array<Record<string, number | string>> = [];
        // Theory: a lesion at e leaves the student, 1 - Et(e) / Et(0); intact, the better of student and notebook, whose
        // error is (P - 1)/(M - 1) (Sun et al. 2023).
        const et0 = etDiscrete(alpha, snr, proto.learning_rate, 0);
        const nbTheory = notebookMemoryError(proto.examples, proto.notebook_units);
        for (let e = 0; e <= proto.epochs; e += every) {
          const et = etDiscrete(alpha, snr, proto.learning_rate, e);
          amnesia.push({
            epoch: e,
            memory_score_after_lesion: acc.lesion[e]!,
            memory_score_intact: 1 - Math.min(acc.train[e]!, mean(acc.notebook)) / acc.train[0]!,
            theory_memory_score_after_lesion: 1 - et / et0,
            theory_memory_score_intact: 1 - Math.min(et, nbTheory) / et0,
            regulated_memory_score_after_lesion: reg.lesion[e]!,
            // The regulated student learns until t* and is then left as it is.
            theory_regulated_memory_score_after_lesion: 1 - etDiscrete(alpha, snr, proto.learning_rate, Math.min(e, th.tStar)) / et0,
          });
        }
        // summary.json: the memory score after a lesion at each of about 20 lesion epochs, per regime and SNR.
        const lesionEvery = Math.max(1, Math.floor(proto.epochs / 20));
        const lesionEpochs = Array.from({ length: Math.floor(proto.epochs / lesionEvery) + 1 }, (_, k) => k * lesionEvery);
        const key = String(proto.snr[si]);
        lesion.unregulated[key] = { lesion_epochs: lesionEpochs, memory_score: lesionEpochs.map((e) => acc.lesion[e]!), theory: lesionEpochs.map((e) => 1 - etDiscrete(alpha, snr, proto.learning_rate, e) / et0) };
        lesion.regulated[key] = {
          t_star: th.tStar,
          lesion_epochs: lesionEpochs,
          memory_score: lesionEpochs.map((e) => reg.lesion[e]!),
          theory: lesionEpochs.map((e) => 1 - etDiscrete(alpha, snr, proto.learning_rate, Math.min(e, th.tStar)) / et0),
        };
        lesionScalars.regulated_max.push(Math.max(...lesion.regulated[key].memory_score));
        lesionScalars.regulated_final.push(reg.lesion[proto.epochs]!);
        lesionScalars.unregulated_final.push(acc.lesion[proto.epochs]!);
        tables[`amnesia_snr_${String(proto.snr[si])}`] = amnesia;
        charts[`amnesia_snr_${String(proto.snr[si])}`] = {
          title: `Retrograde amnesia, SNR ${String(proto.snr[si])}: memory score after a notebook lesion at epoch e`,
          note: `${GD_THEORY}; notebook error (P - 1)/(M - 1)`,
          x: 'epoch',
          y: [
            'memory_score_after_lesion',
            'theory_memory_score_after_lesion',
            'regulated_memory_score_after_lesion',
            'theory_regulated_memory_score_after_lesion',
            'memory_score_intact',
            'theory_memory_score_intact',
          ],
          labels: {
            memory_score_after_lesion: 'lesion at epoch e, unregulated replay (simulation)',
            theory_memory_score_after_lesion: 'lesion at epoch e, unregulated replay (theory)',
            regulated_memory_score_after_lesion: `lesion at epoch e, regulated: replay stops at t* = ${th.tStar} (simulation)`,
            theory_regulated_memory_score_after_lesion: 'lesion at epoch e, regulated (theory)',
            memory_score_intact: 'notebook intact (simulation)',
            theory_memory_score_intact: 'notebook intact (theory)',
          },
          xTitle: 'epoch of the lesion',
          yTitle: 'memory score',
        };
        if (interrupted) break;
      }
      tables.snr_sweep = rows;
      extra.lesion = lesion;
      extra.lesion_regulated_max = lesionScalars.regulated_max;
      extra.lesion_regulated_final = lesionScalars.regulated_final;
      extra.lesion_unregulated_final = lesionScalars.unregulated_final;
      extra.t_star_simulated = rows.map((r) => r.t_star_simulated);
      extra.t_star_theory = rows.map((r) => r.t_star_theory);
      extra.eg_at_t_star = rows.map((r) => r.eg_at_t_star);
      extra.eg_final = rows.map((r) => r.eg_final);
      extra.eg_final_theory = rows.map((r) => r.eg_final_theory);
    } else if (proto.task === 'notebook-comparison') {
      // The Hopfield and the SDM notebook on the same teachers and students (the same seeds draw the same data, index
      // patterns and reactivation seeds): notebook recall, consolidation and amnesia curves side by side.
      const kinds = ['hopfield', 'sdm'] as const;
      type LesionCurve = { t_star: number; lesion_epochs: number[]; memory_score: number[] };
      const scalars = () => ({
        notebook_memory_error: [] as number[],
        notebook_generalization_error: [] as number[],
        exact_recall_fraction: [] as number[],
        stored_fraction: [] as number[],
        spurious_fraction: [] as number[],
        silent_fraction: [] as number[],
        replay_cv: [] as number[],
        crossover_epoch: [] as Array<number | null>,
        eg_min_unregulated: [] as number[],
        eg_final_unregulated: [] as number[],
        et_final_unregulated: [] as number[],
        eg_at_stop_regulated: [] as number[],
        lesion_regulated_max: [] as number[],
        lesion_regulated_final: [] as number[],
        lesion_unregulated_final: [] as number[],
        lesion: { regulated: {} as Record<string, LesionCurve>, unregulated: {} as Record<string, LesionCurve> },
      });
      const per = { hopfield: scalars(), sdm: scalars() };
      const rows: Array<Record<string, number | string>> = [];
      const tStars: number[] = [];
      const lesionEvery = Math.max(1, Math.floor(proto.epochs / 20));
      const lesionEpochs = Array.from({ length: Math.floor(proto.epochs / lesionEvery) + 1 }, (_, k) => k * lesionEvery);
      for (const [si, snr] of snrs.entries()) {
        const key = String(proto.snr[si]);
        const th = optimalStopping(alpha, snr, proto.learning_rate, proto.epochs, true);
        tStars.push(th.tStar);
        const runs: Partial<Record<(typeof kinds)[number], { un: Awaited<ReturnType<typeof average>>; reg: Awaited<ReturnType<typeof average>> }>> = {};
        for (const kind of kinds) {
          const params = base(snr, proto.examples, kind);
          const un = await average(params, { kind: 'unregulated' }, { snr: proto.snr[si], notebook: kind }, true);
          const reg =
            th.tStar >= proto.epochs || interrupted
              ? un
              : await average(params, { kind: 'generalization-optimized', tStar: { source: 'given', tStar: th.tStar } }, { snr: proto.snr[si], notebook: kind, regime: 'regulated' });
          runs[kind] = { un, reg };
          const q = per[kind];
          const nb = mean(un.notebook);
          const replays = un.outcomes.stored + un.outcomes.spurious + un.outcomes.silent;
          let cross: number | null = null;
          for (let e = 0; e <= proto.epochs; e++)
            if (un.train[e]! < nb) {
              cross = e;
              break;
            }
          q.notebook_memory_error.push(nb);
          q.notebook_generalization_error.push(mean(un.notebookTest));
          q.exact_recall_fraction.push(mean(un.exact) / proto.examples);
          q.stored_fraction.push(un.outcomes.stored / replays);
          q.spurious_fraction.push(un.outcomes.spurious / replays);
          q.silent_fraction.push(un.outcomes.silent / replays);
          q.replay_cv.push(mean(un.replayCv));
          q.crossover_epoch.push(cross);
          q.eg_min_unregulated.push(un.test[argmin(un.test)]!);
          q.eg_final_unregulated.push(un.test[proto.epochs]!);
          q.et_final_unregulated.push(un.train[proto.epochs]!);
          q.eg_at_stop_regulated.push(reg.test[proto.epochs]!);
          q.lesion.unregulated[key] = { t_star: proto.epochs, lesion_epochs: lesionEpochs, memory_score: lesionEpochs.map((e) => un.lesion[e]!) };
          q.lesion.regulated[key] = { t_star: th.tStar, lesion_epochs: lesionEpochs, memory_score: lesionEpochs.map((e) => reg.lesion[e]!) };
          q.lesion_regulated_max.push(Math.max(...q.lesion.regulated[key].memory_score));
          q.lesion_regulated_final.push(reg.lesion[proto.epochs]!);
          q.lesion_unregulated_final.push(un.lesion[proto.epochs]!);
          rows.push({
            notebook: kind,
            snr: key,
            notebook_memory_error: nb,
            exact_recall_fraction: mean(un.exact) / proto.examples,
            stored_fraction: un.outcomes.stored / replays,
            replay_cv: mean(un.replayCv),
            crossover_epoch: cross ?? '',
            eg_min_unregulated: un.test[argmin(un.test)]!,
            eg_final_unregulated: un.test[proto.epochs]!,
            eg_at_stop_regulated: reg.test[proto.epochs]!,
            lesion_unregulated_final: un.lesion[proto.epochs]!,
            lesion_regulated_final: reg.lesion[proto.epochs]!,
          });
          if (interrupted) break;
        }
        const h = runs.hopfield;
        const d = runs.sdm;
        if (!h || !d) break;
        const et0 = etDiscrete(alpha, snr, proto.learning_rate, 0);
        const curveRows: Array<Record<string, number | string>> = [];
        for (let e = 0; e <= proto.epochs; e += Math.max(1, Math.floor(proto.epochs / 400))) {
          curveRows.push({
            epoch: e,
            hopfield_student_memory_error: h.un.train[e]!,
            sdm_student_memory_error: d.un.train[e]!,
            hopfield_notebook_memory_error: mean(h.un.notebook),
            sdm_notebook_memory_error: mean(d.un.notebook),
            hopfield_student_generalization_error: h.un.test[e]!,
            sdm_student_generalization_error: d.un.test[e]!,
            theory_memory_error: etDiscrete(alpha, snr, proto.learning_rate, e),
            theory_generalization_error: egDiscrete(alpha, snr, proto.learning_rate, e),
          });
        }
        tables[`consolidation_snr_${key}`] = curveRows;
        charts[`consolidation_snr_${key}`] = {
          title: `SNR ${key}: consolidation from the Hopfield and the SDM notebook (alpha ${alpha})`,
          note: `${GD_THEORY}; unregulated replay`,
          x: 'epoch',
          y: [
            'hopfield_student_memory_error',
            'sdm_student_memory_error',
            'hopfield_notebook_memory_error',
            'sdm_notebook_memory_error',
            'hopfield_student_generalization_error',
            'sdm_student_generalization_error',
            'theory_memory_error',
            'theory_generalization_error',
          ],
          labels: {
            hopfield_student_memory_error: 'student memory error, Hopfield notebook',
            sdm_student_memory_error: 'student memory error, SDM notebook',
            hopfield_notebook_memory_error: 'notebook memory error, Hopfield',
            sdm_notebook_memory_error: 'notebook memory error, SDM',
            hopfield_student_generalization_error: 'student generalization error, Hopfield notebook',
            sdm_student_generalization_error: 'student generalization error, SDM notebook',
            theory_memory_error: 'student memory error (theory, perfect replay)',
            theory_generalization_error: 'student generalization error (theory, perfect replay)',
          },
          yTitle: 'mean squared error',
        };
        const every = Math.max(1, Math.floor(proto.epochs / 200));
        const amnesia: Array<Record<string, number | string>> = [];
        for (let e = 0; e <= proto.epochs; e += every) {
          amnesia.push({
            epoch: e,
            hopfield_unregulated: h.un.lesion[e]!,
            sdm_unregulated: d.un.lesion[e]!,
            hopfield_regulated: h.reg.lesion[e]!,
            sdm_regulated: d.reg.lesion[e]!,
            theory_unregulated: 1 - etDiscrete(alpha, snr, proto.learning_rate, e) / et0,
            theory_regulated: 1 - etDiscrete(alpha, snr, proto.learning_rate, Math.min(e, th.tStar)) / et0,
          });
        }
        tables[`amnesia_snr_${key}`] = amnesia;
        charts[`amnesia_snr_${key}`] = {
          title: `Retrograde amnesia, SNR ${key}: memory score after a notebook lesion at epoch e, Hopfield and SDM notebook`,
          note: `${GD_THEORY}; regulated replay stops at t* = ${th.tStar}`,
          x: 'epoch',
          y: ['hopfield_unregulated', 'sdm_unregulated', 'theory_unregulated', 'hopfield_regulated', 'sdm_regulated', 'theory_regulated'],
          labels: {
            hopfield_unregulated: 'unregulated, Hopfield notebook',
            sdm_unregulated: 'unregulated, SDM notebook',
            theory_unregulated: 'unregulated (theory)',
            hopfield_regulated: `regulated (t* = ${th.tStar}), Hopfield notebook`,
            sdm_regulated: `regulated (t* = ${th.tStar}), SDM notebook`,
            theory_regulated: 'regulated (theory)',
          },
          xTitle: 'epoch of the lesion',
          yTitle: 'memory score',
        };
        if (interrupted) break;
      }
      tables.notebooks = rows;
      // Capacity: each notebook alone against P (the SDM at each number of hard locations), recall from the stored x
      // and one epoch of reactivations, averaged over the seeds.
      if (proto.capacity_examples.length > 0 && !interrupted) {
        const locations = proto.capacity_locations.length > 0 ? proto.capacity_locations : [sdm.locations];
        const memories: Array<[string, (p: number) => ReturnType<typeof clsParams>]> = [
          ['hopfield', (p) => base(Infinity, p, 'hopfield')],
          ...locations.map((h): [string, (p: number) => ReturnType<typeof clsParams>] => [`sdm_${h}`, (p) => clsParams({ ...base(Infinity, p, 'sdm'), notebook: { ...notebookOf('sdm'), locations: h } })]),
        ];
        const capacity: Record<string, unknown> = { examples: proto.capacity_examples, locations };
        const capRows: Array<Record<string, number | string>> = proto.capacity_examples.map((p) => ({ examples: p }));
        for (const [name, paramsOf] of memories) {
          const q = { exact_recall_fraction: [] as number[], memory_error: [] as number[], stored_fraction: [] as number[] };
          for (const [pi, p] of proto.capacity_examples.entries()) {
            let exact = 0;
            let error = 0;
            let stored = 0;
            for (let s = 0; s < proto.seeds && !opts.signal?.aborted; s++) {
              const params = paramsOf(p);
              const train = sampleData(createTeacher(params.teacher, seed0 + s), p, 'train');
              const nb = createNotebook(params.notebook, train, seed0 + s);
              const r = nb.recallError(train);
              exact += r.exact / p / proto.seeds;
              error += r.error / proto.seeds;
              for (let slot = 0; slot < p; slot++) stored += +(nb.settle(1, slot).outcome === 'stored') / p / proto.seeds;
            }
            q.exact_recall_fraction.push(exact);
            q.memory_error.push(error);
            q.stored_fraction.push(stored);
            Object.assign(capRows[pi]!, { [`${name}_exact_recall_fraction`]: exact, [`${name}_memory_error`]: error, [`${name}_stored_fraction`]: stored });
          }
          capacity[name] = q;
        }
        if (opts.signal?.aborted) interrupted = true;
        tables.capacity = capRows;
        charts.capacity = {
          title: `Capacity: recall from the stored x against P (M = ${proto.notebook_units})`,
          note: `SDM notebooks with ${locations.join(', ')} hard locations of ${sdm.address_units} units; the Hopfield network has M^2 = ${proto.notebook_units ** 2} weights`,
          x: 'examples',
          y: memories.map(([name]) => `${name}_exact_recall_fraction`),
          labels: Object.fromEntries(memories.map(([name]) => [`${name}_exact_recall_fraction`, name === 'hopfield' ? 'Hopfield notebook' : `SDM notebook, ${name.slice(4)} locations`])),
          xTitle: 'stored examples P',
          yTitle: 'fraction recalled exactly',
        };
        extra.capacity = capacity;
      }
      extra.snr = proto.snr;
      extra.t_star_theory = tStars;
      extra.notebook_memory_error_theory = notebookMemoryError(proto.examples, proto.notebook_units);
      extra.hopfield = per.hopfield;
      extra.sdm = per.sdm;
    } else if (proto.task === 'alpha-sweep') {
      const snr = snrs[0]!;
      const rows: Array<Record<string, number | string>> = [];
      for (const a of proto.alpha) {
        const p = Math.max(1, Math.round(a * proto.inputs));
        const acc = await average(base(snr, p), { kind: 'unregulated' }, { alpha: a });
        pool.forget(); // each P has its own schedules, used by this condition only
        const nbTest = mean(acc.notebookTest);
        // The student alone, online: one pass of single-example SGD over the P examples (no notebook, no replay).
        let online = 0;
        for (let s = 0; s < proto.seeds; s++) {
          const teacher = createTeacher({ kind: 'linear', n: proto.inputs, snr }, seed0 + s);
          const train = sampleData(teacher, p, 'train');
          const test = sampleData(teacher, 1000, 'test');
          const w = new Float64Array(proto.inputs);
          for (let q = 0; q < p; q++) gradientStep(w, train.x.subarray(q * proto.inputs, (q + 1) * proto.inputs), train.y.subarray(q, q + 1), 1, proto.learning_rate);
          online += meanSquaredError(w, test) / proto.seeds;
        }
        rows.push({
          student_online_eg: online,
          alpha: a,
          student_final_eg: acc.test[proto.epochs]!,
          student_best_eg: acc.test[argmin(acc.test)]!,
          theory_final_eg: egDiscrete(p / proto.inputs, snr, proto.learning_rate, proto.epochs),
          theory_best_eg: optimalStopping(p / proto.inputs, snr, proto.learning_rate, proto.epochs, true).egAtTStar,
          student_online_eg_theory: onlineEgOnePass(p / proto.inputs, snr, proto.learning_rate, proto.inputs),
          notebook_only_eg: nbTest,
          combined_memory_error: Math.min(acc.train[proto.epochs]!, mean(acc.notebook)),
        });
        if (interrupted) break;
      }
      tables.alpha_sweep = rows;
      charts.alpha_sweep = {
        title: `Generalization against alpha = P/N (SNR ${String(proto.snr[0])})`,
        note: `${GD_THEORY}; online: exact at N = ${proto.inputs}; no theory for the notebook alone`,
        x: 'alpha',
        y: ['student_final_eg', 'theory_final_eg', 'student_best_eg', 'theory_best_eg', 'student_online_eg', 'student_online_eg_theory', 'notebook_only_eg'],
        labels: {
          student_final_eg: `student after ${proto.epochs} epochs (simulation)`,
          theory_final_eg: `student after ${proto.epochs} epochs (theory)`,
          student_best_eg: 'student at its best epoch (simulation)',
          theory_best_eg: 'student stopped at t* (theory)',
          student_online_eg: 'student, one online pass (simulation)',
          student_online_eg_theory: 'student, one online pass (theory)',
          notebook_only_eg: 'notebook alone (simulation)',
        },
        xTitle: 'alpha = P / N',
        yTitle: 'generalization error',
        logY: true,
      };
      extra.alpha = proto.alpha;
      extra.student_final_eg = rows.map((r) => r.student_final_eg);
      extra.theory_final_eg = rows.map((r) => r.theory_final_eg);
      const peakOf = (col: string) => rows[rows.reduce((m, r, i) => ((r[col] as number) > (rows[m]![col] as number) ? i : m), 0)]?.alpha ?? null;
      extra.double_descent_peak_alpha = peakOf('student_final_eg');
      extra.theory_peak_alpha = peakOf('theory_final_eg');
      extra.max_relative_difference_to_theory = Math.max(...rows.map((r) => Math.abs((r.student_final_eg as number) / (r.theory_final_eg as number) - 1)));
      extra.online_max_relative_difference_to_theory = Math.max(...rows.map((r) => Math.abs((r.student_online_eg as number) / (r.student_online_eg_theory as number) - 1)));
    } else if (proto.task === 'unpredictable') {
      const conditions: Array<[string, ReturnType<typeof clsParams>, number]> = [];
      const complex = clsParams({ teacher: { kind: 'complex', n: proto.inputs, gain: proto.complex_gain }, p: proto.examples, notebook: notebookOf(proto.notebook), student: { eta: proto.learning_rate, epochs: proto.epochs } });
      const partial = clsParams({ teacher: { kind: 'partial', n: proto.inputs, hidden: proto.hidden_inputs }, p: proto.examples, notebook: notebookOf(proto.notebook), student: { eta: proto.learning_rate, epochs: proto.epochs } });
      const snrC = complexTeacherSnr(proto.complex_gain);
      const snrP = partialTeacherSnr(proto.inputs, proto.hidden_inputs);
      conditions.push(['complex', complex, snrC], ['noisy_like_complex', base(snrC), snrC], ['partial', partial, snrP], ['noisy_like_partial', base(snrP), snrP]);
      const curves: Record<string, Float64Array> = {};
      for (const [name, params] of conditions) curves[name] = (await average(params, { kind: 'unregulated' }, { teacher: name })).test;
      const every = Math.max(1, Math.floor(proto.epochs / 300));
      const rows: Array<Record<string, number | string>> = [];
      for (let e = 0; e <= proto.epochs; e += every) {
        const row: Record<string, number | string> = { epoch: e };
        for (const [name] of conditions) row[name] = curves[name]![e]!;
        row.theory_complex_snr = egDiscrete(alpha, snrC, proto.learning_rate, e);
        row.theory_partial_snr = egDiscrete(alpha, snrP, proto.learning_rate, e);
        rows.push(row);
      }
      tables.unpredictable = rows;
      const snrText = (x: number) => (x === Infinity ? 'inf' : String(Number(x.toPrecision(3))));
      charts.unpredictable = {
        title: 'Deterministic unpredictability behaves like noise of the matching SNR',
        note: GD_THEORY,
        x: 'epoch',
        y: ['complex', 'noisy_like_complex', 'theory_complex_snr', 'partial', 'noisy_like_partial', 'theory_partial_snr'],
        labels: {
          complex: `teacher c sin(${proto.complex_gain} x.w) (simulation)`,
          noisy_like_complex: `noisy linear teacher, SNR ${snrText(snrC)} (simulation)`,
          theory_complex_snr: `linear teacher, SNR ${snrText(snrC)} (theory)`,
          partial: `student sees ${proto.inputs} of ${proto.inputs + proto.hidden_inputs} inputs (simulation)`,
          noisy_like_partial: `noisy linear teacher, SNR ${snrText(snrP)} (simulation)`,
          theory_partial_snr: `linear teacher, SNR ${snrText(snrP)} (theory)`,
        },
        yTitle: 'generalization error',
      };
      const rel = (a: Float64Array, b: Float64Array) => {
        let worst = 0;
        for (let e = 1; e <= proto.epochs; e++) worst = Math.max(worst, Math.abs(a[e]! / b[e]! - 1));
        return worst;
      };
      extra.effective_snr = { complex: snrC, partial: snrP };
      extra.max_relative_difference_complex = rel(curves.complex!, curves.noisy_like_complex!);
      extra.max_relative_difference_partial = rel(curves.partial!, curves.noisy_like_partial!);
    }
    // consolidation: every SNR and regime of a seed runs as soon as its schedule is back (averageAll)
    const consolidation = (proto.task === 'consolidation' ? snrs : []).map((snr, si) => {
      const params = clsParams({
        teacher: { kind: 'linear', n: proto.inputs, snr },
        p: proto.examples,
        notebook: notebookOf(proto.notebook),
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
      // A generalization-optimized run whose t* is the last epoch is the unregulated run: it is reused, not run.
      const reuse = (regime: Regime) => regime.kind === 'generalization-optimized' && regime.tStar.source === 'given' && regime.tStar.tStar >= proto.epochs;
      return { si, snr, params, stop, regimes: regimes.map(([name, regime]) => ({ name, regime, reused: name !== 'unregulated' && reuse(regime) })) };
    });
    const runs = consolidation.flatMap((c) => c.regimes.filter((r) => !r.reused).map((r) => ({ c, name: r.name, condition: { params: c.params, regime: r.regime, label: { snr: proto.snr[c.si], regime: r.name } } })));
    const finished = runs.length ? await averageAll(runs.map((r) => r.condition)) : [];
    for (const { si, snr, stop } of consolidation) {
      const curves = new Map<string, Awaited<ReturnType<typeof average>>>();
      runs.forEach((r, q) => {
        if (r.c.si === si) curves.set(r.name, finished[q]!);
      });
      if (!curves.has('optimized')) {
        const unregulated = curves.get('unregulated')!;
        curves.set('optimized', { ...unregulated, stops: unregulated.notebook.map(() => proto.epochs) });
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
      const nbTheory = notebookMemoryError(proto.examples, proto.notebook_units);
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
          theory_notebook_memory_error: nbTheory,
          theory_optimized_generalization_error: egDiscrete(alpha, snr, proto.learning_rate, Math.min(e, stop.tStar)),
        });
      }
      tables[`curves_snr_${String(proto.snr[si])}`] = rows;
      const stopWhere = { theory: `the theory's t* = ${stop.tStar}`, oracle: 'its best epoch (oracle)', 'held-out': 'the t* of held-out memories' }[proto.t_star];
      charts[`curves_snr_${String(proto.snr[si])}`] = {
        title: `SNR ${String(proto.snr[si])}: student, notebook and theory (alpha ${alpha})`,
        note: `${GD_THEORY}; notebook error (P - 1)/(M - 1); "stopped" replay ends at ${stopWhere} (theory: ${stop.tStar})`,
        y: [
          'student_memory_error',
          'theory_memory_error',
          'notebook_memory_error',
          'theory_notebook_memory_error',
          'student_generalization_error',
          'theory_generalization_error',
          'optimized_generalization_error',
          'theory_optimized_generalization_error',
        ],
        labels: {
          student_memory_error: 'student memory error (simulation)',
          theory_memory_error: 'student memory error (theory)',
          notebook_memory_error: 'notebook memory error (simulation)',
          theory_notebook_memory_error: 'notebook memory error (theory)',
          student_generalization_error: 'student generalization error (simulation)',
          theory_generalization_error: 'student generalization error (theory)',
          optimized_generalization_error: 'generalization, stopped (simulation)',
          theory_optimized_generalization_error: 'generalization, stopped (theory)',
        },
        x: 'epoch',
        yTitle: 'mean squared error',
      };
      // (an interrupted run reports every SNR: averageAll counts the seeds finished for all conditions)
    }
    log.close(files);
    for (const s of sinks) await s.close();
    const wallMs = performance.now() - t0;

    const results: Record<string, unknown> =
      proto.task === 'consolidation'
        ? { task: proto.task, alpha, seeds: proto.seeds, epochs: proto.epochs, t_star_source: proto.t_star, ...res }
        : { task: proto.task, seeds: proto.seeds, epochs: proto.epochs, ...extra };
    const expectations = resultExpectations(scenario.expect.results, results, !interrupted);
    const summary = modelSummary({
      scenario: scenario.name,
      model: 'cls-model (teacher, notebook, student)',
      reason: 'the CLS model runs on typed arrays',
      seed: seed0,
      biologicalMs: step,
      wallMs,
      expectations,
      interrupted,
      spikesWritten: sinks.reduce((m, s) => Math.max(m, s.rows), 0),
      events: log.count,
      files,
      results,
    });
    if (out) await writeProtocolOutputs(out, summary, tables, charts);
    void file;
    return summary;
  } catch (e) {
    out?.discard();
    throw e;
  } finally {
    await pool.close();
  }
}
