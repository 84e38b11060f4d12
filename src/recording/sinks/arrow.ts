/**
 * Spike log as an Apache Arrow IPC stream (columns t_ms: Float64, population: Utf8, neuron: Uint32), readable by
 * pyarrow, polars, DuckDB and arrow JS (`tableFromIPC`).
 *
 * Each block of `batchRows` rows is encoded on its own with apache-arrow's `tableToIPC` and written straight to the
 * output with backpressure: the schema message is kept from the first block only and the end-of-stream marker is
 * written once at the end, so the file is one IPC stream while memory holds one block at a time.
 */
import type { Writable } from 'node:stream';
import { Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { StreamSink } from './stream-sink.ts';

/** The IPC end-of-stream marker: continuation token, then a zero metadata length. */
const EOS = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/** Byte length of the first message (the schema) of an IPC stream: 8-byte prefix, metadata, no body. */
function schemaLength(stream: Uint8Array): number {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  if (view.getUint32(0, true) !== 0xffffffff) throw new Error('arrow: unexpected IPC framing');
  return 8 + view.getInt32(4, true);
}

export class ArrowSpikeSink extends StreamSink {
  private readonly t: Float64Array;
  private readonly neuron: Uint32Array;
  private pop: string[] = [];
  private fill = 0;
  private first = true;

  constructor(
    out: Writable,
    private readonly dtMs: number,
    private readonly batchRows = 16384,
    ownsStream = true,
  ) {
    super(out, ownsStream);
    this.t = new Float64Array(batchRows);
    this.neuron = new Uint32Array(batchRows);
  }

  write(tick: number, population: string, indices: Uint32Array): void {
    if (this.closed) return;
    const t = tick * this.dtMs;
    for (const i of indices) {
      this.t[this.fill] = t;
      this.neuron[this.fill] = i;
      this.pop.push(population);
      if (++this.fill === this.batchRows) this.encode();
    }
    this.rows += indices.length;
  }

  /** Encodes the buffered block (and, for the first block, the schema) and writes it. */
  private encode(): void {
    if (this.closed) return;
    const table = new Table({
      t_ms: vectorFromArray(this.t.slice(0, this.fill)),
      population: vectorFromArray(this.pop, new Utf8()),
      neuron: vectorFromArray(this.neuron.slice(0, this.fill)),
    });
    const bytes = tableToIPC(table, 'stream');
    const start = this.first ? 0 : schemaLength(bytes);
    this.out.write(bytes.subarray(start, bytes.length - EOS.length));
    this.first = false;
    this.fill = 0;
    this.pop = [];
  }

  /** Blocks are written when full; at the end the partial block (or, for an empty log, the schema) and EOS. */
  protected flush(last: boolean): void {
    if (!last || this.closed) return;
    if (this.fill > 0 || this.first) this.encode();
    this.out.write(EOS);
  }
}
