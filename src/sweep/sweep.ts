/**
 * A sweep: every point of a grid for every seed, in worker threads on this machine or through a Redis queue, into one
 * folder:
 *
 *   DIR/sweep.json            the grid, the seeds, and every run's key, values, seed and status
 *   DIR/sweep.csv, .arrow     one row per point and seed (grid values as columns; table.ts)
 *   DIR/sweep.svg             the main result against the swept values
 *   DIR/runs/<key>/           each run's folder as `purkinje run` writes it (from a queue: its summary.json)
 *
 * Run folders are written atomically (recording/sinks/output-dir.ts), so a run that was killed never looks done, and a
 * sweep started again with the same DIR runs only the points whose folder is missing or incomplete.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors.ts';
import { PURKINJE_VERSION } from '../core/version.ts';
import { DEFAULT_DT_MS, onGrid } from '../core/time.ts';
import { readSpecFile, resolveSpec } from '../circuits/files.ts';
import { circuitSchema } from '../circuits/schema.ts';
import { buildNetwork } from '../network/network.ts';
import { OutputDir, occupant } from '../recording/sinks/output-dir.ts';
import { SCENARIOS_DIR, loadScenario } from '../scenarios/loader.ts';
import { scenarioSchema } from '../scenarios/schema.ts';
import type { RunSummary } from '../scenarios/types.ts';
import { canonical, expandGrid, type GridAxis, parseGrid, type SweepPoint } from './grid.ts';
import { loadPoint, type PointJob } from './point.ts';
import { PointPool } from './pool.ts';
import type { QueueAddress } from './queue.ts';
import { summaryRow, writeArrow, writeCsv, writeFigure, type Row } from './table.ts';

export type PointStatus = 'done' | 'pending' | 'failed' | 'interrupted';

export interface SweepPlan {
  readonly scenario: string;
  readonly file: string;
  readonly axes: readonly GridAxis[];
  readonly seeds: number;
  readonly points: readonly SweepPoint[];
}

/** A point's label in messages: `cuba duration_ms=200 seed 2`. */
export function pointLabel(plan: Pick<SweepPlan, 'scenario' | 'axes'>, p: SweepPoint): string {
  const vals = plan.axes.map((a) => `${a.path}=${typeof p.values[a.path] === 'object' ? canonical(p.values[a.path]) : String(p.values[a.path])}`);
  return [plan.scenario, ...vals, `seed ${p.seed}`].join(' ');
}

export function pointJob(plan: SweepPlan, p: SweepPoint): PointJob {
  return { key: p.key, version: PURKINJE_VERSION, label: pointLabel(plan, p), scenario: p.scenario, circuit: p.circuit };
}

/**
 * Reads the scenario, parses and checks the grid, expands it and loads every point's documents (so that a value the
 * schema refuses, such as a negative duration, or a circuit value the network refuses, is found before anything runs).
 */
export function planSweep(ref: string, grid: readonly string[], seeds: number): SweepPlan {
  const file = resolveSpec(ref, SCENARIOS_DIR, 'scenario');
  const loaded = loadScenario(file);
  const scenarioDoc = readSpecFile(file) as Record<string, unknown>;
  const circuitDoc = loaded.circuit ? (readSpecFile(loaded.circuit.file) as Record<string, unknown>) : null;
  const base = { scenarioName: loaded.scenario.name, scenarioDoc, circuitDoc, scenarioSchema, circuitSchema };
  const axes = parseGrid(grid, base);
  const points = expandGrid(axes, base, seeds);
  const plan = { scenario: loaded.scenario.name, file, axes, seeds, points };
  const builtCircuits = new Set<string>();
  for (const p of points.filter((q) => q.seedIndex === 0)) {
    const job = pointJob(plan, p);
    try {
      loadPoint(job, (l) => {
        // The runner's first check, made here so that it refuses the grid rather than fails runs.
        if (l.circuit && !l.scenario.protocol) {
          const dt = l.scenario.dt_ms ?? l.circuit.circuit.dt_ms ?? DEFAULT_DT_MS;
          if (!onGrid(l.scenario.duration_ms ?? 0, dt)) throw new InputError(`${l.file}: /duration_ms`, `a multiple of dt (${dt} ms), got ${l.scenario.duration_ms}`);
        }
        // A grid over the circuit: each distinct circuit is built once, as `purkinje validate` does.
        if (l.circuit && axes.some((a) => a.target === 'circuit') && !builtCircuits.has(canonical(p.circuit))) {
          builtCircuits.add(canonical(p.circuit));
          buildNetwork(l.circuit.spec, p.seed, l.scenario.dt_ms ?? l.circuit.circuit.dt_ms ?? DEFAULT_DT_MS);
        }
      });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw gridError(e, axes, p, job.label);
    }
  }
  return plan;
}

