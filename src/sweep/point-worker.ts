/**
 * A thread of the point pool (pool.ts): runs one point at a time and posts back its summary, or its error as one
 * line (`input` when the user's documents were at fault). `{ abort: true }` stops the running point at its next
 * chunk; it then reports an interrupted summary.
 */
import { parentPort } from 'node:worker_threads';
import { InputError } from '../core/errors.ts';
import { type PointJob, runPoint } from './point.ts';

interface Request {
  readonly id: number;
  readonly job: PointJob;
  readonly outDir: string | null;
}

const port = parentPort!;
const controller = new AbortController();
port.on('message', (msg: Request | { abort: true }) => {
  if ('abort' in msg) {
    controller.abort();
    return;
  }
  const signal = controller.signal;
  void runPoint(msg.job, { signal, ...(msg.outDir !== null ? { outDir: msg.outDir } : {}) }).then(
    (summary) => port.postMessage({ id: msg.id, summary: JSON.stringify(summary) }),
    (e: unknown) => port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e), input: e instanceof InputError }),
  );
});
