/**
 * Figures as self-contained SVG, from Vega-Lite specifications rendered in Node (vega's headless View, no canvas):
 * line charts of a scenario's result tables, spike rasters and population rates. No hand-written plotting code.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

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
  readonly y: readonly string[];
  readonly rows: ReadonlyArray<Record<string, number | string>>;
  readonly yTitle?: string;
  readonly xTitle?: string;
  readonly logY?: boolean;
}

/** One line per column in `y`, against column `x`. */
export function lineChart(s: LineSeries): TopLevelSpec {
  const values = s.rows.flatMap((r) => s.y.map((col) => ({ x: r[s.x], y: r[col], series: col })).filter((v) => typeof v.y === 'number' && Number.isFinite(v.y)));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: s.title,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', point: s.rows.length <= 60 ? { filled: false, size: 60 } : false },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: s.xTitle ?? s.x },
      y: { field: 'y', type: 'quantitative', title: s.yTitle ?? s.y.join(', '), scale: s.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, legend: LEGEND },
      shape: { field: 'series', type: 'nominal', title: null, legend: LEGEND },
      strokeDash: { field: 'series', type: 'nominal', title: null, legend: LEGEND },
    },
  } as TopLevelSpec;
}

/** Spike raster (one row of panels per population) and one rate trace per population, stacked. */
export function rasterChart(title: string, spikes: ReadonlyArray<{ t_ms: number; population: string; neuron: number }>, rates: ReadonlyArray<{ t_ms: number; population: string; rate_hz: number }>): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    vconcat: [
      {
        data: { values: [...spikes] },
        facet: { row: { field: 'population', type: 'nominal', title: null } },
        spec: {
          width: 560,
          height: 70,
          mark: { type: 'tick', thickness: 1, size: 3 },
          encoding: {
            x: { field: 't_ms', type: 'quantitative', title: 'time (ms)' },
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
          x: { field: 't_ms', type: 'quantitative', title: 'time (ms)' },
          y: { field: 'rate_hz', type: 'quantitative', title: 'population rate (Hz)', scale: { type: 'symlog' } },
          color: { field: 'population', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}
