/**
 * Figures as self-contained SVG, from Vega-Lite specifications rendered in Node (vega's headless View, no canvas):
 * line charts of a scenario's result tables, spike rasters and population rates. No hand-written plotting code.
 */
import type { TopLevelSpec } from 'vega-lite';

const LEGEND = { orient: 'bottom', labelLimit: 400, columns: 3 } as const;

/** Vega-Lite's compiler warnings go nowhere: stdout may be a JSON document or a spike stream. */
const silent = {
  level: () => silent,
  error: () => silent,
  warn: () => silent,
  info: () => silent,
  debug: () => silent,
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Vega and Vega-Lite load with the first figure (about 0.4 s), not with every command.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec, { logger: silent as never }).spec), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface LineSeries {
  readonly title: string;
  readonly x: string;
  /** Columns drawn as lines, in legend order. */
  readonly y: readonly string[];
  /**
   * What each column shows, as the legend says it ("spiking circuit", "algebraic SDM", "theory"): legends never show
   * summary field names. Every column in `y` needs one (a missing one falls back to its field name, underscores as spaces).
   */
  readonly labels: Readonly<Record<string, string>>;
  /** A line under the title (what the figure's curves are, where a theory comes from). */
  readonly note?: string;
  readonly rows: ReadonlyArray<Record<string, number | string>>;
  readonly yTitle?: string;
  readonly xTitle?: string;
  readonly logY?: boolean;
}

/** The legend name of a column. */
export function seriesLabel(s: Partial<Pick<LineSeries, 'labels'>>, col: string): string {
  return s.labels?.[col] ?? col.replaceAll('_', ' ');
}

/**
 * Pairs of columns whose lines lie on top of each other: equal (to 1e-9 relative) at every row where either is
 * finite, with at least one finite point. A figure says so, since a reader sees one line where there are two.
 */
export function coincidentSeries(s: Pick<LineSeries, 'y' | 'rows'>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  for (let a = 0; a < s.y.length; a++)
    for (let b = a + 1; b < s.y.length; b++) {
      let shared = 0;
      const same = s.rows.every((r) => {
        const u = num(r[s.y[a]!]);
        const v = num(r[s.y[b]!]);
        if (u === null && v === null) return true;
        if (u === null || v === null) return false;
        shared++;
        return Math.abs(u - v) <= 1e-9 * Math.max(1, Math.abs(u), Math.abs(v));
      });
      if (same && shared > 0) out.push([s.y[a]!, s.y[b]!]);
    }
  return out;
}

/** One line per column in `y`, against column `x`; the legend uses `labels`; coinciding lines are named under the title. */
export function lineChart(s: LineSeries): TopLevelSpec {
  const names = s.y.map((col) => seriesLabel(s, col));
  const values = s.rows.flatMap((r) => s.y.map((col, q) => ({ x: r[s.x], y: r[col], series: names[q]! })).filter((v) => typeof v.y === 'number' && Number.isFinite(v.y)));
  const notes = [
    ...(s.note ? [s.note] : []),
    ...coincidentSeries(s).map(([a, b]) => `"${seriesLabel(s, a)}" and "${seriesLabel(s, b)}" coincide at every point (one line drawn over the other)`),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: notes.length ? { text: s.title, subtitle: notes } : s.title,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', point: s.rows.length <= 60 ? { filled: false, size: 60 } : false },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: s.xTitle ?? seriesLabel(s, s.x) },
      y: { field: 'y', type: 'quantitative', title: s.yTitle ?? names.join(', '), scale: s.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, legend: LEGEND, sort: names },
      shape: { field: 'series', type: 'nominal', title: null, legend: LEGEND, sort: names },
      strokeDash: { field: 'series', type: 'nominal', title: null, legend: LEGEND, sort: names },
    },
  } as TopLevelSpec;
}

export interface RasterOptions {
  /** Simulated time (ms): both panels span [0, tMaxMs]. */
  readonly tMaxMs: number;
  /** Neurons per population shown in the raster. */
  readonly rows: number;
  /** Where a spike cap cut the raster short (ms), or null. */
  readonly truncatedAtMs?: number | null;
}

