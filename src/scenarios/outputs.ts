/**
 * The outputs of a model protocol that runs without a circuit (cls, granule-code): each table as CSV with its line
 * chart as SVG, summary.json and report.html, written into the run's output folder, which is then committed.
 */
import { writeFileSync } from 'node:fs';
import { lineChart, renderSvg, type LineSeries } from '../recording/plots.ts';
import { writeReport } from '../recording/report.ts';
import type { OutputDir } from '../recording/sinks/output-dir.ts';
import { writeCsvTable } from '../recording/sinks/table.ts';
import type { RunSummary } from './types.ts';

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
