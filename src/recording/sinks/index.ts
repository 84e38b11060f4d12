/** Chooses a spike sink by format, writing to a file (owned, closed at the end) or to a stream such as stdout. */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { ArrowSpikeSink } from './arrow.ts';
import { CsvSpikeSink } from './csv.ts';
import { NdjsonSpikeSink } from './ndjson.ts';
import type { SpikeFormat, SpikeSink } from './types.ts';

export function spikeSink(format: SpikeFormat, target: string | Writable, dtMs: number): SpikeSink {
  const owns = typeof target === 'string';
  const out = typeof target === 'string' ? createWriteStream(target) : target;
  switch (format) {
    case 'csv':
      return new CsvSpikeSink(out, dtMs, owns);
    case 'ndjson':
      return new NdjsonSpikeSink(out, dtMs, owns);
    case 'arrow':
      return new ArrowSpikeSink(out, dtMs, 16384, owns);
  }
}
