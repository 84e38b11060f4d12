/**
 * The sweep's table: one row per point and seed, from each run's summary.json, with the grid values as columns; written
 * as sweep.csv and sweep.arrow (Apache Arrow IPC stream), with a figure of the main result against the swept values.
 *
 * A row holds only what a run determines (not its wall-clock times or memory), so that the same points give the same
 * table on any machine, through worker threads or a queue.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Bool, Float64, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { lineChart, renderSvg } from '../recording/plots.ts';
import { writeCsvTable } from '../recording/sinks/table.ts';
import type { RunSummary } from '../scenarios/types.ts';
import { canonical, type GridAxis, type SweepPoint } from './grid.ts';

export type Cell = number | string | boolean | null;
export type Row = Record<string, Cell>;

/** Deterministic scalars of a summary: the run's counts, each population's spikes, rate and CV, the scalar results. */
const SUMMARY_FIELDS = ['biological_ms', 'synapses', 'synaptic_events', 'events'] as const;
/** Arrays of numbers longer than this are left out of the table (they are per-neuron or per-step data). */
const MAX_ARRAY = 64;

const finite = (v: unknown): Cell => (typeof v === 'number' ? (Number.isFinite(v) ? v : null) : typeof v === 'string' || typeof v === 'boolean' ? v : null);

/** The scalar results by the names scenario expectations use: `name`, `name.key`, `name[i]`. */
function flattenResults(v: unknown, name: string, out: Row, depth: number): void {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null) {
    if (name) out[name] = finite(v);
    return;
  }
  if (depth > 3) return;
  if (Array.isArray(v)) {
    if (v.length > MAX_ARRAY || !v.every((x) => x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean')) return;
    v.forEach((x, i) => flattenResults(x, `${name}[${i}]`, out, depth + 1));
    return;
  }
  if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) flattenResults(x, name ? `${name}.${k}` : k, out, depth + 1);
}

/** The row of one run. */
export function summaryRow(axes: readonly GridAxis[], point: SweepPoint, summary: RunSummary): Row {
  const row: Row = {};
  for (const a of axes) {
    const v = point.values[a.path];
    row[a.path] = v === undefined ? null : typeof v === 'object' && v !== null ? canonical(v) : v;
  }
  row.seed = point.seed;
  row.key = point.key;
  row.expectations_passed = summary.passed;
  for (const f of SUMMARY_FIELDS) row[f] = finite(summary[f]);
  const pops = Object.entries(summary.populations ?? {});
  for (const [name, p] of pops) row[`spikes.${name}`] = finite(p.spikes);
  for (const [name, p] of pops) row[`rate_hz.${name}`] = finite(p.rate_hz);
  for (const [name, p] of pops) row[`cv_isi.${name}`] = finite(p.cv_isi);
  const results: Row = {};
  flattenResults(summary.results ?? {}, '', results, 0);
  for (const [k, v] of Object.entries(results)) row[k in row ? `results.${k}` : k] = v;
  return row;
}

/** Columns in order of first appearance over the rows (grid columns first, as every row starts with them). */
export function columnsOf(rows: readonly Row[]): string[] {
  const cols = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) cols.add(k);
  return [...cols];
}

function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** sweep.csv: booleans as true/false, missing values empty. */
export function writeCsv(file: string, rows: readonly Row[]): void {
  const cols = columnsOf(rows);
  const tmp = `${file}.partial-${process.pid}`;
  writeCsvTable(
    tmp,
    rows.map((r) => Object.fromEntries(cols.map((c) => [c, typeof r[c] === 'boolean' ? String(r[c]) : (r[c] ?? '')])) as Record<string, number | string>),
  );
  renameSync(tmp, file);
}

/** sweep.arrow: a column of numbers is Float64, of booleans Bool, anything else Utf8; missing values are nulls. */
export function writeArrow(file: string, rows: readonly Row[]): void {
  const cols = columnsOf(rows);
  const vectors = Object.fromEntries(
    cols.map((c) => {
      const vals = rows.map((r) => r[c] ?? null);
      const present = vals.filter((v) => v !== null);
      if (present.every((v) => typeof v === 'number')) return [c, vectorFromArray(vals as Array<number | null>, new Float64())];
      if (present.every((v) => typeof v === 'boolean')) return [c, vectorFromArray(vals as Array<boolean | null>, new Bool())];
      return [c, vectorFromArray(vals.map((v) => (v === null ? null : String(v))), new Utf8())];
    }),
  );
  atomicWrite(file, tableToIPC(new Table(vectors), 'stream'));
}

