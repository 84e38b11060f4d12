/**
 * Worker threads that run sweep points (point-worker.ts), one point per thread at a time: a local sweep's pool, and a
 * `purkinje worker`'s. A thread that dies (an out-of-memory abort) fails its point and is replaced for the next one.
 */
import { Worker } from 'node:worker_threads';
import type { RunSummary } from '../scenarios/types.ts';
import type { PointJob } from './point.ts';

/** A point's outcome: its summary (parsed from JSON, as it travels through a queue), or its error in one line. */
export type PointOutcome = { readonly summary: RunSummary } | { readonly error: string; readonly input: boolean };

interface Pending {
  readonly id: number;
  readonly job: PointJob;
  readonly outDir: string | null;
  readonly resolve: (o: PointOutcome) => void;
}

export class PointPool {
  private readonly queue: Pending[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly all: Worker[] = [];
  private nextId = 0;
  private aborted = false;

  constructor(readonly size: number) {}

  /** Runs a point in the next free thread; with `outDir` its outputs are written there. */
  run(job: PointJob, outDir: string | null): Promise<PointOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, job, outDir, resolve });
      this.pump();
    });
  }

  /** Points running now. */
  get running(): number {
    return this.busy.size;
  }

  /** Stops the running points at their next chunk (they report interrupted summaries); queued ones are not started. */
  abort(): void {
    this.aborted = true;
    for (const p of this.queue.splice(0)) p.resolve({ error: 'not started: the sweep was interrupted', input: false });
    for (const w of this.busy.keys()) w.postMessage({ abort: true });
  }

  async close(): Promise<void> {
    this.abort();
    await Promise.all(this.all.map((w) => w.terminate()));
    this.all.length = 0;
    this.idle.length = 0;
  }

  private pump(): void {
    while (!this.aborted && this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w && this.all.length < this.size) w = this.spawn();
      if (!w) return;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.postMessage({ id: p.id, job: p.job, outDir: p.outDir });
    }
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./point-worker.mjs', import.meta.url));
    w.on('message', (msg: { id: number; summary?: string; error?: string; input?: boolean }) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (p) p.resolve(msg.summary !== undefined ? { summary: JSON.parse(msg.summary) as RunSummary } : { error: msg.error ?? 'the point failed', input: msg.input === true });
      this.pump();
    });
    const lost = (why: string) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      this.all.splice(this.all.indexOf(w), 1);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      p?.resolve({ error: why, input: false });
      this.pump();
    };
    w.on('error', (e) => lost(`the run's thread failed: ${e.message}`));
    w.on('exit', (code) => {
      if (this.all.includes(w)) lost(`the run's thread exited (code ${code})`);
    });
    this.all.push(w);
    return w;
  }
}