/** An error in a point's documents, said as the `--grid` value that caused it where the field is one of the grid's. */
function gridError(e: InputError, axes: readonly GridAxis[], p: SweepPoint, label: string): InputError {
  const m = /\((scenario|circuit)\): (\/\S*)$/.exec(e.where);
  if (m) {
    const hit = axes.find((a) => a.target === m[1] && `/${a.segments.join('/')}` === m[2]);
    if (hit) return new InputError(`--grid ${hit.path}=${typeof p.values[hit.path] === 'object' ? canonical(p.values[hit.path]) : String(p.values[hit.path])}`, e.expected);
  }
  return new InputError(`--grid (point ${label.slice(label.indexOf(' ') + 1)})`, `${e.where.replace(/^.*\((scenario|circuit)\): /, '$1 ')}: ${e.expected}`);
}

export interface SweepOptions {
  readonly outDir: string;
  /** Threads of a local sweep (default: one per core, at most the points to run). */
  readonly workers: number;
  readonly queue?: { readonly address: QueueAddress; readonly name: string };
  /** The figure's column (default: the first scalar result, else the first population's rate). */
  readonly metric?: string;
  readonly signal: AbortSignal;
  /** Called when the points to run are known, and after each one finishes. */
  readonly onProgress?: (p: { done: number; total: number; toRun: number; failed: number; last?: string; lastStatus?: PointStatus }) => void;
  /** One-line notes for the user (waiting for workers, ...). */
  readonly note?: (line: string) => void;
}

export interface SweepResult {
  readonly dir: string;
  readonly runs: number;
  /** Runs done in this invocation, and found done in DIR. */
  readonly ran: number;
  readonly reused: number;
  readonly failed: ReadonlyArray<{ key: string; label: string; error: string }>;
  readonly interrupted: boolean;
  readonly figure: string | null;
}

const SWEEP_FILE = 'sweep.json';

/** Takes DIR for this sweep: new, empty, or an earlier sweep's folder; a lock file keeps two sweeps out of one DIR. */
function takeDir(dir: string, scenario: string): () => void {
  const o = occupant(dir);
  if (o.kind === 'file') throw new InputError('--out', `a folder path, but ${dir} is a file`);
  if (o.kind === 'run' || o.kind === 'foreign') {
    if (!existsSync(path.join(dir, SWEEP_FILE))) throw new InputError('--out', `a new or empty folder, or an earlier sweep's: ${dir} holds other files`);
    let earlier: { scenario?: unknown };
    try {
      earlier = JSON.parse(readFileSync(path.join(dir, SWEEP_FILE), 'utf8')) as { scenario?: unknown };
    } catch {
      throw new InputError('--out', `a new or empty folder, or an earlier sweep's: ${path.join(dir, SWEEP_FILE)} is not readable JSON`);
    }
    if (earlier.scenario !== scenario) throw new InputError('--out', `a new folder or one of an earlier sweep of '${scenario}': ${dir} holds a sweep of '${String(earlier.scenario)}'`);
  }
  mkdirSync(path.join(dir, 'runs'), { recursive: true });
  const lock = path.join(dir, '.sweep.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      let alive: boolean;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (k) {
        alive = (k as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (alive) throw new InputError('--out', `a folder no other sweep is writing, ${dir} is being written by process ${pid}`);
      rmSync(lock, { force: true });
    }
  }
  return () => rmSync(lock, { force: true });
}

/** Whether a run folder holds a complete run. */
function runDone(dir: string): boolean {
  const o = occupant(dir);
  return o.kind === 'run' && o.complete && existsSync(path.join(dir, 'summary.json'));
}

