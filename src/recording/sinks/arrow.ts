/**
 * Spike log as an Apache Arrow IPC stream (columns t_ms: Float64, population: Utf8, neuron: Uint32), written in
 * record batches of `batchRows` rows through apache-arrow's Node duplex writer, whose backpressure the run awaits,
 * so memory stays bounded however long the run. Readable by pyarrow, polars, DuckDB and arrow JS (`tableFromIPC`).
 */
import type { Duplex, Writable } from 'node:stream';
import { RecordBatchStreamWriter, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { drained, type SpikeSink } from './types.ts';

export class ArrowSpikeSink implements SpikeSink {
  rows = 0;
  /** The reader went away (EPIPE on stdout): later rows are dropped and the run is stopped by the CLI. */
  closed = false;
  private readonly encoder: Duplex;
  private t: Float64Array;
  private neuron: Uint32Array;
  private pop: string[] = [];
  private fill = 0;
  private error: Error | null = null;

  constructor(
    private readonly out: Writable,
    private readonly dtMs: number,
    private readonly batchRows = 16384,
    private readonly ownsStream = true,
  ) {
    this.t = new Float64Array(batchRows);
    this.neuron = new Uint32Array(batchRows);
    out.on('error', (e: NodeJS.ErrnoException) => this.onError(e));
    this.encoder = RecordBatchStreamWriter.throughNode() as unknown as Duplex;
    this.encoder.on('error', (e: NodeJS.ErrnoException) => this.onError(e));
    this.encoder.pipe(out, { end: ownsStream });
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    if (this.closed) return;
    const t = tick * this.dtMs;
    for (const i of indices) {
      this.t[this.fill] = t;
      this.neuron[this.fill] = i;
      this.pop.push(population);
      if (++this.fill === this.batchRows) this.flush();
    }
    this.rows += indices.length;
  }

  private flush(): void {
    if (this.fill === 0 || this.closed) return;
    const table = new Table({
      t_ms: vectorFromArray(this.t.slice(0, this.fill)),
      population: vectorFromArray(this.pop, new Utf8()),
      neuron: vectorFromArray(this.neuron.slice(0, this.fill)),
    });
    for (const b of table.batches) this.encoder.write(b);
    this.fill = 0;
    this.pop = [];
  }

  private onError(e: NodeJS.ErrnoException): void {
    if (e.code === 'EPIPE') this.closed = true;
    else this.error = e;
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error;
    if (!this.closed && this.encoder.writableNeedDrain) await drained(this.encoder);
    if (!this.closed && this.out.writableNeedDrain) await drained(this.out);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    const done = drained(this.ownsStream ? this.out : this.encoder, this.ownsStream ? 'finish' : 'end');
    this.encoder.end();
    await done;
    if (this.error) throw this.error;
  }
}
