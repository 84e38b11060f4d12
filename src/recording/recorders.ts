/** Recorders decide what is recorded and hand it to sinks. */
import type { Population } from '../network/network.ts';
import { IsiAccumulator } from '../analysis/spikes.ts';
import type { SpikeSink } from './sinks/types.ts';

/** Forwards the spikes of the selected populations (all when `populations` is null) to a sink. */
export function spikeRecorder(sink: SpikeSink, populations: ReadonlySet<string> | null) {
  return (tick: number, pop: Population, indices: Uint32Array): void => {
    if (populations === null || populations.has(pop.name)) sink.write(tick, pop.name, indices);
  };
}

/** ISI statistics per population, O(neurons) memory. */
export function isiRecorder(pops: readonly Population[]) {
  const acc = new Map(pops.map((p) => [p.name, new IsiAccumulator(p.size)]));
  return {
    listener: (tick: number, pop: Population, indices: Uint32Array): void => acc.get(pop.name)?.add(tick, indices),
    meanCv: (name: string) => acc.get(name)?.meanCv() ?? { cv: NaN, neurons: 0 },
  };
}

/**
 * What a report needs, in bounded memory: spikes of the first `rows` neurons of each population, up to
 * `maxSpikes` in all (for a raster; `truncatedAtMs` says where the cap cut it), and spike counts per population in
 * bins of `binTicks` (for population rates). Spike times are ticks 1..T (a spike computed in tick k has time k + 1),
 * so bin k holds the spikes of ticks (k b, (k + 1) b] and the last bin, (k b, T], is divided by its own width.
 */
export function rasterRecorder(pops: readonly Population[], dtMs: number, binTicks: number, rows = 50, maxSpikes = 40000) {
  const spikes: Array<{ t_ms: number; population: string; neuron: number }> = [];
  const bins = new Map<string, number[]>(pops.map((p) => [p.name, []]));
  let truncatedAtMs: number | null = null;
  return {
    listener: (tick: number, pop: Population, indices: Uint32Array): void => {
      const b = bins.get(pop.name)!;
      const k = Math.max(0, Math.ceil(tick / binTicks) - 1);
      while (b.length <= k) b.push(0);
      b[k]! += indices.length;
      for (let q = 0; q < indices.length && indices[q]! < rows; q++) {
        if (spikes.length >= maxSpikes) {
          truncatedAtMs ??= tick * dtMs;
          break;
        }
        spikes.push({ t_ms: tick * dtMs, population: pop.name, neuron: indices[q]! });
      }
    },
    spikes,
    rows,
    /** Time of the first spike the raster had no room for, or null when it holds every spike of its rows. */
    get truncatedAtMs(): number | null {
      return truncatedAtMs;
    },
    /** Rates per bin over ticks (0, totalTicks]. */
    rates(totalTicks: number): Array<{ t_ms: number; population: string; rate_hz: number }> {
      const out: Array<{ t_ms: number; population: string; rate_hz: number }> = [];
      const nBins = Math.max(1, Math.ceil(totalTicks / binTicks));
      for (const p of pops) {
        const b = bins.get(p.name)!;
        for (let k = 0; k < nBins; k++) {
          const c = (b[k] ?? 0) + (k === nBins - 1 ? b.slice(nBins).reduce((s, x) => s + x, 0) : 0);
          const width = Math.max(1, Math.min(binTicks, totalTicks - k * binTicks));
          out.push({ t_ms: (k * binTicks + width / 2) * dtMs, population: p.name, rate_hz: (c / p.size) * (1000 / (width * dtMs)) });
        }
      }
      return out;
    },
  };
}
