/**
 * One run of the teacher / notebook / student system of Sun et al. 2023 (Fig. 2): the notebook stores P examples in
 * one shot, then every epoch e = 1..E it makes P offline reactivations from random seeds, and the student takes one
 * full-batch gradient step on the P reactivated examples (x^, y^).
 *
 * Curves (index = epoch e = 0..E, the value after e updates; e = 0 is the zero student):
 *   student_train[e]  memory error of the student on the true stored pairs, (1/P) sum (y^mu - w . x^mu)^2
 *   student_test[e]   generalization error on `pTest` fresh pairs from the teacher
 *   notebook_train    the notebook's memory error: recall y^ from each stored x^mu (notebook.ts), mean squared
 *   notebook_test     the notebook's generalization error: recall from fresh x (both constant: the notebook is fixed)
 *   combined_train[e] min(student_train[e], notebook_train): the system answers with its better part
 *                     (after a lesion the notebook is gone and this is student_train)
 *   memory_score[e] = 1 - combined_train[e] / student_train[0],  lesion_memory_score[e] = 1 - student_train[e] /
 *   student_train[0] (what a notebook lesion at epoch e leaves), generalization_score[e] = 1 - student_test[e] /
 *   student_test[0]: 1 - error / error of the zero predictor, as Sun et al. define them (Go-CLS_v2 Fig_2/Fig_2g_h.m:
 *   (E(1) - E) / E(1)).
 *
 * Regimes. 'unregulated': replay runs all E epochs. 'generalization-optimized': consolidation stops at t*, after
 * which the student is frozen (its curves stay at their t* values, as in the paper's early-stopping curves) while the
 * notebook keeps its memories. t* is
 *   { source: 'given', tStar }   a number from the caller (e.g. gdTheory(...).tStar): replay stops after tStar updates;
 *   { source: 'oracle' }         argmin_e student_test[e], which needs the whole unregulated run: all E epochs are run,
 *                                then the student is set back to its weights at t* (the stop event comes at the end);
 *   { source: 'held-out', fraction, patience }  estimated by the system: round(fraction P) memories (stream
 *                                'cls:holdout') are kept out of the student's training (reactivations that land on one
 *                                of them are dropped from the batch) and serve as a validation set, read out from the
 *                                notebook (the readout of their index patterns). t^* = argmin of the validation error;
 *                                replay stops once it has not improved for `patience` epochs (or at E), and the student
 *                                is set back to its weights at t^*. Defaults fraction 0.2, patience 100 (ours).
 * A lesion (`lesionAt` = L) removes the notebook after L updates: no replay after L, combined = student from then on.
 * The notebook is the sparse Hopfield network (notebook.ts) or, with notebook kind 'sdm', a Kanerva SDM over the same
 * encoding (sdm-notebook.ts); the notebook errors are then that memory's recall (`createNotebook`).
 * `replay: 'perfect'` replaces the notebook by perfect replay of the true training pairs (for tests against theory);
 * the notebook errors are then NaN and combined = student.
 *
 * Reactivations come from a replay schedule (replay.ts): the run's own, filled as the epochs go, or one computed
 * beforehand for the same seed, P and notebook parameters and shared by every run that differs only in the teacher
 * or the regime (`RunOptions.schedule`, `computeReplaySchedule`); the results are identical either way.
 *
 * Events (plain callback, synchronous, in simulation order): 'encoding' (epoch 0), 'reactivation' (each replayed
 * example: outcome, memory, cycles; off with reactivationEvents: false), 'replay' (after each epoch's update, with
 * the errors), 'consolidation-stop', 'lesion', 'done'.
 */
import { CounterRng, streamId } from '../../../core/rng.ts';
import { InputError } from '../../../core/errors.ts';
import { drawSparsePatterns, Notebook, type FieldUpdate, type ReactivationOutcome, type RecallStates } from './notebook.ts';
import { validateClsParams, type ClsParams, type NotebookParams } from './params.ts';
import { SdmNotebook } from './sdm-notebook.ts';
import { GramError, Student } from './student.ts';
import { replayKey, ReplaySchedule } from './replay.ts';
import { createTeacher, sampleData, subset, type Dataset, type Teacher } from './teacher.ts';

export type TStarSource =
  | { readonly source: 'oracle' }
  | { readonly source: 'given'; readonly tStar: number }
  | { readonly source: 'held-out'; readonly fraction?: number; readonly patience?: number };

export type Regime = { readonly kind: 'unregulated' } | { readonly kind: 'generalization-optimized'; readonly tStar: TStarSource };