function writeJsonAtomic(file: string, data: unknown): void {
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Runs a planned sweep into `opts.outDir`. Nothing is written before the folder has been taken. */
export async function runSweep(plan: SweepPlan, opts: SweepOptions): Promise<SweepResult> {
  const dir = opts.outDir;
  const release = takeDir(dir, plan.scenario);
  try {
    const runDir = (key: string) => path.join(dir, 'runs', key);
    const status = new Map<string, { status: PointStatus; error?: string }>();
    const reusedKeys = new Set<string>();
    for (const p of plan.points) {
      if (status.has(p.key)) continue; // two grid points that make the same documents run once
      const done = runDone(runDir(p.key));
      status.set(p.key, { status: done ? 'done' : 'pending' });
      if (done) reusedKeys.add(p.key);
    }
    const unique = [...new Map(plan.points.map((p) => [p.key, p])).values()];
    const todo = unique.filter((p) => status.get(p.key)!.status === 'pending');
    const writeState = () =>
      writeJsonAtomic(path.join(dir, SWEEP_FILE), {
        scenario: plan.scenario,
        file: plan.file,
        mode: opts.queue ? 'queue' : 'local',
        ...(opts.queue ? { queue: opts.queue.address.url, queue_name: opts.queue.name } : {}),
        grid: plan.axes.map((a) => ({ path: a.path, values: a.values })),
        seeds: plan.seeds,
        updated: new Date().toISOString(),
        points: plan.points.map((p) => ({ key: p.key, values: p.values, seed: p.seed, ...status.get(p.key)! })),
      });
    writeState();
    let finished = 0;
    const failed: Array<{ key: string; label: string; error: string }> = [];
    opts.onProgress?.({ done: unique.length - todo.length, total: unique.length, toRun: todo.length, failed: 0 });
    const record = (p: SweepPoint, outcome: { summary: RunSummary } | { error: string }) => {
      if (status.get(p.key)!.status !== 'pending') return;
      if ('error' in outcome) {
        const interrupted = opts.signal.aborted;
        status.set(p.key, { status: interrupted ? 'interrupted' : 'failed', ...(interrupted ? {} : { error: outcome.error }) });
        if (!interrupted) failed.push({ key: p.key, label: pointLabel(plan, p), error: outcome.error });
      } else if (outcome.summary.interrupted) status.set(p.key, { status: 'interrupted' });
      else status.set(p.key, { status: 'done' });
      finished++;
      writeState();
      opts.onProgress?.({ done: unique.length - todo.length + finished, total: unique.length, toRun: todo.length, failed: failed.length, last: pointLabel(plan, p), lastStatus: status.get(p.key)!.status });
    };

    if (todo.length > 0 && !opts.signal.aborted) {
      if (opts.queue) await runOnQueue(plan, todo, opts, runDir, record);
      else await runLocally(plan, todo, opts, runDir, record);
    }

    const rows: Row[] = [];
    for (const p of plan.points) {
      if (status.get(p.key)!.status !== 'done' || !runDone(runDir(p.key))) continue;
      const summary = JSON.parse(readFileSync(path.join(runDir(p.key), 'summary.json'), 'utf8')) as RunSummary;
      rows.push(summaryRow(plan.axes, p, summary));
    }
    writeCsv(path.join(dir, 'sweep.csv'), rows);
    writeArrow(path.join(dir, 'sweep.arrow'), rows);
    const figure = await writeFigure(path.join(dir, 'sweep.svg'), rows, plan.axes, plan.scenario, opts.metric);
    writeState();
    for (const f of readdirSync(dir)) if (f.includes('.partial-')) rmSync(path.join(dir, f), { force: true });
    return {
      dir,
      runs: plan.points.length,
      ran: unique.filter((p) => !reusedKeys.has(p.key) && status.get(p.key)!.status === 'done').length,
      reused: reusedKeys.size,
      failed,
      interrupted: opts.signal.aborted || [...status.values()].some((s) => s.status === 'interrupted' || s.status === 'pending'),
      figure,
    };
  } finally {
    release();
  }
}

type Record_ = (p: SweepPoint, outcome: { summary: RunSummary } | { error: string }) => void;

async function runLocally(plan: SweepPlan, todo: readonly SweepPoint[], opts: SweepOptions, runDir: (key: string) => string, record: Record_): Promise<void> {
  const pool = new PointPool(Math.max(1, Math.min(opts.workers, todo.length)));
  const onAbort = () => pool.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(todo.map(async (p) => record(p, await pool.run(pointJob(plan, p), runDir(p.key)))));
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    await pool.close();
  }
}

async function runOnQueue(plan: SweepPlan, todo: readonly SweepPoint[], opts: SweepOptions, runDir: (key: string) => string, record: Record_): Promise<void> {
  const { enqueuePoints } = await import('./queue.ts');
  const byKey = new Map(todo.map((p) => [p.key, p]));
  const collector = await enqueuePoints(
    opts.queue!.address,
    opts.queue!.name,
    todo.map((p) => pointJob(plan, p)),
    (key, r) => {
      const p = byKey.get(key)!;
      if ('summary' in r) {
        // The run folder of a queued point holds the summary its worker returned (its other outputs stay there).
        const out = new OutputDir(runDir(key), { overwrite: true, command: 'sweep', flag: '--out' });
        out.writeJson('summary.json', r.summary);
        out.commit();
      }
      record(p, r);
    },
    opts.signal,
  );
  try {
    const workers = await collector.workers();
    opts.note?.(`queued ${todo.length} run(s) on ${opts.queue!.address.url} (queue '${opts.queue!.name}'); ${workers} worker(s) connected${workers === 0 ? ': start one with purkinje worker --queue ' + opts.queue!.address.url : ''}`);
    await collector.done;
  } finally {
    await collector.close();
  }
}
