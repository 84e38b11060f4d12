/**
 * Figures that do not mislead: the population-rate axis of the raster is linear (tick labels equally spaced for
 * equal steps in Hz) and a legend names the populations; line-chart legends say what a curve shows, never a summary
 * field name; two curves that coincide are said to; where Kanerva's recall prediction exists it is drawn beside the
 * simulation. Checked on the rendered SVG, the way a reader meets it.
 */
import { describe, expect, it } from 'vitest';
import { lineChart, rasterChart, renderSvg, windowRasterChart } from '../../src/recording/plots.ts';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { runScenario } from '../../src/scenarios/runner.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The tick labels of the axis whose title is `title`: [value, position along the axis]. */
function axisTicks(svg: string, title: string, axis: 'x' | 'y'): Array<[number, number]> {
  const start = svg.indexOf(`aria-label="${axis.toUpperCase()}-axis titled '${title}'`);
  expect(start).toBeGreaterThan(-1);
  const group = svg.slice(start, svg.indexOf('role-axis-domain', start));
  const labels = group.slice(group.indexOf('role-axis-label'));
  // Vega writes negative numbers with the Unicode minus sign.
  return [...labels.matchAll(/transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>([^<]+)<\/text>/g)].map((m) => [Number(m[3]!.replaceAll(',', '').replaceAll('\u2212', '-')), Number(axis === 'y' ? m[2] : m[1])]);
}

/** Text a reader sees: every <text> element's content. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/gs)].flatMap((m) => {
    const inner = m[1]!;
    const parts = inner.includes('<tspan') ? [...inner.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]!) : [inner];
    return parts.map((x) => x.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&'));
  });

describe('raster and population rates', () => {
  const spikes = [
    { t_ms: 1, population: 'exc', neuron: 0 },
    { t_ms: 2, population: 'inh', neuron: 3 },
  ];
  const rates = [0, 1, 2, 3, 4].flatMap((k) => [
    { t_ms: k * 10 + 5, population: 'exc', rate_hz: [0.5, 1, 2, 4, 6][k]! },
    { t_ms: k * 10 + 5, population: 'inh', rate_hz: [3, 5, 6, 5.5, 4][k]! },
  ]);

  it('the rate axis is linear: equal steps in Hz are equal distances', async () => {
    const svg = await renderSvg(rasterChart('t', spikes, rates, { tMaxMs: 50, rows: 50 }));
    const ticks = axisTicks(svg, 'population rate (Hz)', 'y');
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks[0]![0]).toBe(0);
    const slope = (ticks[1]![1] - ticks[0]![1]) / (ticks[1]![0] - ticks[0]![0]);
    for (const [v, y] of ticks) expect(y - ticks[0]![1]).toBeCloseTo(slope * v, 1);
  });

  it('a legend titled population names every population, and the subtitle says which neurons the raster shows', async () => {
    const svg = await renderSvg(rasterChart('t', spikes, rates, { tMaxMs: 50, rows: 50, truncatedAtMs: 12.5 }));
    expect(svg).toMatch(/role-legend[^>]*aria-label="Symbol legend titled 'population' for stroke color with 2 values: exc, inh"/);
    const t = texts(svg);
    expect(t).toEqual(expect.arrayContaining(['population', 'exc', 'inh']));
    expect(t.join(' ')).toMatch(/the first 50 neurons of each population, up to 12\.5 ms \(spike cap reached/);
    // Both panels span the whole run, so a raster cut short by its cap does not look like silence.
    for (const axis of svg.matchAll(/X-axis titled 'time \(ms\)' for a linear scale with values from 0 to (\d+)/g)) expect(axis[1]).toBe('50');
  });
});

describe('line charts', () => {
  const rows = [0, 16, 32].map((x) => ({ noise_bits: x, bit_accuracy: 1 - x / 100, algebraic_bit_accuracy: 1 - x / 100, theory: 1 - x / 90 }));
  const labels = { bit_accuracy: 'spiking circuit', algebraic_bit_accuracy: 'algebraic SDM', theory: "Kanerva's prediction" };

  it('legends name what the curves show, and coinciding curves are said to coincide', async () => {
    const svg = await renderSvg(lineChart({ title: 'Recall', x: 'noise_bits', y: ['bit_accuracy', 'algebraic_bit_accuracy', 'theory'], labels, rows }));
    const t = texts(svg);
    expect(t).toEqual(expect.arrayContaining(['spiking circuit', 'algebraic SDM', "Kanerva's prediction"]));
    expect(t.some((x) => /bit_accuracy|algebraic_bit_accuracy/.test(x))).toBe(false);
    expect(t).toContain('"spiking circuit" and "algebraic SDM" coincide at every point (one line drawn over the other)');
    expect(t.filter((x) => /coincide/.test(x))).toHaveLength(1);
  });

  it('curves that differ anywhere are not said to coincide', async () => {
    const differ = rows.map((r, i) => ({ ...r, algebraic_bit_accuracy: r.algebraic_bit_accuracy - (i === 2 ? 0.01 : 0) }));
    const svg = await renderSvg(lineChart({ title: 'Recall', x: 'noise_bits', y: ['bit_accuracy', 'algebraic_bit_accuracy'], labels, rows: differ }));
    expect(texts(svg).some((x) => /coincide/.test(x))).toBe(false);
  });
});

describe('sdm-recall figures', () => {
  it("draw the spiking circuit, the algebraic SDM (said to coincide) and Kanerva's prediction, under their names", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'purkinje-fig-')), 'recall');
    const s = await runScenario(loadScenario('sdm-recall'), { outDir: out });
    const t = texts(readFileSync(path.join(out, 'recall.svg'), 'utf8'));
    expect(t).toEqual(expect.arrayContaining(['spiking circuit', 'algebraic SDM (same hard locations)', "Kanerva's prediction (signal-to-noise)"]));
    expect(t.some((x) => /_/.test(x))).toBe(false);
    // The spiking circuit equals the algebraic SDM bit for bit, so the figure must say that its two lines are one.
    expect(s.results.algebraic_agreement).toBe(1);
    expect(t.some((x) => /"spiking circuit" and "algebraic SDM \(same hard locations\)" coincide/.test(x))).toBe(true);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/Kanerva(&#39;|')s prediction/);
  });

  it('a zoomed raster names its events and panels and puts each spike at its time', async () => {
    const svg = await renderSvg(
      windowRasterChart({
        title: 'The first read',
        subtitle: ['cells storing 1 pause'],
        fromMs: -10,
        toMs: 50,
        spikes: [
          { t_ms: -5, population: 'purkinje', row: 0 },
          { t_ms: 20, population: 'purkinje', row: 1 },
          { t_ms: 25, population: 'dcn', row: 0 },
        ],
        marks: [
          { t_ms: 0, label: 'mossy burst' },
          { t_ms: 30, label: 'end of read window' },
        ],
        populations: ['purkinje', 'dcn'],
      }),
    );
    const seen = texts(svg);
    for (const t of ['The first read', 'cells storing 1 pause', 'mossy burst', 'end of read window', 'purkinje', 'dcn']) expect(seen).toContain(t);
    // The time axis spans the window and its ticks are equally spaced for equal steps in ms.
    const ticks = axisTicks(svg, 'time (ms)', 'x');
    expect(ticks[0]![0]).toBe(-10);
    expect(ticks.at(-1)![0]).toBe(50);
    const step = (ticks[1]![1] - ticks[0]![1]) / (ticks[1]![0] - ticks[0]![0]);
    for (const [v, x] of ticks) expect(x - ticks[0]![1]).toBeCloseTo((v - ticks[0]![0]) * step, 0);
  });
});
