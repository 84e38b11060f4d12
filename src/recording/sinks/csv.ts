/**
 * Spike log as CSV (columns t_ms, population, neuron) through csv-stringify. Rows are stringified in blocks with
 * csv-stringify's synchronous API (one call per block of ~16k rows rather than one stream write per row) and
 * written to the output stream with backpressure.
 */
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { StreamSink } from './stream-sink.ts';
import { timeFormatter } from './types.ts';

const BLOCK_ROWS = 16384;

export class CsvSpikeSink extends StreamSink {
  private readonly fmt: (tick: number) => string;
  private block: Array<[string, string, number]> = [];
  private headerWritten = false;

  /** @param ownsStream end `out` on close (a file); false for stdout. */
  constructor(out: Writable, dtMs: number, ownsStream = true) {
    super(out, ownsStream);
    this.fmt = timeFormatter(dtMs);
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    if (this.closed) return;
    const t = this.fmt(tick);
    for (const i of indices) this.block.push([t, population, i]);
    this.rows += indices.length;
    if (this.block.length >= BLOCK_ROWS) this.flush();
  }

  protected flush(): void {
    if (this.closed || (this.block.length === 0 && this.headerWritten)) return;
    this.out.write(stringify(this.block, { header: !this.headerWritten, columns: ['t_ms', 'population', 'neuron'] }));
    this.headerWritten = true;
    this.block = [];
  }
}