/**
 * Spike raster (one row of panels per population) and one rate trace per population, stacked on one time axis. The
 * rate axis is linear from zero (an unlabelled log-like scale misled: docs/DECISIONS.md) and a legend names the
 * populations; the subtitle says which neurons the raster shows and where a spike cap cut it short.
 */
export function rasterChart(
  title: string,
  spikes: ReadonlyArray<{ t_ms: number; population: string; neuron: number }>,
  rates: ReadonlyArray<{ t_ms: number; population: string; rate_hz: number }>,
  opts: RasterOptions,
): TopLevelSpec {
  const time = { field: 't_ms', type: 'quantitative', title: 'time (ms)', scale: { domain: [0, opts.tMaxMs] } } as const;
  const subtitle = [
    `raster: the first ${opts.rows} neurons of each population${opts.truncatedAtMs !== null && opts.truncatedAtMs !== undefined ? `, up to ${opts.truncatedAtMs} ms (spike cap reached; the rates below count every spike)` : ''}`,
    'rates: spikes per neuron per second in each bin, all neurons, linear scale',
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    resolve: { legend: { color: 'independent' } },
    vconcat: [
      {
        data: { values: [...spikes] },
        facet: { row: { field: 'population', type: 'nominal', title: null } },
        spec: {
          width: 560,
          height: 70,
          mark: { type: 'tick', thickness: 1, size: 3 },
          encoding: {
            x: time,
            y: { field: 'neuron', type: 'quantitative', title: 'neuron' },
            color: { field: 'population', type: 'nominal', legend: null },
          },
        },
        resolve: { scale: { y: 'independent' } },
      },
      {
        width: 560,
        height: 140,
        data: { values: [...rates] },
        mark: 'line',
        encoding: {
          x: time,
          y: { field: 'rate_hz', type: 'quantitative', title: 'population rate (Hz)', scale: { type: 'linear', zero: true } },
          color: { field: 'population', type: 'nominal', title: 'population', legend: { orient: 'right', symbolType: 'stroke' } },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** A raster of a short stretch of a run, with its events marked (e.g. one SDM read: the burst, the read window). */
export interface WindowRaster {
  readonly title: string;
  readonly subtitle: readonly string[];
  readonly fromMs: number;
  readonly toMs: number;
  /** Spikes in [fromMs, toMs); `row` is the neuron's row in its population's panel. */
  readonly spikes: ReadonlyArray<{ t_ms: number; population: string; row: number }>;
  /** Vertical rules across every panel. */
  readonly marks: ReadonlyArray<{ t_ms: number; label: string }>;
  /** Panel order, top to bottom. */
  readonly populations: readonly string[];
}

export function windowRasterChart(w: WindowRaster): TopLevelSpec {
  const x = { field: 't_ms', type: 'quantitative', title: 'time (ms)', scale: { domain: [w.fromMs, w.toMs] } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: w.title, subtitle: [...w.subtitle] },
    data: { values: [...w.spikes.map((s) => ({ ...s, kind: 'spike' })), ...w.populations.flatMap((population) => w.marks.map((m) => ({ t_ms: m.t_ms, population, label: m.label, kind: 'mark' })))] },
    facet: { row: { field: 'population', type: 'nominal', title: null, sort: [...w.populations] } },
    spec: {
      width: 560,
      height: 80,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'mark'" }],
          mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
          encoding: { x },
        },
        {
          transform: [{ filter: "datum.kind === 'mark' && datum.population === '" + (w.populations[0] ?? '') + "'" }],
          mark: { type: 'text', align: 'left', dx: 3, dy: -4, fontSize: 10, color: '#555' },
          encoding: { x, y: { value: 0 }, text: { field: 'label' } },
        },
        {
          transform: [{ filter: "datum.kind === 'spike'" }],
          mark: { type: 'tick', thickness: 1, size: 3 },
          encoding: { x, y: { field: 'row', type: 'quantitative', title: 'neuron' }, color: { field: 'population', type: 'nominal', legend: null } },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}
