/**
 * A pool of worker threads that runs the chunks of network-build jobs (build-csr.ts `ChunkJob`) with this thread.
 *
 * `buildNetwork` is synchronous, so the pool is too: arrays live in SharedArrayBuffers, a job is posted to every
 * worker, and every thread, this one included, takes the next chunk from a shared counter until none is left; this
 * thread then blocks (`Atomics.wait`) until every chunk is done. Chunks are pure functions of the job that write
 * disjoint outputs, so which thread runs which chunk never changes the network. While the workers start (a fraction
 * of a second, more from TypeScript sources), this thread works through the chunks alone; workers that never start
 * cost nothing but their chunks' wait. A chunk that throws in a worker is redone here, where its error surfaces as it
 * would in one thread; a worker that stops answering in the middle of a chunk for `stallMs` fails the build.
 *
 * Worker threads start from workers/connect-worker.mjs, which loads the compiled worker beside it or registers tsx
 * for the TypeScript sources (as scenarios/workers/replay-worker.mjs does).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CHUNK_SYNAPSES, type ChunkJob, type ChunkRunner, runChunk, serialRunner } from './build-csr.ts';

/** Control words of a job: [next chunk to take, chunks done, chunks failed, then one state per chunk]. */
const NEXT = 0;
const DONE = 1;
const FAILED = 2;
const STATES = 3;
/** Chunk states (0: not taken). */
const CHUNK_TAKEN = 1;
const CHUNK_DONE = 2;
const CHUNK_FAILED = 3;

/** What a worker is started with: a counter it increments once it listens for jobs (`ConnectPool.waitReady`). */
export interface PoolWorkerData {
  readonly online: Int32Array;
}

/** The message a worker receives: a job and its control words. */
export interface PoolMessage {
  readonly job: ChunkJob;
  readonly control: Int32Array;
  readonly chunks: number;
}

/**
 * Takes chunks of a job from its control words and runs them until none is left (every thread of the pool runs
 * this). A chunk that throws is marked failed, for the pool's own thread to redo, and passed to `onError`;
 * `onDone` is called after each chunk that finished.
 */
export function workOn(message: PoolMessage, onError?: (c: number, e: unknown) => void, onDone?: (c: number) => void): void {
  const { job, control, chunks } = message;
  for (;;) {
    const c = Atomics.add(control, NEXT, 1);
    if (c >= chunks) return;
    Atomics.store(control, STATES + c, CHUNK_TAKEN);
    try {
      runChunk(job, c);
      Atomics.store(control, STATES + c, CHUNK_DONE);
      Atomics.add(control, DONE, 1);
      onDone?.(c);
    } catch (e) {
      Atomics.store(control, STATES + c, CHUNK_FAILED);
      Atomics.add(control, FAILED, 1);
      onError?.(c, e);
    }
    Atomics.notify(control, DONE);
  }
}

/**
 * Threads a build uses by default, this one included: one per core, at most 4. Drawing scales with threads, but each
 * worker holds its own heap (about 30 MB when it runs the TypeScript sources through tsx, less compiled).
 */
export function defaultBuildThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export interface ConnectPoolOptions {
  /** Threads in all, this one included (at least 2). */
  readonly threads: number;
  /** About how many synapses a chunk holds (default 2^20; smaller in tests, to cut small networks into many). */
  readonly chunkSynapses?: number;
  /** Milliseconds without a finished chunk, while chunks are taken, after which the build fails (default 120 s). */
  readonly stallMs?: number;
}

/** A `ChunkRunner` over worker threads; `close` stops them. */
export class ConnectPool implements ChunkRunner {
  readonly parallel = true;
  readonly threads: number;
  readonly chunkSynapses: number;
  /** Chunks run so far (of jobs of more than one chunk), and how many of them this thread ran. */
  readonly stats = { chunks: 0, here: 0 };
  private readonly stallMs: number;
  private workers: Worker[] = [];
  private readonly online = new Int32Array(new SharedArrayBuffer(4));
  private scratchBuffer: SharedArrayBuffer | null = null;

  constructor(options: ConnectPoolOptions) {
    if (!(Number.isInteger(options.threads) && options.threads >= 2)) throw new RangeError(`a pool needs at least 2 threads, got ${options.threads}`);
    this.threads = options.threads;
    this.chunkSynapses = options.chunkSynapses ?? CHUNK_SYNAPSES;
    this.stallMs = options.stallMs ?? 120_000;
  }

