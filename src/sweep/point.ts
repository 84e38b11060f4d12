/**
 * One run of a sweep, wherever it runs (a worker thread of a local sweep, a `purkinje worker` on another machine):
 * the point's documents are written to a temporary folder, loaded as any scenario file is (so the schemas and the
 * population checks apply), and run on the cpu backend in one engine thread, at float64, so that every machine
 * computes the same numbers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../core/errors.ts';
import { type LoadedScenario, loadScenario } from '../scenarios/loader.ts';
import type { RunSummary } from '../scenarios/types.ts';
import { CIRCUIT_FILE } from './grid.ts';

/** What a run needs, as it travels to a thread or through the queue (plain JSON). */
export interface PointJob {
  readonly key: string;
  /** The purkinje version that planned the point (part of the key): a worker of another version refuses it. */
  readonly version: string;
  /** The scenario's name and the point's grid values, for messages. */
  readonly label: string;
  readonly scenario: Record<string, unknown>;
  readonly circuit: Record<string, unknown> | null;
}

const SCENARIO_FILE = 'scenario.json';

/**
 * Loads a point's documents through the scenario loader (from a temporary folder, removed before it returns), and
 * runs `check` on them (building the network, say). Errors name the point (`cuba duration_ms=100 seed 1 (scenario)`)
 * instead of the temporary file.
 */
export function loadPoint(job: PointJob, check?: (loaded: LoadedScenario) => void): LoadedScenario {
  const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-point-'));
  try {
    writeFileSync(path.join(dir, SCENARIO_FILE), JSON.stringify(job.scenario));
    if (job.circuit) writeFileSync(path.join(dir, CIRCUIT_FILE), JSON.stringify(job.circuit));
    const loaded = loadScenario(path.join(dir, SCENARIO_FILE));
    check?.(loaded);
    return loaded;
  } catch (e) {
    throw renamePoint(e, dir, job);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An InputError that named the temporary files, renamed to name the point. */
function renamePoint(e: unknown, dir: string, job: PointJob): unknown {
  if (!(e instanceof InputError)) return e;
  const where = e.where.split(path.join(dir, SCENARIO_FILE)).join(`${job.label} (scenario)`).split(path.join(dir, CIRCUIT_FILE)).join(`${job.label} (circuit)`);
  return new InputError(where, e.expected);
}

/** Runs a point; with `outDir` its outputs are written there as `purkinje run` writes them (atomically). */
export async function runPoint(job: PointJob, opts: { outDir?: string; signal?: AbortSignal } = {}): Promise<RunSummary> {
  const loaded = loadPoint(job);
  const { runScenario } = await import('../scenarios/runner.ts');
  const dir = path.dirname(loaded.file);
  try {
    return await runScenario(loaded, {
      backend: 'cpu',
      threads: 1,
      precision: 64,
      ...(opts.outDir !== undefined ? { outDir: opts.outDir, overwrite: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    throw renamePoint(e, dir, job);
  }
}
