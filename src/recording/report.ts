/**
 * report.html: one self-contained page a person can open, with the run's summary, every figure (inline SVG) and
 * the scenario's tables. No scripts, no external resources.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export interface ReportInput {
  readonly title: string;
  readonly summary: Record<string, unknown>;
  /** Figure files (SVG) to inline, in order, with captions. */
  readonly figures: ReadonlyArray<{ file: string; caption: string }>;
  /** CSV tables to show (first 40 rows). */
  readonly tables: ReadonlyArray<{ file: string; caption: string }>;
}

function table(csv: string): string {
  const lines = csv.trim().split('\n').slice(0, 41);
  const cells = lines.map((l) => l.split(','));
  const head = cells[0] ?? [];
  const body = cells.slice(1);
  const fmt = (x: string) => (/^-?\d+\.\d{5,}$/.test(x) ? Number(x).toPrecision(5) : x);
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(fmt(c))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function writeReport(file: string, input: ReportInput): void {
  const s = input.summary;
  const pops = (s.populations ?? {}) as Record<string, { size: number; spikes: number; rate_hz: number; cv_isi: number | null }>;
  const exp = (s.expectations ?? []) as Array<{ check: string; population: string; value: number; band: [number, number]; pass: boolean; enforced: boolean }>;
  const results = (s.results ?? {}) as Record<string, unknown>;
  const scalars = Object.entries(results).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f4f4f4}.ok{color:#070}.bad{color:#b00}figure{margin:16px 0}
figcaption{color:#555;font-size:13px}</style></head><body>
<h1>${esc(input.title)}</h1>
<p>${esc(String(s.biological_ms ?? ''))} ms of circuit <b>${esc(String(s.circuit ?? ''))}</b> on ${esc(String(s.backend ?? ''))} (${esc(String(s.device ?? ''))}, float${esc(String(s.precision ?? ''))}), seed ${esc(String(s.seed ?? ''))}, dt ${esc(String(s.dt_ms ?? ''))} ms; build ${esc(String(s.build_ms ?? ''))} ms, simulation ${esc(String(s.wall_ms ?? ''))} ms, real-time factor ${esc(String(s.real_time_factor ?? ''))}${s.interrupted ? ' <b class="bad">(interrupted)</b>' : ''}.</p>
<h2>Populations</h2>
<table><thead><tr><th>population</th><th>size</th><th>spikes</th><th>rate (Hz)</th><th>CV of ISI</th></tr></thead><tbody>
${Object.entries(pops).map(([n, p]) => `<tr><td>${esc(n)}</td><td>${p.size}</td><td>${p.spikes}</td><td>${p.rate_hz.toFixed(3)}</td><td>${p.cv_isi === null ? '-' : p.cv_isi.toFixed(3)}</td></tr>`).join('\n')}
</tbody></table>
${exp.length ? `<h2>Expectations</h2><table><thead><tr><th>check</th><th>of</th><th>value</th><th>band</th><th>result</th></tr></thead><tbody>${exp.map((e) => `<tr><td>${esc(e.check)}</td><td>${esc(e.population)}</td><td>${Number.isFinite(e.value) ? e.value.toPrecision(5) : 'n/a'}</td><td>[${e.band[0]}, ${e.band[1]}]</td><td class="${e.pass ? 'ok' : 'bad'}">${e.pass ? 'ok' : e.enforced ? 'failed' : 'outside (not enforced)'}</td></tr>`).join('')}</tbody></table>` : ''}
${scalars.length ? `<h2>Results</h2><table><tbody>${scalars.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v))}</td></tr>`).join('')}</tbody></table>` : ''}
${input.figures.map((f) => `<figure>${readFileSync(f.file, 'utf8').replace(/^<\?xml[^>]*>/, '')}<figcaption>${esc(f.caption)}</figcaption></figure>`).join('\n')}
${input.tables.map((t) => `<h3>${esc(t.caption)}</h3>${table(readFileSync(t.file, 'utf8'))}`).join('\n')}
</body></html>
`;
  writeFileSync(file, html);
}