export type ClsEvent =
  | { readonly kind: 'encoding'; readonly epoch: 0; readonly memories: number; readonly notebook_train: number; readonly notebook_test: number }
  | {
      readonly kind: 'reactivation';
      readonly epoch: number;
      readonly slot: number;
      readonly outcome: ReactivationOutcome;
      readonly memory: number;
      readonly distance: number;
      readonly kwta_cycles: number;
      readonly threshold_cycles: number;
      readonly used: boolean;
    }
  | {
      readonly kind: 'replay';
      readonly epoch: number;
      readonly examples: number;
      readonly stored: number;
      readonly spurious: number;
      readonly silent: number;
      readonly student_train: number;
      readonly student_test: number;
      readonly validation?: number;
    }
  | { readonly kind: 'consolidation-stop'; readonly epoch: number; readonly t_star: number; readonly source: TStarSource['source'] }
  | { readonly kind: 'lesion'; readonly epoch: number }
  | { readonly kind: 'done'; readonly epoch: number };

export interface RunOptions {
  /** 'notebook' (default): replay from notebook reactivations; 'perfect': the true training pairs every epoch. */
  readonly replay?: 'notebook' | 'perfect';
  /** Remove the notebook after this many updates. */
  readonly lesionAt?: number;
  /** Emit one 'reactivation' event per replayed example (default true when onEvent is given). */
  readonly reactivationEvents?: boolean;
  /** Field maintenance of the notebook (default 'auto'). */
  readonly fieldUpdate?: FieldUpdate;
  /**
   * The reactivations to replay, computed beforehand (replay.ts: `computeReplaySchedule` with the same seed, P and
   * notebook parameters, covering the epochs this run replays); without it the run computes its own as it goes.
   * Either way the results are the same.
   */
  readonly schedule?: ReplaySchedule;
  /**
   * Where the notebook's recalls of the training and test sets end (`Notebook.recallStates`), from an earlier run of
   * the same seed, P, notebook parameters and inputs (any SNR or regime: recall never depends on the outputs); the
   * notebook errors are then read from them (the same numbers). Used by a Hopfield notebook only.
   */
  readonly recall?: { readonly train: RecallStates; readonly test: RecallStates };
}

export interface ClsCurves {
  readonly epoch: Int32Array;
  readonly student_train: Float64Array;
  readonly student_test: Float64Array;
  readonly notebook_train: number;
  readonly notebook_test: number;
  readonly combined_train: Float64Array;
  readonly memory_score: Float64Array;
  readonly lesion_memory_score: Float64Array;
  readonly generalization_score: Float64Array;
  /** Held-out regime only: the validation error the system sees. */
  readonly validation?: Float64Array;
}

export interface ClsResult {
  readonly params: ClsParams;
  readonly seed: number;
  readonly regime: Regime;
  readonly curves: ClsCurves;
  /** Oracle only: the curves of the full unregulated run the oracle looked at. */
  readonly unregulated?: { readonly student_train: Float64Array; readonly student_test: Float64Array };
  /** The t* the regime used (null when unregulated). */
  readonly t_star: number | null;
  /** Updates the student received before consolidation stopped (null when it never stopped). */
  readonly stopped_at: number | null;
  readonly lesioned_at: number | null;
  /** Replayed examples by outcome (notebook replay), and how many were dropped as held-out. */
  readonly reactivations: { readonly stored: number; readonly spurious: number; readonly silent: number; readonly held_out_dropped: number };
  /** Recalls from the stored x that ended exactly on the cued memory's pattern (of P). */
  readonly notebook_exact_recalls: number;
  /** Final student weights. */
  readonly weights: Float64Array;
  readonly teacher: Teacher;
  readonly timing_ms: { readonly setup: number; readonly reactivation: number; readonly student: number; readonly total: number };
  /** Work of the notebook's field maintenance for the replay schedule's computed epochs (the shared schedule's when
   * one was given; zeros with perfect replay). */
  readonly work: { readonly cycles: number; readonly selections: number; readonly recomputes: number; readonly column_updates: number };
}

function now(): number {
  return performance.now();
}

