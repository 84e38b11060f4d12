/**
 * Replay schedules of the complementary-learning-systems model, computed once per (seed, P, notebook) and shared by
 * every run of a scenario that needs them, in worker threads when there is more than one to compute.
 *
 * A schedule (models/memory/cls/replay.ts) is the costly part of a run (the notebook's reactivations, ~45 s at the
 * published size); runs of one seed at several SNRs, teachers and regimes replay the same one. `get` returns a
 * promise; requests are queued and handed to `workers` threads (0: computed in this thread, synchronously, when
 * asked). Schedules are deterministic, so which thread computed one never changes a result.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { computeReplaySchedule, ReplaySchedule, replayKey, type ClsParams, type ReplayData } from '../../models/memory/cls/index.ts';

interface Pending {
  readonly id: number;
  readonly params: ClsParams;
  readonly seed: number;
  readonly epochs: number;
  readonly resolve: (s: ReplaySchedule) => void;
  readonly reject: (e: Error) => void;
}

/** Worker threads for `requested` ('auto': one per core, at most `jobs`; fewer than two jobs: none). */
export function poolSize(requested: number | 'auto', jobs: number): number {
  if (requested !== 'auto') return requested;
  return jobs < 2 ? 0 : Math.min(availableParallelism(), jobs);
}

export class ReplayPool {
  private readonly cache = new Map<string, Promise<ReplaySchedule>>();
  private readonly queue: Pending[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly all: Worker[] = [];
  private nextId = 0;
  private closed = false;

  constructor(readonly workers: number) {}

  /** The schedule of a run of `params` with `seed` (all its epochs); computed once, then shared. */
  get(params: ClsParams, seed: number): Promise<ReplaySchedule> {
    const epochs = params.student.epochs;
    const key = `${replayKey(seed, params.p, params.notebook)}:${epochs}`;
    let s = this.cache.get(key);
    if (!s) {
      s =
        this.workers === 0
          ? new Promise<ReplaySchedule>((resolve) => resolve(computeReplaySchedule(params, seed, epochs)))
          : new Promise<ReplaySchedule>((resolve, reject) => {
              this.queue.push({ id: this.nextId++, params, seed, epochs, resolve, reject });
              this.pump();
            });
      s.catch(() => undefined); // a request left pending at close() is no unhandled rejection; callers still see it
      this.cache.set(key, s);
    }
    return s;
  }

  /**
   * Asks for the schedules of several seeds at once (so that the threads work on them together); without threads it
   * does nothing (each schedule is computed when asked for, between the runs, where an interrupt is seen).
   */
  prefetch(params: ClsParams, seeds: readonly number[]): void {
    if (this.workers === 0) return;
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

  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w && this.all.length < this.workers) w = this.spawn();
      if (!w) return;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ id: job.id, params: job.params, seed: job.seed, epochs: job.epochs });
    }
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./replay-worker.mjs', import.meta.url));
    w.unref();
    w.on('message', (msg: { id: number; data?: ReplayData; error?: string }) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (job) {
        if (msg.data) job.resolve(new ReplaySchedule({ data: msg.data }));
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
