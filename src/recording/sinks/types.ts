/** A spike sink receives per-tick batches and may apply backpressure through `drain`. */
export interface SpikeSink {
  /** Header-level metadata: population names, in index order, and dt for formatting times. */
  write(tick: number, population: string, indices: Uint32Array): void;
  /** Resolves when buffered rows have been handed to the OS (called between chunks of ticks). */
  drain(): Promise<void>;
  /** Finishes the output. */
  close(): Promise<void>;
  /** Rows written so far. */
  readonly rows: number;
}

/** Formats tick * dt with exactly as many decimals as dt has (0.1 ms grid -> '12.3'), so times print cleanly. */
export function timeFormatter(dtMs: number): (tick: number) => string {
  const s = String(dtMs);
  const decimals = s.includes('e-') ? Number(s.split('e-')[1]) : (s.split('.')[1]?.length ?? 0);
  return (tick) => (tick * dtMs).toFixed(decimals);
}

export const SPIKE_FORMATS = ['csv', 'ndjson', 'arrow'] as const;
export type SpikeFormat = (typeof SPIKE_FORMATS)[number];
export const FORMAT_EXTENSION: Readonly<Record<SpikeFormat, string>> = { csv: 'csv', ndjson: 'ndjson', arrow: 'arrow' };

/** Resolves when `stream` drains, closes or fails (the sink's own error listener records failures). */
export function drained(stream: NodeJS.EventEmitter, event = 'drain'): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off(event, done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on(event, done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