/** Runs the model; see the module comment. `seed` keys every random draw (teacher, data, notebook, replay). */
export function runCls(params: ClsParams, seed: number, regime: Regime = { kind: 'unregulated' }, onEvent?: (e: ClsEvent) => void, options: RunOptions = {}): ClsResult {
  const t0 = now();
  validateClsParams(params);
  const E = params.student.epochs;
  const P = params.p;
  const replay = options.replay ?? 'notebook';
  const lesionAt = options.lesionAt;
  if (lesionAt !== undefined && !(Number.isSafeInteger(lesionAt) && lesionAt >= 0)) throw new InputError('cls: lesionAt', `must be an integer >= 0, got ${lesionAt}`);
  const tStarSource = regime.kind === 'generalization-optimized' ? regime.tStar : undefined;
  let given: number | undefined;
  let holdFraction = 0;
  let patience = 0;
  if (tStarSource?.source === 'given') {
    given = tStarSource.tStar;
    if (!(Number.isSafeInteger(given) && given >= 0)) throw new InputError('cls: regime/tStar/tStar', `must be an integer >= 0, got ${given}`);
  } else if (tStarSource?.source === 'held-out') {
    holdFraction = tStarSource.fraction ?? 0.2;
    patience = tStarSource.patience ?? 100;
    if (!(holdFraction > 0 && holdFraction < 1)) throw new InputError('cls: regime/tStar/fraction', `must be in (0, 1), got ${holdFraction}`);
    if (!(Number.isSafeInteger(patience) && patience >= 1)) throw new InputError('cls: regime/tStar/patience', `must be an integer >= 1, got ${patience}`);
  }
  const emit = onEvent ?? (() => undefined);
  const reactivationEvents = onEvent !== undefined && options.reactivationEvents !== false;

  const teacher = createTeacher(params.teacher, seed);
  const train = sampleData(teacher, P, 'train');
  const test = sampleData(teacher, params.pTest, 'test');
  const n = train.n;
  const trainErr = new GramError(train);
  const testErr = new GramError(test);

  // Held-out memories (validation) and the mask of memories the student may train on.
  const heldOut = new Uint8Array(P);
  let validation: Dataset | undefined;
  const notebook = replay === 'notebook' ? createNotebook(params.notebook, train, seed) : undefined;
  if (notebook instanceof Notebook && options.fieldUpdate) notebook.fieldUpdate = options.fieldUpdate;
  const key = replayKey(seed, P, params.notebook);
  let schedule: ReplaySchedule | undefined;
  if (notebook) {
    schedule = options.schedule ?? new ReplaySchedule({ key, epochs: E, source: notebook });
    if (schedule.key !== key) throw new Error(`runCls: the replay schedule was computed for ${schedule.key}, this run needs ${key}`);
  }
  if (holdFraction > 0) {
    const h = Math.max(1, Math.min(P - 1, Math.round(holdFraction * P)));
    const rows = drawSparsePatterns(new CounterRng(seed), P, h, 1, streamId('cls:holdout'), 0, 0);
    for (const mu of rows) heldOut[mu] = 1;
    if (notebook) {
      const vx = new Float64Array(h * n);
      const vy = new Float64Array(h);
      rows.forEach((mu, r) => {
        vy[r] = notebook.readoutPattern(mu, vx.subarray(r * n, r * n + n));
      });
      validation = { n, count: h, x: vx, y: vy };
    } else validation = subset(train, rows);
  }
  const valErr = validation ? new GramError(validation) : undefined;

  let notebookTrain = NaN;
  let notebookTest = NaN;
  let exactRecalls = 0;
  if (notebook instanceof Notebook) {
    // recall ends where it ends whatever the outputs: read the errors from the states computed elsewhere when given
    const recallStates = options.recall ?? { train: notebook.recallStates(train), test: notebook.recallStates(test) };
    const r = notebook.recallErrorFrom(train, recallStates.train);
    notebookTrain = r.error;
    exactRecalls = r.exact;
    notebookTest = notebook.recallErrorFrom(test, recallStates.test).error;
  } else if (notebook) {
    const r = notebook.recallError(train);
    notebookTrain = r.error;
    exactRecalls = r.exact;
    notebookTest = notebook.recallError(test).error;
  }
  emit({ kind: 'encoding', epoch: 0, memories: P, notebook_train: notebookTrain, notebook_test: notebookTest });

  // Perfect replay: the training pairs the student may use.
  let perfect: Dataset | undefined;
  if (replay === 'perfect') {
    const rows: number[] = [];
    for (let mu = 0; mu < P; mu++) if (heldOut[mu] === 0) rows.push(mu);
    perfect = subset(train, rows);
  }

  const studentTrain = new Float64Array(E + 1);
  const studentTest = new Float64Array(E + 1);
  const valCurve = valErr ? new Float64Array(E + 1) : undefined;
  const student = new Student(n, params.student.eta);
  const w = student.w;
  studentTrain[0] = trainErr.error(w);
  studentTest[0] = testErr.error(w);
  if (valCurve && valErr) valCurve[0] = valErr.error(w);

  const batchX = new Float64Array(P * n);
  const batchY = new Float64Array(P);
  let stored = 0;
  let spurious = 0;
  let silent = 0;
  let dropped = 0;
  let stoppedAt: number | null = null;
  let tStar: number | null = null;
  let lesionedAt: number | null = null;
  let bestVal = valCurve ? valCurve[0]! : Infinity;
  let bestEpoch = 0;
  const bestW = new Float64Array(w);
  let bestTest = studentTest[0]!;
  let bestTestEpoch = 0;
  const bestTestW = new Float64Array(w);
  let reactMs = 0;
  let studentMs = 0;
  const setupMs = now() - t0;

  if (given === 0) {
    stoppedAt = 0;
    tStar = 0;
    emit({ kind: 'consolidation-stop', epoch: 0, t_star: 0, source: 'given' });
  }
  if (lesionAt === 0) {
    lesionedAt = 0;
    emit({ kind: 'lesion', epoch: 0 });
  }

  for (let e = 1; e <= E; e++) {
    if (stoppedAt !== null || lesionedAt !== null) {
      studentTrain[e] = studentTrain[e - 1]!;
      studentTest[e] = studentTest[e - 1]!;
      if (valCurve) valCurve[e] = valCurve[e - 1]!;
      continue;
    }
    // Replay: build the batch.
    const ta = now();
    let count = 0;
    let eStored = 0;
    let eSpurious = 0;
    let eSilent = 0;
    if (notebook && schedule) {
      for (let slot = 0; slot < P; slot++) {
        const r = schedule.outcomeOf(e, slot);
        const used = !(r.outcome === 'stored' && heldOut[r.memory] === 1);
        if (r.outcome === 'stored') eStored++;
        else if (r.outcome === 'spurious') eSpurious++;
        else eSilent++;
        if (used) {
          batchY[count] = schedule.read(e, slot, notebook, batchX, count * n);
          count++;
        } else dropped++;
        if (reactivationEvents) {
          const full = schedule.entry(e, slot);
          emit({
            kind: 'reactivation',
            epoch: e,
            slot,
            outcome: full.outcome,
            memory: full.memory,
            distance: full.distance,
            kwta_cycles: full.kwtaCycles,
            threshold_cycles: full.thresholdCycles,
            used,
          });
        }
      }
    } else if (perfect) {
      batchX.set(perfect.x);
      batchY.set(perfect.y);
      count = perfect.count;
      eStored = count;
    }
    stored += eStored;
    spurious += eSpurious;
    silent += eSilent;
    const tb = now();
    reactMs += tb - ta;

    // Consolidation: one full-batch update, then the errors.
    student.step(batchX, batchY, count);
    studentTrain[e] = trainErr.error(w);
    studentTest[e] = testErr.error(w);
    let v: number | undefined;
    if (valCurve && valErr) {
      v = valErr.error(w);
      valCurve[e] = v;
      if (v < bestVal) {
        bestVal = v;
        bestEpoch = e;
        bestW.set(w);
      }
    }
    if (studentTest[e]! < bestTest) {
      bestTest = studentTest[e]!;
      bestTestEpoch = e;
      bestTestW.set(w);
    }
    studentMs += now() - tb;
    emit({
      kind: 'replay',
      epoch: e,
      examples: count,
      stored: eStored,
      spurious: eSpurious,
      silent: eSilent,
      student_train: studentTrain[e]!,
      student_test: studentTest[e]!,
      ...(v === undefined ? {} : { validation: v }),
    });

    if (given !== undefined && e === given) {
      stoppedAt = e;
      tStar = e;
      emit({ kind: 'consolidation-stop', epoch: e, t_star: e, source: 'given' });
    } else if (valCurve && (e - bestEpoch >= patience || e === E)) {
      stoppedAt = bestEpoch;
      tStar = bestEpoch;
      freezeAfter(bestEpoch, e, studentTrain, studentTest, valCurve);
      w.set(bestW);
      emit({ kind: 'consolidation-stop', epoch: e, t_star: bestEpoch, source: 'held-out' });
    }
    if (lesionAt !== undefined && e === lesionAt && stoppedAt === null) {
      lesionedAt = e;
      emit({ kind: 'lesion', epoch: e });
    }
  }

  let unregulated: ClsResult['unregulated'];
  if (tStarSource?.source === 'oracle') {
    unregulated = { student_train: studentTrain.slice(), student_test: studentTest.slice() };
    if (lesionedAt === null) {
      tStar = bestTestEpoch;
      stoppedAt = bestTestEpoch;
      freezeAfter(bestTestEpoch, E, studentTrain, studentTest, undefined);
      w.set(bestTestW);
      emit({ kind: 'consolidation-stop', epoch: bestTestEpoch, t_star: bestTestEpoch, source: 'oracle' });
    }
  }
  if (given !== undefined && tStar === null) tStar = given; // given t* beyond the run (or after a lesion)
  if (lesionAt !== undefined && lesionedAt === null && lesionAt <= E) {
    lesionedAt = lesionAt; // notebook removed after consolidation had already stopped
    emit({ kind: 'lesion', epoch: lesionAt });
  }

  const combined = new Float64Array(E + 1);
  const memoryScore = new Float64Array(E + 1);
  const lesionScore = new Float64Array(E + 1);
  const genScore = new Float64Array(E + 1);
  const e0 = studentTrain[0]!;
  const g0 = studentTest[0]!;
  for (let e = 0; e <= E; e++) {
    const notebookPresent = notebook !== undefined && (lesionedAt === null || e < lesionedAt);
    combined[e] = notebookPresent ? Math.min(studentTrain[e]!, notebookTrain) : studentTrain[e]!;
    memoryScore[e] = 1 - combined[e]! / e0;
    lesionScore[e] = 1 - studentTrain[e]! / e0;
    genScore[e] = 1 - studentTest[e]! / g0;
  }
  emit({ kind: 'done', epoch: E });
  const epoch = new Int32Array(E + 1);
  for (let e = 0; e <= E; e++) epoch[e] = e;
  return {
    params,
    seed,
    regime,
    curves: {
      epoch,
      student_train: studentTrain,
      student_test: studentTest,
      notebook_train: notebookTrain,
      notebook_test: notebookTest,
      combined_train: combined,
      memory_score: memoryScore,
      lesion_memory_score: lesionScore,
      generalization_score: genScore,
      ...(valCurve ? { validation: valCurve } : {}),
    },
    ...(unregulated ? { unregulated } : {}),
    t_star: tStar,
    stopped_at: stoppedAt,
    lesioned_at: lesionedAt,
    reactivations: { stored, spurious, silent, held_out_dropped: dropped },
    notebook_exact_recalls: exactRecalls,
    weights: new Float64Array(w),
    teacher,
    timing_ms: { setup: setupMs, reactivation: reactMs, student: studentMs, total: now() - t0 },
    work: {
      cycles: schedule?.counters.cycles ?? 0,
      selections: schedule?.counters.selections ?? 0,
      recomputes: schedule?.counters.recomputes ?? 0,
      column_updates: schedule?.counters.columnUpdates ?? 0,
    },
  };
}

