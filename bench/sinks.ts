/**
 * Spike-log sinks under load: 10 million spikes in per-tick batches (CUBA-like: 4,000 neurons, ~20 spikes a tick)
 * streamed through one sink to a file, with the sink drained every 1,000 ticks as the engine does. Prints rows per
 * second and the process's peak RSS; run one format per process so peak memory is the format's own.
 * Usage: tsx bench/sinks.ts <csv|ndjson|arrow> [spikes]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spikeSink } from '../src/recording/sinks/index.ts';
import type { SpikeFormat } from '../src/recording/sinks/types.ts';

const format = (process.argv[2] ?? 'csv') as SpikeFormat;
const total = Number(process.argv[3] ?? 10_000_000);
const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-sink-'));
const file = path.join(dir, `spikes.${format}`);
const sink = spikeSink(format, file, 0.1);
const batch = new Uint32Array(20);
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
let written = 0;
for (let tick = 1; written < total; tick++) {
  const k = Math.min(batch.length, total - written);
  for (let q = 0; q < k; q++) batch[q] = (tick * 7919 + q * 104729) % 4000;
  sink.write(tick, tick % 5 === 0 ? 'inh' : 'exc', batch.subarray(0, k));
  written += k;
  if (tick % 1000 === 0) await sink.drain();
}
await sink.close();
const seconds = (performance.now() - t0) / 1000;
const bytes = statSync(file).size;
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'sinks',
    format,
    spikes: written,
    rows_written: sink.rows,
    seconds,
    spikes_per_second: written / seconds,
    file_mb: bytes / 2 ** 20,
    rss_before_mb: rssBefore / 2 ** 20,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
