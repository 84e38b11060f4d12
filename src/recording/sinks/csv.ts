/** Spike log as CSV (columns t_ms, population, neuron) through csv-stringify, streamed with backpressure. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify, type Stringifier } from 'csv-stringify';
import { type SpikeSink, timeFormatter } from './types.ts';

export class CsvSpikeSink implements SpikeSink {
  rows = 0;
  private readonly out: WriteStream;
  private readonly csv: Stringifier;
  private readonly fmt: (tick: number) => string;
  private error: Error | null = null;

  constructor(file: string, dtMs: number) {
    this.fmt = timeFormatter(dtMs);
    this.out = createWriteStream(file);
    this.csv = stringify({ header: true, columns: ['t_ms', 'population', 'neuron'] });
    this.csv.on('error', (e) => (this.error = e));
    this.out.on('error', (e) => (this.error = e));
    this.csv.pipe(this.out);
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    const t = this.fmt(tick);
    for (const i of indices) this.csv.write([t, population, i]);
    this.rows += indices.length;
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error;
    if (this.csv.writableNeedDrain) await once(this.csv, 'drain');
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    const finished = once(this.out, 'finish');
    this.csv.end();
    await finished;
    if (this.error) throw this.error;
  }
}
