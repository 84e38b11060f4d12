/**
 * The outputs of a model protocol that runs without a circuit (cls, granule-code): each table as CSV with its line
 * chart as SVG, summary.json and report.html, written into the run's output folder, which is then committed.
 */
import { writeFileSync } from 'node:fs';
import { lineChart, renderSvg, type LineSeries } from '../recording/plots.ts';
import { writeReport } from '../recording/report.ts';
import type { OutputDir } from '../recording/sinks/output-dir.ts';
import { writeCsvTable } from '../recording/sinks/table.ts';
import type { Expectation, RunSummary } from './types.ts';

export async function writeProtocolOutputs(
  out: OutputDir,
  summary: RunSummary,
  tables: Record<string, Array<Record<string, number | string>>>,
  charts: Record<string, Omit<LineSeries, 'rows'>>,
  /** Tables the report shows in full (file name and caption); the others are only linked as CSV. */
  reportTables: ReadonlyArray<{ name: string; caption: string }> = [],
): Promise<void> {
  const files = summary.files;
  for (const [name, rows] of Object.entries(tables)) {
    writeCsvTable(out.file(`${name}.csv`), rows);
    files[name] = `${name}.csv`;
    const chart = charts[name];
    if (!chart) continue;
    writeFileSync(out.file(`${name}.svg`), await renderSvg(lineChart({ ...chart, rows })));
    files[`${name}_plot`] = `${name}.svg`;
  }
  files.summary = 'summary.json';
  files.report = 'report.html';
  out.writeJson('summary.json', summary);
  writeReport(out.file('report.html'), {
    title: `purkinje: ${summary.scenario}`,
    summary: summary as unknown as Record<string, unknown>,
    figures: Object.entries(files)
      .filter(([, f]) => f.endsWith('.svg'))
      .map(([, f]) => ({ file: out.file(f), caption: f })),
    tables: reportTables.map((t) => ({ file: out.file(`${t.name}.csv`), caption: t.caption })),
  });
  out.commit();
}

/**
 * A scalar result by name: `name[i]` for element i of an array result (`name[i][j]` nested), `name.key` for a field of an object result
 * (e.g. rest_rates_hz.purkinje); NaN when absent.
 */
export function resultValue(results: Record<string, unknown>, key: string): number {
  let v: unknown = results;
  for (const part of key.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m || v === null || typeof v !== 'object') return NaN;
    v = (v as Record<string, unknown>)[m[1]!];
    for (const [, i] of m[2]!.matchAll(/\[(\d+)\]/g)) v = Array.isArray(v) ? v[Number(i)] : undefined;
  }
  return typeof v === 'number' ? v : NaN;
}

/** The scenario's bands on protocol results, checked (enforced unless the run was interrupted). */
export function resultExpectations(bands: Record<string, [number, number]> | undefined, results: Record<string, unknown>, enforced: boolean): Expectation[] {
  return Object.entries(bands ?? {}).map(([key, band]) => {
    const value = resultValue(results, key);
    return { check: 'results', population: key, value, band, pass: value >= band[0] && value <= band[1], enforced };
  });
}

/** summary.json of a protocol that runs a model without a circuit: no backend, synapses or populations. */
export function modelSummary(o: {
  scenario: string;
  model: string;
  reason: string;
  seed: number;
  biologicalMs: number;
  wallMs: number;
  expectations: Expectation[];
  interrupted: boolean;
  spikesWritten: number;
  events: number;
  files: Record<string, string>;
  results: Record<string, unknown>;
}): RunSummary {
  return {
    scenario: o.scenario,
    circuit: o.model,
    backend: 'cpu',
    device: 'cpu',
    precision: 64,
    backend_reason: o.reason,
    kernels: {},
    threads: 1,
    shared_ticks: { update: 0, deliver: 0 },
    seed: o.seed,
    dt_ms: 1,
    biological_ms: o.biologicalMs,
    build_ms: 0,
    wall_ms: Math.round(o.wallMs),
    real_time_factor: 0,
    synapses: 0,
    synapse_bytes: 0,
    synapse_bytes_per_synapse: 0,
    synaptic_events: 0,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    populations: {},
    expectations: o.expectations,
    passed: o.expectations.every((e) => e.pass || !e.enforced),
    interrupted: o.interrupted,
    spikes_written: o.spikesWritten,
    events: o.events,
    files: o.files,
    results: o.results,
  };
}
