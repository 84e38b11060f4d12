/**
 * Spike log as CSV (columns t_ms, population, neuron) through csv-stringify. Rows are stringified in blocks with
 * csv-stringify's synchronous API (one call per block of ~16k rows rather than one stream write per row: about 8x
 * faster) and written to the output stream with backpressure.
 */
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { drained, type SpikeSink, timeFormatter } from './types.ts';

const BLOCK_ROWS = 16384;

export class CsvSpikeSink implements SpikeSink {
  rows = 0;
  /** The reader went away (EPIPE on stdout): later rows are dropped and the run is stopped by the CLI. */
  closed = false;
  private readonly fmt: (tick: number) => string;
  private error: Error | null = null;
  private block: Array<[string, string, number]> = [];
  private headerWritten = false;

  /** @param ownsStream end `out` on close (a file); false for stdout. */
  constructor(
    private readonly out: Writable,
    dtMs: number,
    private readonly ownsStream = true,
  ) {
    this.fmt = timeFormatter(dtMs);
    this.out.on('error', (e: NodeJS.ErrnoException) => this.onError(e));
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    if (this.closed) return;
    const t = this.fmt(tick);
    for (const i of indices) this.block.push([t, population, i]);
    this.rows += indices.length;
    if (this.block.length >= BLOCK_ROWS) this.flush();
  }

  private flush(): void {
    if (this.closed || (this.block.length === 0 && this.headerWritten)) return;
    this.out.write(stringify(this.block, { header: !this.headerWritten, columns: ['t_ms', 'population', 'neuron'] }));
    this.headerWritten = true;
    this.block = [];
  }

  private onError(e: NodeJS.ErrnoException): void {
    if (e.code === 'EPIPE') this.closed = true;
    else this.error = e;
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error;
    this.flush();
    if (!this.closed && this.out.writableNeedDrain) await drained(this.out);
    if (this.error) throw this.error;
  }

  async close(): Promise<void> {
    await this.drain();
    if (this.closed || !this.ownsStream) return;
    const finished = drained(this.out, 'finish');
    this.out.end();
    await finished;
    if (this.error) throw this.error;
  }
}
