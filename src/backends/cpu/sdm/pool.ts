/**
 * Batched binary-SDM reads over worker threads.
 *
 * The r hard locations of a `BinarySdm` built with `shared: true` are cut into `threads` contiguous ranges, one per
 * worker (sdm-worker.ts). For each block of up to 32 queries the main thread packs the queries into the shared query
 * block; every worker scans its range in place (no copy of the 128 MB of addresses or of the counters) and sums the
 * counters of the locations it found into partial sums; the main thread joins the active sets (ranges in increasing
 * order, so sets come out sorted) and adds the partial sums. Sums are integers below 2^53 in float64, so the result
 * is exactly that of `BinarySdm.read` on each query (test/models/memory/sdm/pool.test.ts checks it).
 *
 * Do not write to the memory, nor read it on the main thread, while a `readBatch` is pending: the workers read the
 * counters in place, and the query block and pairs are shared.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../../core/errors.ts';
import { activeSetsFromPairs, type PairRun } from '../../../models/memory/sdm/batch.ts';
import type { BinarySdm, SdmReadResult } from '../../../models/memory/sdm/binary.ts';
import { ACC_SLOTS, BLOCK_MAX } from '../../../models/memory/sdm/scan-block.ts';

interface BlockReply {
  readonly count?: number;
  readonly acc?: Float64Array;
  readonly error?: string;
}

interface Slot {
  readonly worker: Worker;
  readonly from: number;
  readonly to: number;
  pending: ((reply: BlockReply) => void) | null;
}

export class SdmReadPool {
  private closed = false;
  private busy = false;

  private constructor(
    readonly sdm: BinarySdm,
    private readonly slots: Slot[],
  ) {}

  /** Threads in the pool. */
  get threads(): number {
    return this.slots.length;
  }

  /**
   * Starts `threads` workers (default one per core; never more than r, nor than ACC_SLOTS - 1 = 15: one accumulator
   * slot each in the shared memory) on a memory built with `shared: true`.
   * Resolves when every worker has attached to the shared memory.
   */
  static async create(sdm: BinarySdm, threads: number = availableParallelism()): Promise<SdmReadPool> {
    const state = sdm.sharedState();
    if (state === null) throw new InputError('SdmReadPool memory', `a BinarySdm built with shared: true, got ${String(sdm)}`);
    if (!Number.isInteger(threads) || threads < 1) throw new InputError('SdmReadPool threads', `an integer >= 1, got ${threads}`);
    const t = Math.min(threads, sdm.r, ACC_SLOTS - 1);
    const slots: Slot[] = [];
    const ready: Promise<void>[] = [];
    for (let k = 0; k < t; k++) {
      const from = Math.floor((k * sdm.r) / t);
      const to = Math.floor(((k + 1) * sdm.r) / t);
      const worker = new Worker(new URL('./sdm-worker.mjs', import.meta.url));
      const slot: Slot = { worker, from, to, pending: null };
      ready.push(
        new Promise<void>((resolve, reject) => {
          slot.pending = (reply) => (reply.error === undefined ? resolve() : reject(new Error(`sdm worker: ${reply.error}`)));
          worker.once('error', reject);
        }),
      );
      worker.on('message', (msg: BlockReply) => {
        const p = slot.pending;
        slot.pending = null;
        worker.unref(); // idle workers do not keep the process alive
        p?.(msg);
      });
      worker.on('error', (err) => {
        const p = slot.pending;
        slot.pending = null;
        p?.({ error: err.message });
      });
      worker.postMessage({ type: 'init', state, from, to, slot: k + 1 });
      slots.push(slot);
    }
    const pool = new SdmReadPool(sdm, slots);
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** `sdm.activeSetBatch` over the threads: the active set of each address. */
  async activeSetBatch(addresses: readonly Uint8Array[]): Promise<Uint32Array[]> {
    const sdm = this.sdm;
    if (sdm.d === null) return addresses.map((x) => sdm.activeSet(x));
    return this.run(async () => {
      const out: Uint32Array[] = [];
      for (let start = 0; start < addresses.length; start += BLOCK_MAX) {
        const nq = sdm.loadBlock(addresses, start);
        const replies = await this.dispatch(nq, sdm.d!, false);
        out.push(...activeSetsFromPairs(sdm.blockPairs, this.runs(replies), nq));
      }
      return out;
    });
  }

  /** `sdm.readBatch` over the threads: exactly what `sdm.read(addresses[q], cues?.[q])` returns, for every q. */
  async readBatch(addresses: readonly Uint8Array[], cues?: readonly (Uint8Array | undefined)[]): Promise<SdmReadResult[]> {
    const sdm = this.sdm;
    if (cues !== undefined && cues.length !== addresses.length) throw new InputError('SdmReadPool readBatch cues', `${addresses.length} cues (one per address), got ${cues.length}`);
    if (sdm.d === null) return addresses.map((x, q) => sdm.read(x, cues?.[q]));
    return this.run(async () => {
      const w = sdm.valueBits;
      const out: SdmReadResult[] = [];
      for (let start = 0; start < addresses.length; start += BLOCK_MAX) {
        const nq = sdm.loadBlock(addresses, start);
        const replies = await this.dispatch(nq, sdm.d!, true);
        const sets = activeSetsFromPairs(sdm.blockPairs, this.runs(replies), nq);
        const acc = replies[0]!.acc!;
        for (let k = 1; k < replies.length; k++) {
          const part = replies[k]!.acc!;
          for (let j = 0; j < acc.length; j++) acc[j]! += part[j]!;
        }
        for (let b = 0; b < nq; b++) {
          const x = addresses[start + b]!;
          out.push(sdm.readFromSums(acc.subarray(b * w, (b + 1) * w), sets[b]!.length, sdm.cueFor(x, cues?.[start + b])));
        }
      }
      return out;
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) s.pending?.({ error: 'pool closed' });
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  toString(): string {
    return `<SdmReadPool threads=${this.threads} ${String(this.sdm)}>`;
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  /** One batch at a time: the query block and the pairs are shared by all calls. */
  private async run<T>(body: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('SdmReadPool: closed');
    if (this.busy) throw new Error('SdmReadPool: one batch at a time (await the previous readBatch)');
    this.busy = true;
    try {
      return await body();
    } finally {
      this.busy = false;
    }
  }

  private runs(replies: readonly BlockReply[]): PairRun[] {
    return this.slots.map((s, k) => ({ start: 2 * s.from, count: replies[k]!.count! }));
  }

  private async dispatch(nq: number, d: number, sum: boolean): Promise<BlockReply[]> {
    const replies = await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<BlockReply>((resolve) => {
            s.pending = resolve;
            s.worker.ref(); // a pending block keeps the process alive
            s.worker.postMessage({ type: 'block', nq, d, sum });
          }),
      ),
    );
    const bad = replies.find((r) => r.error !== undefined);
    if (bad) throw new Error(`sdm worker: ${bad.error}`);
    return replies;
  }
}
