/**
 * What the file-or-stdout spike sinks share: counting rows, a reader that goes away (EPIPE: later rows are dropped
 * and the CLI stops the run), backpressure in `drain`, and ending the stream when the sink owns it.
 */
import type { Writable } from 'node:stream';
import { drained, type SpikeSink } from './types.ts';

export abstract class StreamSink implements SpikeSink {
  rows = 0;
  /** The reader went away (EPIPE on stdout). */
  closed = false;
  private error: Error | null = null;

  constructor(
    protected readonly out: Writable,
    private readonly ownsStream: boolean,
  ) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else {
        // Name the output in the error (stdout has no path), so the CLI's one line says where writing failed.
        if (e.path === undefined) e.path = 'path' in out && typeof out.path === 'string' ? out.path : out === process.stdout ? 'stdout' : 'the spike log stream';
        this.error = e;
      }
    });
  }

  abstract write(tick: number, population: string, indices: Uint32Array): void;

  /** Hands buffered rows to the stream (`last`: the sink is closing; write any trailer). */
  protected abstract flush(last: boolean): void;

  async drain(): Promise<void> {
    if (this.error) throw this.error;
    if (!this.closed) this.flush(false);
    if (!this.closed && this.out.writableNeedDrain) await drained(this.out);
    if (this.error) throw this.error;
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    if (this.closed) return;
    this.flush(true);
    if (this.ownsStream) {
      const finished = drained(this.out, 'finish');
      this.out.end();
      await finished;
    } else if (this.out.writableNeedDrain) await drained(this.out);
    if (this.error) throw this.error;
  }
}
