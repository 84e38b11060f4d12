/**
 * The streamed outputs every circuit run shares: the spike log's sinks (a file in the output folder, or a stream) and
 * the event log (protocol and memory-model events go into the spike log as population `event:<kind>` and, with their
 * data, into events.ndjson), and the per-population summary.
 */
import { appendFileSync } from 'node:fs';
import { meanRateHz } from '../analysis/spikes.ts';
import type { MemoryEvent } from '../engine/simulator.ts';
import type { Network } from '../network/network.ts';
import { spikeSink } from '../recording/sinks/index.ts';
import type { OutputDir } from '../recording/sinks/output-dir.ts';
import { FORMAT_EXTENSION, type SpikeSink } from '../recording/sinks/types.ts';
import type { ScenarioFile } from './schema.ts';
import type { Expectation, PopulationSummary, ScenarioRunOptions } from './types.ts';

/** The sinks of the spike log (the caller's extra sinks first), and the file it goes to (files.spikes). */
export function openSpikeLog(record: ScenarioFile['record'], opts: ScenarioRunOptions, out: OutputDir | null, dtMs: number, files: Record<string, string>): SpikeSink[] {
  const sinks: SpikeSink[] = [...(opts.sinks ?? [])];
  const format = opts.format ?? 'csv';
  if (record.spikes === 'none') return sinks;
  if (opts.stream) sinks.push(spikeSink(format, opts.stream, dtMs));
  else if (out) {
    const name = `spikes.${FORMAT_EXTENSION[format]}`;
    sinks.push(spikeSink(format, out.file(name), dtMs));
    files.spikes = name;
  }
  return sinks;
}

/** The populations a scenario records (null: all). */
export function recordedPopulations(record: ScenarioFile['record']): ReadonlySet<string> | null {
  return record.spikes === 'all' || record.spikes === 'none' ? null : new Set(record.spikes);
}

/** Events into the spike log's sinks and events.ndjson (buffered, appended in blocks of 10,000 lines). */
export class EventLog {
  private readonly lines: string[] = [];
  private readonly path: string | null;
  count = 0;

  constructor(
    out: OutputDir | null,
    private readonly sinks: readonly SpikeSink[],
    private readonly dtMs: number,
  ) {
    this.path = out ? out.file('events.ndjson') : null;
  }

  /** Writes an event; `offsetTicks` moves it onto the log's time axis (runs that follow one another in one log). */
  write(e: MemoryEvent, offsetTicks = 0): void {
    this.count++;
    const tick = e.tick + offsetTicks;
    for (const sink of this.sinks) sink.write(tick, `event:${e.kind}`, Uint32Array.of(e.id));
    if (!this.path) return;
    this.lines.push(JSON.stringify({ t_ms: Math.round(tick * this.dtMs * 1000) / 1000, kind: e.kind, id: e.id, ...(e.data ?? {}) }));
    if (this.lines.length >= 10000) this.flush();
  }

  private flush(): void {
    if (this.path && this.lines.length) appendFileSync(this.path, this.lines.join('\n') + '\n');
    this.lines.length = 0;
  }

  /** Writes what is buffered; names events.ndjson in `files` when there were events. */
  close(files: Record<string, string>): void {
    this.flush();
    if (this.path && this.count > 0) files.events = 'events.ndjson';
  }
}

/** Size, kind, spikes, rate and mean ISI CV of every population, from the run's counts. */
export function populationSummaries(network: Network, counts: Readonly<Record<string, number>>, simulatedMs: number, cvOf: (name: string) => number): Record<string, PopulationSummary> {
  const populations: Record<string, PopulationSummary> = {};
  for (const p of network.populations) {
    const cv = cvOf(p.name);
    populations[p.name] = {
      size: p.size,
      kind: p.kind,
      model: p.model?.name ?? null,
      spikes: counts[p.name] ?? 0,
      rate_hz: meanRateHz(counts[p.name] ?? 0, p.size, simulatedMs),
      cv_isi: Number.isFinite(cv) ? cv : null,
    };
  }
  return populations;
}

/** The scenario's rate_hz and cv_isi bands, checked against the population summaries. */
export function populationExpectations(expect: ScenarioFile['expect'], populations: Readonly<Record<string, PopulationSummary>>, enforced: boolean): Expectation[] {
  const out: Expectation[] = [];
  for (const check of ['rate_hz', 'cv_isi'] as const)
    for (const [pop, band] of Object.entries(expect[check] ?? {})) {
      const value = populations[pop]?.[check] ?? NaN;
      out.push({ check, population: pop, value, band, pass: value >= band[0] && value <= band[1], enforced });
    }
  return out;
}