  /**
   * Starts the workers if they are not, and waits (blocking this thread) until every one listens for jobs or
   * `timeoutMs` has passed. Returns whether all are ready. Builds do not need it (this thread works meanwhile).
   */
  waitReady(timeoutMs = 30_000): boolean {
    this.start();
    const until = performance.now() + timeoutMs;
    for (;;) {
      const n = Atomics.load(this.online, 0);
      if (n >= this.workers.length) return true;
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.online, 0, n, left);
    }
  }

  alloc(n: number): Uint32Array {
    return new Uint32Array(new SharedArrayBuffer(4 * n));
  }
  allocFloat32(n: number): Float32Array {
    return new Float32Array(new SharedArrayBuffer(4 * n));
  }
  allocUint16(n: number): Uint16Array {
    return new Uint16Array(new SharedArrayBuffer(2 * n));
  }
  allocFloat64(n: number): Float64Array {
    return new Float64Array(new SharedArrayBuffer(8 * n));
  }

  /** One scratch buffer for the whole build, grown when a projection needs more (the largest comes first or soon). */
  scratch(n: number): Uint32Array {
    if (!this.scratchBuffer || this.scratchBuffer.byteLength < 4 * n) this.scratchBuffer = new SharedArrayBuffer(4 * n);
    return new Uint32Array(this.scratchBuffer, 0, n);
  }

  run(job: ChunkJob, chunks: number): void {
    if (chunks <= 0) return;
    if (chunks === 1) {
      runChunk(job, 0);
      return;
    }
    this.start();
    const control = new Int32Array(new SharedArrayBuffer(4 * (STATES + chunks)));
    const message: PoolMessage = { job, control, chunks };
    for (const w of this.workers) w.postMessage(message);
    let here = 0;
    workOn(
      message,
      (_c, e) => {
        throw e;
      },
      () => here++,
    );
    this.stats.chunks += chunks;
    this.stats.here += here;
    // Wait for the chunks other threads took; redo here any that failed there.
    let last = Atomics.load(control, DONE);
    let since = performance.now();
    for (;;) {
      if (Atomics.load(control, FAILED) > 0) {
        for (let c = 0; c < chunks; c++) {
          if (Atomics.load(control, STATES + c) !== CHUNK_FAILED) continue;
          runChunk(job, c); // throws here the error the worker met
          this.stats.here++;
          Atomics.store(control, STATES + c, CHUNK_DONE);
          Atomics.sub(control, FAILED, 1);
          Atomics.add(control, DONE, 1);
        }
      }
      const done = Atomics.load(control, DONE);
      if (done >= chunks) return;
      if (done !== last) {
        last = done;
        since = performance.now();
      } else if (performance.now() - since > this.stallMs)
        throw new Error(`network build: worker threads finished no chunk of a ${job.kind} job in ${this.stallMs} ms (${done} of ${chunks} done)`);
      Atomics.wait(control, DONE, done, 100);
    }
  }

  /** Stops the worker threads (they hold no state between jobs). */
  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    this.scratchBuffer = null;
  }

  private start(): void {
    if (this.workers.length > 0) return;
    for (let t = 1; t < this.threads; t++) {
      const workerData: PoolWorkerData = { online: this.online };
      const w = new Worker(new URL('./workers/connect-worker.mjs', import.meta.url), { workerData });
      w.unref();
      // A worker that fails to start takes no chunk; its error must not end the process.
      w.on('error', () => undefined);
      this.workers.push(w);
    }
  }
}

/**
 * The runner of each projection of one build: this thread for small projections (or with one thread), else a pool
 * started for the first large one and shared by the rest. `close` stops the pool.
 */
export class BuildRunners {
  private pool: ConnectPool | null;
  private readonly own: boolean;

  /**
   * @param threads threads in all, this one included (1: no pool).
   * @param minParallelSynapses projections with fewer synapses run in this thread.
   * @param pool a started pool to use (left open by `close`) instead of one started for the build.
   */
  constructor(
    readonly threads: number,
    readonly minParallelSynapses: number,
    pool: ConnectPool | null = null,
  ) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`build threads must be a whole number of at least 1, got ${threads}`);
    this.pool = pool;
    this.own = pool === null;
  }

  /** The runner for a projection of about `synapses` synapses. */
  for(synapses: number): ChunkRunner {
    if ((this.threads < 2 && this.own) || synapses < this.minParallelSynapses) return serialRunner;
    this.pool ??= new ConnectPool({ threads: this.threads });
    return this.pool;
  }

  /** The runner that made `array`: the pool when it is in shared memory, so that a projection's arrays agree. */
  sameAs(array: ArrayBufferView): ChunkRunner {
    if (!(array.buffer instanceof SharedArrayBuffer)) return serialRunner;
    this.pool ??= new ConnectPool({ threads: Math.max(2, this.threads) });
    return this.pool;
  }

  close(): void {
    if (this.own) this.pool?.close();
    this.pool = null;
  }
}
