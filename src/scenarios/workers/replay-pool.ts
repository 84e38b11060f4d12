/**
 * Replay schedules of the complementary-learning-systems model, computed once per (seed, P, notebook) and shared by
 * every run of a scenario that needs them, in worker threads.
 *
 * A schedule (models/memory/cls/replay.ts) is the costly part of a run (the notebook's reactivations); runs of one
 * seed at several SNRs, teachers and regimes replay the same one. `get` returns a promise. Each schedule is cut into
 * one epoch range per thread (a reactivation depends on its (epoch, slot) and the notebook only), the ranges are
 * queued in request order and joined when all are back: one schedule uses every core, and schedules asked for
 * together come back one after the other, the first after about 1/threads of its time alone. Schedules too small to
 * pay for a thread's start (under `inlineBelow` reactivation units) are computed in the calling thread, when asked
 * for, as with 0 threads. Schedules are deterministic, so which thread computed a range never changes a result.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ReplaySchedule, replayKey, type ClsParams, type ReplayRange } from '../../models/memory/cls/index.ts';
import { scheduleHere, type ReplayKernel } from './replay-source.ts';

interface Pending {
  readonly id: number;
  readonly params: ClsParams;
  readonly seed: number;
  readonly from: number;
  readonly to: number;
  readonly kernel: ReplayKernel;
  readonly resolve: (r: ReplayRange) => void;
  readonly reject: (e: Error) => void;
}

/** Worker threads for `requested` ('auto': one per core when there are two or more; `jobs` no longer limits it, as one schedule is split over the threads). */
export function poolSize(requested: number | 'auto', jobs: number): number {
  if (requested !== 'auto') return requested;
  const cores = availableParallelism();
  return jobs < 1 || cores < 2 ? 0 : cores;
}

/**
 * Work of a schedule in units of one reactivation of a notebook of 2000 units (epochs x P x M / 2000): below
 * DEFAULT_INLINE_BELOW (1 s or so of reactivations) a schedule is computed in the calling thread.
 */
export const DEFAULT_INLINE_BELOW = 10_000;

export class ReplayPool {
  private readonly cache = new Map<string, Promise<ReplaySchedule>>();
  private readonly queue: Pending[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly all: Worker[] = [];
  private nextId = 0;
  private closed = false;

  /**
   * `workers` threads at most (0: every schedule in the calling thread); `inlineBelow` as DEFAULT_INLINE_BELOW;
   * `kernel` what settles the reactivations (replay-source.ts: the WebAssembly lanes where they apply, or 'js').
   */
  constructor(
    readonly workers: number,
    readonly inlineBelow: number = DEFAULT_INLINE_BELOW,
    readonly kernel: ReplayKernel = 'wasm',
  ) {}

  /** The schedule of a run of `params` with `seed` (all its epochs); computed once, then shared. */
  get(params: ClsParams, seed: number): Promise<ReplaySchedule> {
    const epochs = params.student.epochs;
    const key = `${replayKey(seed, params.p, params.notebook)}:${epochs}:${this.kernel}`;
    let s = this.cache.get(key);
    if (!s) {
      s = this.threaded(params)
        ? this.split(params, seed, epochs)
        : new Promise<ReplaySchedule>((resolve) => resolve(scheduleHere(params, seed, epochs, this.kernel)));
      s.catch(() => undefined); // a request left pending at close() is no unhandled rejection; callers still see it
      this.cache.set(key, s);
    }
    return s;
  }

  /**
   * Asks for the schedules of several seeds at once (so that the threads work on them in order, without a pause
   * between them); schedules computed in the calling thread are left to be computed when asked for (between the
   * runs, where an interrupt is seen).
   */
  prefetch(params: ClsParams, seeds: readonly number[]): void {
    if (!this.threaded(params)) return;
    for (const seed of seeds) void this.get(params, seed);
  }

  /** Drops the finished schedules it holds (requests in flight are kept). */
  forget(): void {
    this.cache.clear();
  }

  /** Stops the threads (pending requests are rejected). */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('replay pool closed'));
    for (const [, p] of this.busy) p.reject(new Error('replay pool closed'));
    this.busy.clear();
    await Promise.all(this.all.map((w) => w.terminate()));
    this.all.length = 0;
    this.idle.length = 0;
  }

  /** Whether schedules of `params` go to threads. */
  private threaded(params: ClsParams): boolean {
    return this.workers > 0 && (params.student.epochs * params.p * params.notebook.m) / 2000 >= this.inlineBelow;
  }

  /** Queues one epoch range per thread and joins them. */
  private split(params: ClsParams, seed: number, epochs: number): Promise<ReplaySchedule> {
    const parts = Math.max(1, Math.min(this.workers, epochs));
    const ranges: Array<Promise<ReplayRange>> = [];
    for (let r = 0; r < parts; r++) {
      const from = 1 + Math.floor((r * epochs) / parts);
      const to = Math.floor(((r + 1) * epochs) / parts);
      ranges.push(
        new Promise<ReplayRange>((resolve, reject) => {
          this.queue.push({ id: this.nextId++, params, seed, from, to, kernel: this.kernel, resolve, reject });
        }),
      );
    }
    this.pump();
    return Promise.all(ranges).then((done) => ReplaySchedule.join(done));
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w && this.all.length < this.workers) w = this.spawn();
      if (!w) return;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ id: job.id, params: job.params, seed: job.seed, from: job.from, to: job.to, kernel: job.kernel });
    }
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./replay-worker.mjs', import.meta.url));
    w.unref();
    w.on('message', (msg: { id: number; range?: ReplayRange; error?: string }) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (job) {
        if (msg.range) job.resolve(msg.range);
        else job.reject(new Error(`replay worker: ${msg.error ?? 'no schedule'}`));
      }
      this.pump();
    });
    w.on('error', (err) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.all.splice(this.all.indexOf(w), 1);
      job?.reject(err);
      this.pump();
    });
    this.all.push(w);
    return w;
  }
}