/**
 * The reactivations of a run of `params` with `seed` for `epochs` epochs (default: all), computed now. Runs that share
 * the seed, P and the notebook parameters (any teacher, regime or lesion) can replay them (`RunOptions.schedule`).
 */
export function computeReplaySchedule(params: ClsParams, seed: number, epochs: number = params.student.epochs): ReplaySchedule {
  validateClsParams(params);
  if (!(Number.isSafeInteger(epochs) && epochs >= 0)) throw new InputError('cls: epochs', `must be an integer >= 0, got ${epochs}`);
  const train = sampleData(createTeacher(params.teacher, seed), params.p, 'train');
  const schedule = new ReplaySchedule({ key: replayKey(seed, params.p, params.notebook), epochs, source: createNotebook(params.notebook, train, seed) });
  schedule.ensure(epochs);
  return schedule;
}

/**
 * The notebook of `params.kind` storing `memories` with `seed`: the sparse Hopfield network (notebook.ts, the default)
 * or the Kanerva SDM (sdm-notebook.ts). Both share the one-shot encoding, so either reads out through the same links.
 */
export function createNotebook(params: NotebookParams, memories: Dataset, seed: number): Notebook | SdmNotebook {
  return (params.kind ?? 'hopfield') === 'sdm' ? new SdmNotebook(params, memories, seed) : new Notebook(params, memories, seed);
}

/** Curves after epoch `from` (through `to`) take their values at `from`: the student was frozen there. */
function freezeAfter(from: number, to: number, a: Float64Array, b: Float64Array, c: Float64Array | undefined): void {
  for (let e = from + 1; e <= to; e++) {
    a[e] = a[from]!;
    b[e] = b[from]!;
    if (c) c[e] = c[from]!;
  }
}
