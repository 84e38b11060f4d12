/**
 * Worker thread: computes epoch ranges of complementary-learning-systems replay schedules (models/memory/cls/
 * replay.ts) on request and sends them back as transferable typed arrays. Messages: { id, params, seed, from, to, kernel }
 * in, { id, range } or { id, error } out. The thread keeps the notebook (in the WebAssembly lanes unless `kernel` is 'js', replay-source.ts) of its last (seed, P, notebook) key, so the
 * next range of the same schedule does not build it again.
 */
import { parentPort } from 'node:worker_threads';
import { computeReplayRange, replayKey, validateClsParams, type ClsParams, type ReplaySource } from '../../models/memory/cls/index.ts';
import { notebookSource, type ReplayKernel } from './replay-source.ts';

interface Job {
  readonly id: number;
  readonly params: ClsParams;
  readonly seed: number;
  readonly from: number;
  readonly to: number;
  readonly kernel: ReplayKernel;
}

let last: { key: string; notebook: ReplaySource } | undefined;

const port = parentPort;
if (!port) throw new Error('replay-worker.ts runs only as a worker thread');
port.on('message', (job: Job) => {
  try {
    const { params, seed } = job;
    validateClsParams(params);
    const key = `${replayKey(seed, params.p, params.notebook)}:${job.kernel}`;
    if (last?.key !== key) last = { key, notebook: notebookSource(params, seed, job.kernel) };
    const range = computeReplayRange(last.notebook, replayKey(seed, params.p, params.notebook), job.from, job.to);
    const d = range.data;
    const transfer = [d.outcome, d.memory, d.distance, d.active, d.kwtaCycles, d.thresholdCycles, d.unitStart, d.units].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ id: job.id, range }, transfer);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
