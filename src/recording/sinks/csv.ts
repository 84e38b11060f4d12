/** Spike log as CSV (columns t_ms, population, neuron) through csv-stringify, streamed with backpressure. */
import type { Writable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import { drained, type SpikeSink, timeFormatter } from './types.ts';

export class CsvSpikeSink implements SpikeSink {
  rows = 0;
  /** The reader went away (EPIPE on stdout): later rows are dropped and the run is stopped by the CLI. */
  closed = false;
  private readonly csv: Stringifier;
  private readonly fmt: (tick: number) => string;
  private error: Error | null = null;

  /** @param ownsStream end `out` on close (a file); false for stdout. */
  constructor(
    private readonly out: Writable,
    dtMs: number,
    private readonly ownsStream = true,
  ) {
    this.fmt = timeFormatter(dtMs);
    this.csv = stringify({ header: true, columns: ['t_ms', 'population', 'neuron'] });
    this.csv.on('error', (e) => (this.error = e));
    this.out.on('error', (e: NodeJS.ErrnoException) => this.onError(e));
    this.csv.pipe(this.out, { end: ownsStream });
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    if (this.closed) return;
    const t = this.fmt(tick);
    for (const i of indices) this.csv.write([t, population, i]);
    this.rows += indices.length;
  }

  private onError(e: NodeJS.ErrnoException): void {
    if (e.code === 'EPIPE') this.closed = true;
    else this.error = e;
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error;
    if (this.closed) return;
    if (this.csv.writableNeedDrain) await drained(this.csv);
    if (this.out.writableNeedDrain) await drained(this.out);
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    if (this.closed) return;
    const finished = drained(this.ownsStream ? this.out : this.csv, this.ownsStream ? 'finish' : 'end');
    this.csv.end();
    await finished;
    if (this.error) throw this.error;
  }
}
