/** Spike log as newline-delimited JSON, one object per spike: {"t_ms":12.3,"population":"exc","neuron":7}. */
import type { Writable } from 'node:stream';
import { drained, type SpikeSink, timeFormatter } from './types.ts';

export class NdjsonSpikeSink implements SpikeSink {
  rows = 0;
  /** The reader went away (EPIPE on stdout): later rows are dropped and the run is stopped by the CLI. */
  closed = false;
  private buffer: string[] = [];
  private error: Error | null = null;
  private readonly fmt: (tick: number) => string;

  constructor(
    private readonly out: Writable,
    dtMs: number,
    private readonly ownsStream = true,
  ) {
    this.fmt = timeFormatter(dtMs);
    out.on('error', (e: NodeJS.ErrnoException) => this.onError(e));
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    if (this.closed) return;
    const head = `{"t_ms":${this.fmt(tick)},"population":${JSON.stringify(population)},"neuron":`;
    for (const i of indices) this.buffer.push(head + i + '}\n');
    this.rows += indices.length;
    if (this.buffer.length >= 4096) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0 || this.closed) return;
    this.out.write(this.buffer.join(''));
    this.buffer = [];
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
    if (!this.ownsStream || this.closed) return;
    const finished = drained(this.out, 'finish');
    this.out.end();
    await finished;
    if (this.error) throw this.error;
  }
}
