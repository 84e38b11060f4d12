/** Spike log as newline-delimited JSON, one object per spike: {"t_ms":12.3,"population":"exc","neuron":7}. */
import type { Writable } from 'node:stream';
import { StreamSink } from './stream-sink.ts';
import { timeFormatter } from './types.ts';

export class NdjsonSpikeSink extends StreamSink {
  private buffer: string[] = [];
  private readonly fmt: (tick: number) => string;

  constructor(out: Writable, dtMs: number, ownsStream = true) {
    super(out, ownsStream);
    this.fmt = timeFormatter(dtMs);
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    if (this.closed) return;
    const head = `{"t_ms":${this.fmt(tick)},"population":${JSON.stringify(population)},"neuron":`;
    for (const i of indices) this.buffer.push(head + i + '}\n');
    this.rows += indices.length;
    if (this.buffer.length >= 4096) this.flush();
  }

  protected flush(): void {
    if (this.buffer.length === 0 || this.closed) return;
    this.out.write(this.buffer.join(''));
    this.buffer = [];
  }
}