/**
 * The column the figure shows: `metric` when given and present, else the first scalar result that varies over the
 * sweep (and is not a grid value echoed in the results), else the first scalar result, else the first rate.
 */
export function mainColumn(rows: readonly Row[], axes: readonly GridAxis[], metric?: string): string | null {
  const cols = columnsOf(rows);
  if (metric !== undefined && cols.includes(metric)) return metric;
  const fixed = new Set<string>([...axes.map((a) => a.path), 'seed', 'key', 'expectations_passed', ...SUMMARY_FIELDS]);
  const numeric = (c: string) => rows.some((r) => typeof r[c] === 'number');
  const results = cols.filter((c) => !fixed.has(c) && !/^(spikes|rate_hz|cv_isi)\./.test(c) && numeric(c));
  // Prefer a result that varies over the sweep and is not a grid value echoed back (a protocol's `epochs`).
  const varies = (c: string) => new Set(rows.map((r) => r[c])).size > 1;
  const echo = (c: string) => axes.some((a) => rows.every((r) => r[c] === r[a.path]));
  return results.find((c) => varies(c) && !echo(c)) ?? results[0] ?? cols.find((c) => c.startsWith('rate_hz.') && numeric(c)) ?? null;
}

/**
 * sweep.svg: the main column, averaged over seeds, against the first grid axis with numeric values (or the point
 * number), one line per combination of the other axes' values.
 */
export async function writeFigure(file: string, rows: readonly Row[], axes: readonly GridAxis[], scenario: string, metric?: string): Promise<string | null> {
  const y = mainColumn(rows, axes, metric);
  if (!y || rows.length === 0) return null;
  const xAxis = axes.find((a) => a.values.every((v) => typeof v === 'number'));
  const others = axes.filter((a) => a !== xAxis);
  const label = (r: Row) => (others.length ? others.map((a) => `${a.path}=${String(r[a.path])}`).join(', ') : y);
  const xOf = (r: Row, i: number) => (xAxis ? (r[xAxis.path] as number) : i + 1);
  // Mean over seeds of each (series, x).
  const sums = new Map<string, Map<number, { sum: number; n: number }>>();
  const pointOrder = new Map<string, number>();
  for (const r of rows) {
    const pk = axes.map((a) => String(r[a.path])).join('\u0000');
    if (!pointOrder.has(pk)) pointOrder.set(pk, pointOrder.size);
    const x = xOf(r, pointOrder.get(pk)!);
    const v = r[y];
    if (typeof v !== 'number') continue;
    const s = sums.get(label(r)) ?? new Map<number, { sum: number; n: number }>();
    sums.set(label(r), s);
    const c = s.get(x) ?? { sum: 0, n: 0 };
    c.sum += v;
    c.n++;
    s.set(x, c);
  }
  const series = [...sums.keys()];
  const xs = [...new Set([...sums.values()].flatMap((s) => [...s.keys()]))].sort((a, b) => a - b);
  const table = xs.map((x) => Object.fromEntries([['x', x], ...series.map((name, i) => [`s${i}`, sums.get(name)!.get(x) ? sums.get(name)!.get(x)!.sum / sums.get(name)!.get(x)!.n : NaN])]) as Record<string, number>);
  const seeds = new Set(rows.map((r) => r.seed)).size;
  const svg = await renderSvg(
    lineChart({
      title: `${scenario}: ${y} against ${xAxis ? xAxis.path : 'the grid point'}`,
      note: seeds > 1 ? `mean over ${seeds} seeds` : 'one seed',
      x: 'x',
      y: series.map((_, i) => `s${i}`),
      labels: Object.fromEntries(series.map((name, i) => [`s${i}`, name])),
      rows: table,
      xTitle: xAxis ? xAxis.path : 'grid point (sweep.json lists them)',
      yTitle: y,
    }),
  );
  atomicWrite(file, svg);
  return y;
}
